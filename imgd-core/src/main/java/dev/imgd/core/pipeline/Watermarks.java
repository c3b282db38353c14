package dev.imgd.core.pipeline;

import dev.imgd.core.plan.Plan;
import dev.imgd.vips.VipsImage;
import dev.imgd.vips.VipsOperation;

/**
 * Watermark compositing. libvips' composite blends in float on premultiplied values, so edges of
 * transparent, semi-transparent and opaque watermarks come out right and a second application
 * is deterministic (FM-09).
 */
final class Watermarks {
  private Watermarks() {}

  static VipsImage apply(VipsImage base, byte[] watermarkBytes, Plan.WatermarkPlan wm) {
    try (VipsImage mark = prepare(base, watermarkBytes, wm)) {
      boolean replicate = "re".equals(wm.position());
      int x = 0;
      int y = 0;
      VipsImage overlay;
      if (replicate) {
        int across = (base.width() + mark.width() - 1) / mark.width();
        int down = (base.height() + mark.height() - 1) / mark.height();
        try (VipsImage tiled =
            VipsOperation.of("replicate").in(mark).set("across", across).set("down", down).image()) {
          overlay =
              Pipeline.Steps.crop(tiled, new Plan.Rect(0, 0, base.width(), base.height()));
        }
      } else {
        int[] at = Gravity.place(wm.position(), base.width(), base.height(), mark.width(), mark.height(), wm.x(), wm.y());
        x = at[0];
        y = at[1];
        overlay = mark.share();
      }
      try (overlay;
          VipsImage withAlpha = base.hasAlpha() ? base.share() : addAlpha(base);
          VipsImage composed =
              VipsOperation.of("composite2")
                  .set("base", withAlpha)
                  .set("overlay", overlay)
                  .set("mode", "over")
                  .set("x", x)
                  .set("y", y)
                  .image();
          VipsImage cast = VipsOperation.of("cast").in(composed).set("format", "uchar").image()) {
        if (base.hasAlpha()) {
          return cast.share();
        }
        return VipsOperation.of("extract_band").in(cast).set("band", 0).set("n", base.bands()).image();
      }
    }
  }

  /** Decoded, sRGB, with alpha, scaled, and with its alpha multiplied by the opacity. */
  private static VipsImage prepare(VipsImage base, byte[] bytes, Plan.WatermarkPlan wm) {
    VipsImage img = VipsOperation.of("pngload_buffer").set("buffer", bytes).image();
    img = Pipeline.Steps.then(img, Pipeline.Steps::toSrgb);
    if (!img.hasAlpha()) {
      img = Pipeline.Steps.then(img, Watermarks::addAlpha);
    }
    if (wm.scale() > 0) {
      int w = Math.max(1, (int) Math.round(base.width() * wm.scale()));
      int h = Math.max(1, (int) Math.round(img.height() * (w / (double) img.width())));
      img = Pipeline.Steps.then(img, i -> Pipeline.Steps.resize(i, w, h));
    }
    // Never larger than the image it marks.
    if (img.width() > base.width() || img.height() > base.height()) {
      double s = Math.min(base.width() / (double) img.width(), base.height() / (double) img.height());
      int w = Math.max(1, (int) (img.width() * s));
      int h = Math.max(1, (int) (img.height() * s));
      img = Pipeline.Steps.then(img, i -> Pipeline.Steps.resize(i, w, h));
    }
    if (wm.opacity() < 1) {
      int bands = img.bands();
      double[] a = new double[bands];
      double[] b = new double[bands];
      java.util.Arrays.fill(a, 1.0);
      a[bands - 1] = wm.opacity();
      img =
          Pipeline.Steps.then(
              img,
              i -> {
                try (VipsImage scaled = VipsOperation.of("linear").in(i).set("a", a).set("b", b).image()) {
                  return VipsOperation.of("cast").in(scaled).set("format", "uchar").image();
                }
              });
    }
    return img;
  }

  private static VipsImage addAlpha(VipsImage in) {
    return VipsOperation.of("bandjoin_const").in(in).set("c", new double[] {255}).image();
  }
}
