package dev.imgd.core.pipeline;

import dev.imgd.core.options.CropRect;
import dev.imgd.core.options.Trim;
import dev.imgd.vips.VipsImage;
import dev.imgd.vips.VipsOperation;
import java.util.Objects;

/**
 * Cuts away the border. The box is found in the pixels, so the geometry of the steps after this one
 * is the plan's geometry for the trimmed size ({@link dev.imgd.core.plan.Plan#geometryAfterTrim},
 * which checks it against the result limit), which this step leaves in the context. Still images
 * only.
 */
final class TrimBorders implements Step {
  /** The side of the median filter find_trim smooths the image with. */
  private static final int MEDIAN_WINDOW = 3;

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
    if (in.width() < MEDIAN_WINDOW || in.height() < MEDIAN_WINDOW) {
      // find_trim smooths with a 3x3 median first, which fails on a smaller image ("rank: window
      // too large", a 500): no border can be told from such an image, so it is kept.
      return in.share();
    }
    int left;
    int top;
    int width;
    int height;
    try (VipsImage probe = borderProbe(in);
        var box =
            VipsOperation.of("find_trim")
                .in(probe)
                .set("threshold", trim.threshold())
                .set("background", background(probe, trim))
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

  /**
   * The image the border is looked for in, as imgproxy: three sRGB bands (so a colour compares with
   * a greyscale image too), transparency flattened onto magenta, a colour no photograph's border
   * has, so a transparent border is found by the colour ff00ff.
   */
  private static VipsImage borderProbe(VipsImage in) {
    VipsImage img = in.share();
    if (!"srgb".equals(img.interpretation())) {
      img = Ops.then(img, i -> VipsOperation.of("colourspace").in(i).set("space", "srgb").image());
    }
    if (img.hasAlpha()) {
      img =
          Ops.then(
              img,
              i ->
                  VipsOperation.of("flatten")
                      .in(i)
                      .set("background", new double[] {255, 0, 255})
                      .image());
    }
    return img;
  }

  /** The border's colour: the option's, or with smart trim the top-left pixel's, as imgproxy. */
  private static double[] background(VipsImage probe, Trim trim) {
    if (!trim.smart()) {
      return new double[] {trim.color().r(), trim.color().g(), trim.color().b()};
    }
    try (var point =
        VipsOperation.of("getpoint").in(probe).set("x", 0).set("y", 0).call("out_array")) {
      return (double[]) Objects.requireNonNull(point.get("out_array"));
    }
  }
}
