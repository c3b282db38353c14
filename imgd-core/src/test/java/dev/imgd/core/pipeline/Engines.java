package dev.imgd.core.pipeline;

import dev.imgd.core.Imgd;
import dev.imgd.testkit.Fixtures;
import dev.imgd.vips.VipsImage;
import dev.imgd.vips.VipsOperation;

/** One engine for the test JVM (libvips is process-wide), and pixel comparison helpers. */
final class Engines {
  private static Imgd engine;

  private Engines() {}

  static synchronized Imgd engine() {
    if (engine == null) {
      engine = Imgd.builder().threads(4).watermark(Fixtures.bytes("with-alpha.png")).build();
    }
    return engine;
  }

  static VipsImage decode(byte[] bytes) {
    engine();
    String loader =
        switch (bytes[0] & 0xff) {
          case 0xff -> "jpegload_buffer";
          case 0x89 -> "pngload_buffer";
          case 'G' -> "gifload_buffer";
          case 'R' -> "webpload_buffer";
          default -> "heifload_buffer";
        };
    return VipsOperation.of(loader).set("buffer", bytes).image();
  }

  /**
   * Mean CIEDE2000 colour difference between two images of the same size, alpha flattened on white:
   * under 1 is invisible, 1-2 visible only side by side (FM-21).
   */
  static double meanDeltaE(byte[] a, byte[] b) {
    try (VipsImage x = flat(decode(a));
        VipsImage y = flat(decode(b))) {
      if (x.width() != y.width() || x.height() != y.height()) {
        return Double.POSITIVE_INFINITY;
      }
      try (VipsImage lx = VipsOperation.of("colourspace").in(x).set("space", "lab").image();
          VipsImage ly = VipsOperation.of("colourspace").in(y).set("space", "lab").image();
          VipsImage d = VipsOperation.of("dE00").set("left", lx).set("right", ly).image();
          var avg = VipsOperation.of("avg").in(d).call("out")) {
        return avg.doubleValue("out");
      }
    }
  }

  private static VipsImage flat(VipsImage in) {
    try (in) {
      VipsImage srgb =
          in.bands() < 3
              ? VipsOperation.of("colourspace").in(in).set("space", "srgb").image()
              : in.share();
      if (!srgb.hasAlpha()) {
        return srgb;
      }
      try (srgb) {
        return VipsOperation.of("flatten")
            .in(srgb)
            .set("background", new double[] {255, 255, 255})
            .image();
      }
    }
  }
}
