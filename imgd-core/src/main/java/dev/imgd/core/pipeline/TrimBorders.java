package dev.imgd.core.pipeline;

import dev.imgd.core.options.CropRect;
import dev.imgd.core.options.Trim;
import dev.imgd.vips.VipsImage;
import dev.imgd.vips.VipsOperation;
import java.util.Objects;

/**
 * Cuts away the border. The box is found in the pixels, so the geometry of the steps after this one
 * is the plan's geometry for the trimmed size ({@link dev.imgd.core.plan.Plan#geometryAfterTrim}),
 * which this step leaves in the context. Still images only.
 */
final class TrimBorders implements Step {
  @Override
  public void apply(Context ctx) {
    if (!ctx.plan.options().crop().trim().enabled() || ctx.plan.frames() != 1) {
      return;
    }
    // Trim reads every pixel before the crop reads them again: hold them in memory.
    ctx.then(VipsImage::copyMemory);
    ctx.then(i -> trim(i, ctx.plan.options().crop().trim()));
    ctx.geometry(ctx.plan.geometryAfterTrim(ctx.image().width(), ctx.image().height()));
  }

  private static VipsImage trim(VipsImage in, Trim trim) {
    double[] background;
    if (trim.smart()) {
      // As imgproxy: the colour of the top-left pixel is the border's.
      try (var point =
          VipsOperation.of("getpoint").in(in).set("x", 0).set("y", 0).call("out_array")) {
        background = (double[]) Objects.requireNonNull(point.get("out_array"));
      }
    } else {
      background = new double[] {trim.color().r(), trim.color().g(), trim.color().b()};
    }
    int left;
    int top;
    int width;
    int height;
    try (VipsImage flat = in.hasAlpha() ? VipsOperation.of("flatten").in(in).image() : in.share();
        var box =
            VipsOperation.of("find_trim")
                .in(flat)
                .set("threshold", trim.threshold())
                .set("background", Colours.forBands(background, 3))
                .call("left", "top", "width", "height")) {
      left = box.intValue("left");
      top = box.intValue("top");
      width = box.intValue("width");
      height = box.intValue("height");
    }
    if (width < 1 || height < 1) {
      return in.share(); // all border: keep the image rather than return nothing
    }
    if (trim.equalHor()) {
      int cut = Math.min(left, in.width() - left - width);
      left = cut;
      width = in.width() - 2 * cut;
    }
    if (trim.equalVer()) {
      int cut = Math.min(top, in.height() - top - height);
      top = cut;
      height = in.height() - 2 * cut;
    }
    return Ops.crop(in, new CropRect(left, top, width, height, false));
  }
}
