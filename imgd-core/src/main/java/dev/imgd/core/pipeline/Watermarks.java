package dev.imgd.core.pipeline;

import dev.imgd.core.options.CropRect;
import dev.imgd.core.options.Geometry;
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
final class Watermarks implements Step {
  @Override
  public void apply(Context ctx) {
    Watermark wm = ctx.plan.options().watermark();
    if (wm.enabled() && ctx.watermark != null) {
      ctx.then(i -> composite(i, ctx.watermark, wm, ctx.geometry().dprScale()));
    }
  }

  private static VipsImage composite(
      VipsImage base, byte[] watermarkBytes, Watermark wm, double dpr) {
    int dx = (int) Math.round(wm.position().x() * dpr);
    int dy = (int) Math.round(wm.position().y() * dpr);
    try (VipsImage mark = prepare(base, watermarkBytes, wm);
        VipsImage overlay = position(base, mark, wm, dx, dy);
        VipsImage withAlpha = base.hasAlpha() ? base.share() : Ops.addAlpha(base);
        VipsImage composed =
            VipsOperation.of("composite2")
                .set("base", withAlpha)
                .set("overlay", overlay)
                .set("mode", "over")
                .image();
        VipsImage cast =
            VipsOperation.of("cast").in(composed).set("format", base.format()).image()) {
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
      // Offsets are the spacing between tiles; one wider than the base leaves a single tile, as
      // the base's own width does, and keeps the tile within libvips' coordinate range.
      int spaceX = Math.clamp(dx, 0, base.width());
      int spaceY = Math.clamp(dy, 0, base.height());
      try (VipsImage spaced =
              embedTransparent(mark, 0, 0, mark.width() + spaceX, mark.height() + spaceY);
          VipsImage tiled =
              VipsOperation.of("replicate")
                  .in(spaced)
                  .set("across", base.width() / spaced.width() + 1)
                  .set("down", base.height() / spaced.height() + 1)
                  .image()) {
        return Ops.crop(tiled, new CropRect(0, 0, base.width(), base.height(), false));
      }
    }
    int[] at =
        Geometry.watermark(
            wm.position().type(), base.width(), base.height(), mark.width(), mark.height(), dx, dy);
    return embedTransparent(mark, at[0], at[1], base.width(), base.height());
  }

  /** Decoded, sRGB, with alpha, scaled, and with its alpha multiplied by the opacity. */
  private static VipsImage prepare(VipsImage base, byte[] bytes, Watermark wm) {
    String loader = Probe.read(bytes).format().loader();
    VipsImage img = VipsOperation.of(loader).set("buffer", bytes).image();
    img = Ops.then(img, ToSrgb::convert);
    if ("ushort".equals(base.format())) {
      img = Ops.then(img, Watermarks::sixteenBit); // as deep as the image it marks
    }
    if (!img.hasAlpha()) {
      img = Ops.then(img, Ops::addAlpha);
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
      img = Ops.then(img, i -> Ops.resize(i, w, h));
    }
    if (wm.opacity() < 1) {
      double[] a = new double[img.bands()];
      Arrays.fill(a, 1.0);
      a[a.length - 1] = wm.opacity();
      double[] b = new double[a.length];
      img =
          Ops.then(
              img,
              i -> {
                try (VipsImage faded =
                    VipsOperation.of("linear").in(i).set("a", a).set("b", b).image()) {
                  return VipsOperation.of("cast").in(faded).set("format", i.format()).image();
                }
              });
    }
    return img;
  }

  /** An 8-bit sRGB (or grey) image as 16-bit, every band scaled, alpha included. */
  private static VipsImage sixteenBit(VipsImage in) {
    try (VipsImage scaled =
            VipsOperation.of("linear").in(in).set("a", 257.0).set("b", 0.0).image();
        VipsImage cast = VipsOperation.of("cast").in(scaled).set("format", "ushort").image()) {
      return VipsOperation.of("copy")
          .in(cast)
          .set("interpretation", in.bands() <= 2 ? "grey16" : "rgb16")
          .image();
    }
  }

  private static VipsImage embedTransparent(VipsImage in, int x, int y, int width, int height) {
    return VipsOperation.of("embed")
        .in(in)
        .set("x", x)
        .set("y", y)
        .set("width", width)
        .set("height", height)
        .set("extend", "background")
        .set("background", new double[in.bands()])
        .image();
  }
}
