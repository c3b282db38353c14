package dev.imgd.core.pipeline;

import dev.imgd.core.ImageFormat;
import dev.imgd.core.options.Rgb;
import dev.imgd.core.plan.Plan;
import dev.imgd.vips.VipsImage;
import dev.imgd.vips.VipsOperation;

/** Formats without alpha, or a flatten asked for, get the background colour under transparency. */
final class Flatten implements Step {
  @Override
  public void apply(Context ctx) {
    ctx.then(i -> flatten(i, ctx.plan));
  }

  private static VipsImage flatten(VipsImage in, Plan plan) {
    boolean wanted =
        plan.options().effects().flatten() || !plan.output().format().has(ImageFormat.Trait.ALPHA);
    if (!in.hasAlpha() || !wanted) {
      return in.share();
    }
    Rgb bg = plan.options().effects().background();
    try (VipsImage shown = Colours.toShow(in, bg)) {
      return VipsOperation.of("flatten")
          .in(shown)
          .set(
              "background",
              Colours.scaled(
                  Colours.forBands(new double[] {bg.r(), bg.g(), bg.b()}, shown.bands() - 1),
                  shown))
          .set("max_alpha", Colours.maxAlpha(shown))
          .image();
    }
  }
}
