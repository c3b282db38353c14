package dev.imgd.core.pipeline;

import dev.imgd.core.ImageFormat;
import dev.imgd.core.bmp.BmpDecoder;
import dev.imgd.core.bmp.BmpEncoder;
import dev.imgd.core.bmp.Dib;
import dev.imgd.core.bmp.Icon;
import dev.imgd.core.plan.Plan;
import dev.imgd.vips.VipsImage;
import dev.imgd.vips.VipsOperation;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The formats imgd decodes and encodes itself ({@link ImageFormat.Trait#OWN_CODEC}: BMP and ICO):
 * the pixels reach libvips from memory; an ICO's PNG entry goes to libvips' PNG loader.
 */
final class OwnCodec {
  private OwnCodec() {}

  /** The decoded source; {@code failOn} as for a libvips loader, for an ICO's PNG entry. */
  static VipsImage load(byte[] source, ImageFormat format, String failOn) {
    return switch (format) {
      case BMP -> decode(source, Dib.ofBmp(source));
      case ICO -> {
        Icon icon = Icon.largest(source);
        byte[] entry = icon.bytes(source);
        yield icon.png()
            ? VipsOperation.of("pngload_buffer")
                .set("buffer", entry)
                .set("access", "sequential")
                .set("fail_on", failOn)
                .image()
            : decode(entry, Dib.ofIcon(entry, 0));
      }
      default -> throw new IllegalArgumentException(format + " is not imgd's own codec");
    };
  }

  /**
   * Decodes row by row into native memory, which libvips copies: the pixels never sit whole on the
   * Java heap (a worker's is small), and native memory holds them twice, as the format's {@link
   * ImageFormat.Memory} counts.
   */
  private static VipsImage decode(byte[] data, Dib dib) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment pixels = arena.allocate(BmpDecoder.size(dib));
      BmpDecoder.decode(
          data,
          dib,
          (y, row) ->
              MemorySegment.copy(
                  row, 0, pixels, ValueLayout.JAVA_BYTE, (long) y * row.length, row.length));
      return VipsImage.fromPixels(pixels, dib.width(), dib.height(), dib.bands());
    }
  }

  /**
   * The image as a BMP file, or as an ICO holding one PNG: an ICO larger than 256x256 is shrunk to
   * fit first, as imgproxy does (the plan's result size, {@link Plan#resultWidth}).
   */
  static byte[] encode(VipsImage image, ImageFormat format) {
    if (format == ImageFormat.ICO) {
      int w = BmpEncoder.iconSide(image.width(), image.width(), image.height());
      int h = BmpEncoder.iconSide(image.height(), image.width(), image.height());
      if (w != image.width() || h != image.height()) {
        try (VipsImage fitted =
            VipsOperation.of("resize")
                .in(image)
                .set("scale", w / (double) image.width())
                .set("vscale", h / (double) image.height())
                .image()) {
          return encode(fitted, format);
        }
      }
    }
    int w = image.width();
    int h = image.height();
    try (VipsImage rgb = eightBitRgb(image)) {
      if (format == ImageFormat.BMP) {
        return BmpEncoder.bmp(rgb.pixels(), w, h, rgb.bands());
      }
      VipsOperation save = VipsOperation.of(format.saver().orElseThrow());
      format.saveOptions().forEach(save::set);
      byte[] png = save.set("strip", true).in(rgb).bytes();
      return BmpEncoder.icon(png, w, h, rgb.bands());
    }
  }

  /** 8-bit sRGB, with alpha if the image has it: what both files hold. */
  private static VipsImage eightBitRgb(VipsImage image) {
    try (VipsImage srgb = VipsOperation.of("colourspace").in(image).set("space", "srgb").image()) {
      return VipsOperation.of("cast").in(srgb).set("format", "uchar").image();
    }
  }
}
