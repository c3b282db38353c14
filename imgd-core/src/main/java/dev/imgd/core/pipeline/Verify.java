package dev.imgd.core.pipeline;

/** Checks the encoded bytes against the plan before anyone sees them ({@link Verifier}). */
final class Verify implements Step {
  @Override
  public Passes passes() {
    return Passes.LAST;
  }

  @Override
  public void apply(Context ctx) {
    Verifier.verify(
        ctx.encoded(),
        ctx.plan.output().format(),
        ctx.plan.resultWidth(ctx.geometry()),
        ctx.plan.resultHeight(ctx.geometry()),
        ctx.plan.frames());
  }
}
