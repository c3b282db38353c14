package dev.imgd.core.pipeline;

import dev.imgd.core.options.Options;
import dev.imgd.vips.VipsImage;
import dev.imgd.vips.VipsOperation;

/** Blur, sharpen and pixelate, in that order, as imgproxy applies them. */
final class Filters implements Step {
  @Override
  public void apply(Context ctx) {
    Options.Effects e = ctx.plan.options().effects();
    if (e.blur() > 0) {
      ctx.then(i -> VipsOperation.of("gaussblur").in(i).set("sigma", e.blur()).image());
    }
    if (e.sharpen() > 0) {
      ctx.then(i -> VipsOperation.of("sharpen").in(i).set("sigma", e.sharpen()).image());
    }
    if (e.pixelate() > 1) {
      ctx.then(i -> pixelate(i, e.pixelate()));
    }
  }

  private static VipsImage pixelate(VipsImage in, int size) {
    int w = in.width();
    int h = in.height();
    int block = Math.min(size, Math.min(w, h));
    try (VipsImage small =
            VipsOperation.of("shrink").in(in).set("hshrink", block).set("vshrink", block).image();
        VipsImage big =
            VipsOperation.of("zoom")
                .set("input", small)
                .set("xfac", block)
                .set("yfac", block)
                .image()) {
      // The zoomed image can be a block short of the original: extend its edge pixels.
      return VipsOperation.of("embed")
          .in(big)
          .set("x", 0)
          .set("y", 0)
          .set("width", w)
          .set("height", h)
          .set("extend", "copy")
          .image();
    }
  }
}
