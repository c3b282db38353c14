package dev.imgd.core.pipeline;

import dev.imgd.core.ImageFormat;
import dev.imgd.vips.VipsImage;
import dev.imgd.vips.VipsOperation;
import dev.imgd.vips.VipsScope;

/**
 * The structural dissimilarity of an encoded result against the pixels it was encoded from, with
 * libvips operations: SSIM (Wang et al. 2004: a Gaussian window of sigma 1.5, K1 = 0.01, K2 = 0.03)
 * on the luminance (libvips' {@code b-w} colourspace, alpha dropped), averaged over the image, and
 * DSSIM = (1 - SSIM) / 2, the definition imgproxy's documentation links to. 0 is identical.
 */
final class Dssim implements AutoCloseable {
  private static final double C1 = Math.pow(0.01 * 255, 2);
  private static final double C2 = Math.pow(0.03 * 255, 2);
  private static final double SIGMA = 1.5;

  /** Every image made on the way, closed together. */
  private final VipsScope made = new VipsScope();

  private Dssim() {}

  /** The DSSIM of {@code encoded} (in {@code format}) against {@code reference}. */
  static double of(VipsImage reference, byte[] encoded, ImageFormat format) {
    try (Dssim d = new Dssim()) {
      VipsOperation load = VipsOperation.of(format.loader().orElseThrow()).set("buffer", encoded);
      if (reference.pageHeight() < reference.height()) {
        load.set("n", -1); // an animation is encoded from, and compared as, its whole strip
      }
      VipsImage decoded = d.keep(load.image());
      if (decoded.width() != reference.width() || decoded.height() != reference.height()) {
        throw new IllegalStateException(
            "decoded " + decoded.width() + "x" + decoded.height() + " from " + reference);
      }
      return Math.max(0, (1 - d.ssim(d.luminance(reference), d.luminance(decoded))) / 2);
    }
  }

  private double ssim(VipsImage x, VipsImage y) {
    VipsImage mx = blur(x);
    VipsImage my = blur(y);
    VipsImage mxy = op("multiply", mx, my);
    VipsImage mx2 = op("multiply", mx, mx);
    VipsImage my2 = op("multiply", my, my);
    VipsImage sxy = op("subtract", blur(op("multiply", x, y)), mxy);
    VipsImage sx2 = op("subtract", blur(op("multiply", x, x)), mx2);
    VipsImage sy2 = op("subtract", blur(op("multiply", y, y)), my2);
    VipsImage num = op("multiply", linear(mxy, 2, C1), linear(sxy, 2, C2));
    VipsImage den =
        op("multiply", linear(op("add", mx2, my2), 1, C1), linear(op("add", sx2, sy2), 1, C2));
    try (VipsOperation.Outputs avg =
        VipsOperation.of("avg").in(op("divide", num, den)).call("out")) {
      return avg.doubleValue("out");
    }
  }

  /** The luma as float, alpha dropped. */
  private VipsImage luminance(VipsImage in) {
    VipsImage grey = keep(VipsOperation.of("colourspace").in(in).set("space", "b-w").image());
    VipsImage luma =
        grey.bands() == 1
            ? grey
            : keep(VipsOperation.of("extract_band").in(grey).set("band", 0).image());
    return keep(VipsOperation.of("cast").in(luma).set("format", "float").image());
  }

  private VipsImage blur(VipsImage in) {
    return keep(
        VipsOperation.of("gaussblur").in(in).set("sigma", SIGMA).set("precision", "float").image());
  }

  private VipsImage linear(VipsImage in, double a, double b) {
    return keep(
        VipsOperation.of("linear")
            .in(in)
            .set("a", new double[] {a})
            .set("b", new double[] {b})
            .image());
  }

  private VipsImage op(String name, VipsImage left, VipsImage right) {
    return keep(VipsOperation.of(name).set("left", left).set("right", right).image());
  }

  private VipsImage keep(VipsImage image) {
    return made.keep(image);
  }

  @Override
  public void close() {
    made.close();
  }
}
