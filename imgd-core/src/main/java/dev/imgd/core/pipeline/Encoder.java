package dev.imgd.core.pipeline;

import dev.imgd.core.ImageFormat;
import dev.imgd.core.plan.Plan;
import dev.imgd.vips.VipsImage;
import dev.imgd.vips.VipsOperation;

/** Encoders with the settings imgd uses for each output format. */
final class Encoder {
  private static final int MIN_QUALITY = 10;

  private Encoder() {}

  static byte[] encode(VipsImage image, Plan.Output out) {
    if (out.maxBytes() <= 0 || !lossy(out.format())) {
      return encodeOnce(image, out.format(), out.quality());
    }
    // Shrinking quality needs several encodes of the same pixels: render them once.
    try (VipsImage pixels = image.copyMemory()) {
      int quality = out.quality();
      byte[] best = encodeOnce(pixels, out.format(), quality);
      // As imgproxy: cut quality harder the further the result is from the budget.
      while (best.length > out.maxBytes() && quality > MIN_QUALITY) {
        double over = best.length / (double) out.maxBytes();
        quality = Math.max(MIN_QUALITY, (int) (quality * (over > 3 ? 0.25 : over > 1.5 ? 0.5 : 0.75)));
        best = encodeOnce(pixels, out.format(), quality);
      }
      return best;
    }
  }

  private static boolean lossy(ImageFormat f) {
    return f == ImageFormat.JPEG || f == ImageFormat.WEBP || f == ImageFormat.AVIF;
  }

  static byte[] encodeOnce(VipsImage image, ImageFormat format, int quality) {
    return switch (format) {
      case JPEG ->
          VipsOperation.of("jpegsave_buffer")
              .in(image)
              .set("Q", quality)
              .set("optimize_coding", true)
              .bytes();
      case PNG -> VipsOperation.of("pngsave_buffer").in(image).set("compression", 6).bytes();
      case WEBP -> VipsOperation.of("webpsave_buffer").in(image).set("Q", quality).bytes();
      case AVIF ->
          VipsOperation.of("heifsave_buffer")
              .in(image)
              .set("compression", "av1")
              .set("Q", quality)
              .set("effort", 4)
              .bytes();
      case GIF -> VipsOperation.of("gifsave_buffer").in(image).bytes();
      default -> throw new IllegalArgumentException(format + " cannot be written");
    };
  }
}
