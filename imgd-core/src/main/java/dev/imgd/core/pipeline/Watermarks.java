package dev.imgd.core.pipeline;

import dev.imgd.core.options.CropRect;
import dev.imgd.core.options.GravityType;
import dev.imgd.core.options.Watermark;
import dev.imgd.core.probe.Probe;
import dev.imgd.vips.VipsImage;
import dev.imgd.vips.VipsOperation;
import java.util.Arrays;

/**
 * Watermark compositing. libvips' composite blends in float on premultiplied values, so edges of
 * transparent, semi-transparent and opaque watermarks come out right and applying the same
 * watermark twice gives the same bytes (FM-09).
 */
final class Watermarks {
  private Watermarks() {}

  static VipsImage apply(VipsImage base, byte[] watermarkBytes, Watermark wm, double dpr) {
    int dx = (int) Math.round(wm.position().x() * dpr);
    int dy = (int) Math.round(wm.position().y() * dpr);
    try (VipsImage mark = prepare(base, watermarkBytes, wm);
        VipsImage overlay = position(base, mark, wm, dx, dy);
        VipsImage withAlpha = base.hasAlpha() ? base.share() : Pipeline.Steps.addAlpha(base);
        VipsImage composed =
            VipsOperation.of("composite2")
                .set("base", withAlpha)
                .set("overlay", overlay)
                .set("mode", "over")
                .image();
        VipsImage cast = VipsOperation.of("cast").in(composed).set("format", "uchar").image()) {
      if (base.hasAlpha()) {
        return cast.share();
      }
      return VipsOperation.of("extract_band")
          .in(cast)
          .set("band", 0)
          .set("n", base.bands())
          .image();
    }
  }

  /** The watermark on a transparent canvas the size of the base, tiled or placed by gravity. */
  private static VipsImage position(VipsImage base, VipsImage mark, Watermark wm, int dx, int dy) {
    if (wm.position().type() == GravityType.REPLICATE) {
      // Offsets are the spacing between tiles.
      try (VipsImage spaced =
              Pipeline.Steps.embedTransparent(
                  mark, 0, 0, mark.width() + Math.max(0, dx), mark.height() + Math.max(0, dy));
          VipsImage tiled =
              VipsOperation.of("replicate")
                  .in(spaced)
                  .set("across", base.width() / spaced.width() + 1)
                  .set("down", base.height() / spaced.height() + 1)
                  .image()) {
        return Pipeline.Steps.crop(tiled, new CropRect(0, 0, base.width(), base.height(), false));
      }
    }
    int[] at =
        Gravity.place(
            wm.position().type().id(),
            base.width(),
            base.height(),
            mark.width(),
            mark.height(),
            dx,
            dy);
    return Pipeline.Steps.embedTransparent(mark, at[0], at[1], base.width(), base.height());
  }

  /** Decoded, sRGB, with alpha, scaled, and with its alpha multiplied by the opacity. */
  private static VipsImage prepare(VipsImage base, byte[] bytes, Watermark wm) {
    String loader = Pipeline.Steps.loader(Probe.read(bytes).format());
    VipsImage img = VipsOperation.of(loader).set("buffer", bytes).image();
    img = Pipeline.Steps.then(img, Pipeline.Steps::toSrgb);
    if (!img.hasAlpha()) {
      img = Pipeline.Steps.then(img, Pipeline.Steps::addAlpha);
    }
    double scale = wm.scale() > 0 ? base.width() * wm.scale() / img.width() : 1;
    // Never larger than the image it marks.
    scale =
        Math.min(
            scale,
            Math.min(base.width() / (double) img.width(), base.height() / (double) img.height()));
    if (scale != 1) {
      int w = Math.max(1, (int) Math.round(img.width() * scale));
      int h = Math.max(1, (int) Math.round(img.height() * scale));
      img = Pipeline.Steps.then(img, i -> Pipeline.Steps.resize(i, w, h));
    }
    if (wm.opacity() < 1) {
      double[] a = new double[img.bands()];
      Arrays.fill(a, 1.0);
      a[a.length - 1] = wm.opacity();
      double[] b = new double[a.length];
      img =
          Pipeline.Steps.then(
              img,
              i -> {
                try (VipsImage faded =
                    VipsOperation.of("linear").in(i).set("a", a).set("b", b).image()) {
                  return VipsOperation.of("cast").in(faded).set("format", "uchar").image();
                }
              });
    }
    return img;
  }
}
