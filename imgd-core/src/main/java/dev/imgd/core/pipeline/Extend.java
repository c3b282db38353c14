package dev.imgd.core.pipeline;

import dev.imgd.core.ImageFormat;
import dev.imgd.core.options.Embed;
import dev.imgd.core.options.Padding;
import dev.imgd.core.options.ResizePlan;
import dev.imgd.core.options.Rgb;
import dev.imgd.vips.VipsImage;
import dev.imgd.vips.VipsOperation;

/**
 * Extend, extend to the aspect ratio, then padding: transparent where the output can carry alpha
 * and no flattening was asked for, else the background colour.
 */
final class Extend implements Step {
  @Override
  public void apply(Context ctx) {
    ResizePlan g = ctx.geometry();
    Rgb bg = ctx.plan.options().effects().background();
    boolean transparent =
        !ctx.plan.options().effects().flatten()
            && ctx.plan.output().format().has(ImageFormat.Trait.ALPHA);
    for (Embed e : new Embed[] {g.extend(), g.extendAspectRatio()}) {
      if (!e.isNone(ctx.image().width(), ctx.image().height())) {
        ctx.then(i -> embed(i, e.x(), e.y(), e.width(), e.height(), bg, transparent));
      }
    }
    Padding p = g.padding();
    if (!p.isEmpty()) {
      ctx.then(i ->
          embed(
              i,
              p.left(),
              p.top(),
              i.width() + p.left() + p.right(),
              i.height() + p.top() + p.bottom(),
              bg,
              transparent));
    }
  }

  /**
   * Embeds the image at (x, y) in a canvas: transparent where the output can carry alpha and no
   * background was asked for, else the background colour.
   */
  private static VipsImage embed(
      VipsImage in, int x, int y, int width, int height, Rgb bg, boolean transparent) {
    VipsImage img =
        transparent ? (in.hasAlpha() ? in.share() : Ops.addAlpha(in)) : Colours.toShow(in, bg);
    double alpha = transparent ? 0 : 255;
    try (img) {
      return VipsOperation.of("embed")
          .in(img)
          .set("x", x)
          .set("y", y)
          .set("width", width)
          .set("height", height)
          .set("extend", "background")
          .set(
              "background",
              Colours.scaled(
                  Colours.forBands(new double[] {bg.r(), bg.g(), bg.b(), alpha}, img.bands()), img))
          .image();
    }
  }
}
