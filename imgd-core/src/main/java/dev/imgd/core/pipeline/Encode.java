package dev.imgd.core.pipeline;

/** Encodes the image with the plan's output settings ({@link Encoder}). */
final class Encode implements Step {
  @Override
  public Passes passes() {
    return Passes.LAST;
  }

  @Override
  public void apply(Context ctx) {
    ctx.encoded(Encoder.encode(ctx.image(), ctx.plan.output(), ctx.plan.options().encoding()));
  }
}
