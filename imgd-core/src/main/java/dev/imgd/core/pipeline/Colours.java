package dev.imgd.core.pipeline;

/** Background colours shaped to an image's bands. */
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
}
