package dev.imgd.core.pipeline;

import dev.imgd.core.ImageFormat;
import dev.imgd.core.plan.Plan;
import dev.imgd.vips.Vips;
import dev.imgd.vips.VipsImage;
import dev.imgd.vips.VipsOperation;

/** Encoders with the settings imgd uses for each output format. */
final class Encoder {
  private static final int MIN_QUALITY = 10;

  private Encoder() {}

  static byte[] encode(VipsImage image, Plan.Output out) {
    if (out.maxBytes() <= 0 || !lossy(out.format())) {
      return encodeOnce(image, out, out.quality());
    }
    // Shrinking quality needs several encodes of the same pixels: render them once.
    try (VipsImage pixels = image.copyMemory()) {
      int quality = out.quality();
      byte[] best = encodeOnce(pixels, out, quality);
      // As imgproxy: cut quality harder the further the result is from the budget.
      while (best.length > out.maxBytes() && quality > MIN_QUALITY) {
        double over = best.length / (double) out.maxBytes();
        quality =
            Math.max(MIN_QUALITY, (int) (quality * (over > 3 ? 0.25 : over > 1.5 ? 0.5 : 0.75)));
        best = encodeOnce(pixels, out, quality);
      }
      return best;
    }
  }

  private static boolean lossy(ImageFormat f) {
    return f == ImageFormat.JPEG || f == ImageFormat.WEBP || f == ImageFormat.AVIF;
  }

  static byte[] encodeOnce(VipsImage image, Plan.Output out, int quality) {
    VipsOperation save =
        switch (out.format()) {
          case JPEG ->
              VipsOperation.of("jpegsave_buffer").set("Q", quality).set("optimize_coding", true);
          case PNG -> VipsOperation.of("pngsave_buffer").set("compression", 6);
          case WEBP -> VipsOperation.of("webpsave_buffer").set("Q", quality);
          case AVIF ->
              VipsOperation.of("heifsave_buffer")
                  .set("compression", "av1")
                  .set("Q", quality)
                  .set("effort", 4);
          case GIF -> VipsOperation.of("gifsave_buffer");
          default -> throw new IllegalArgumentException(out.format() + " cannot be written");
        };
    keep(save, out);
    return save.in(image).bytes();
  }

  /**
   * Savers add metadata of their own (an EXIF block with the resolution) unless told to keep none:
   * libvips 8.15 and later take "keep" flags, 8.14 only the all-or-nothing "strip".
   */
  private static void keep(VipsOperation save, Plan.Output out) {
    if (!out.stripMetadata()) {
      return; // what survived Steps.metadata (never GPS) is written
    }
    int[] v = Vips.versionNumbers();
    if (v[0] > 8 || v[1] >= 15) {
      save.set("keep", out.stripColourProfile() ? "none" : "icc");
    } else if (out.stripColourProfile()) {
      save.set("strip", true);
    }
  }
}
