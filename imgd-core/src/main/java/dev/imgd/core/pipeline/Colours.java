package dev.imgd.core.pipeline;

import dev.imgd.core.options.Rgb;
import dev.imgd.vips.VipsImage;
import dev.imgd.vips.VipsOperation;

/** Colours shaped to an image: its bands, its depth (8 or 16 bits), grey or RGB. */
final class Colours {
  private Colours() {}

  /** RGBA 0-255 to as many values as the image has bands (grey, grey+alpha, RGB, RGBA). */
  static double[] forBands(double[] rgba, int bands) {
    double alpha = rgba.length > 3 ? rgba[3] : 255;
    return switch (bands) {
      case 1 -> new double[] {rgba[0]};
      case 2 -> new double[] {rgba[0], alpha};
      case 3 -> new double[] {rgba[0], rgba[1], rgba[2]};
      default -> new double[] {rgba[0], rgba[1], rgba[2], alpha};
    };
  }

  /** 8-bit sample values in the image's own range: 16-bit images take 0-65535. */
  static double[] scaled(double[] values, VipsImage img) {
    double scale = maxAlpha(img) / 255;
    double[] v = values.clone();
    for (int i = 0; i < v.length; i++) {
      v[i] *= scale;
    }
    return v;
  }

  /** The opaque alpha value (the largest sample) of the image's depth. */
  static double maxAlpha(VipsImage img) {
    return "ushort".equals(img.format()) ? 65535 : 255;
  }

  static boolean neutral(Rgb c) {
    return c.r() == c.g() && c.g() == c.b();
  }

  /**
   * The image, as RGB if it is greyscale and {@code fill} is a colour a greyscale cannot show
   * (imgproxy does the same before it flattens); its depth is kept.
   */
  static VipsImage toShow(VipsImage in, Rgb fill) {
    if (in.bands() > 2 || neutral(fill)) {
      return in.share();
    }
    String space = "ushort".equals(in.format()) ? "rgb16" : "srgb";
    return VipsOperation.of("colourspace").in(in).set("space", space).image();
  }
}
