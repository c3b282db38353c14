package dev.imgd.core.pipeline;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImageFormat;
import dev.imgd.core.ImgdException;
import dev.imgd.core.bmp.BmpDecoder;
import dev.imgd.core.bmp.BmpEncoder;
import dev.imgd.core.bmp.Icon;
import dev.imgd.vips.VipsImage;
import dev.imgd.vips.VipsOperation;

/**
 * The formats imgd decodes and encodes itself ({@link ImageFormat.Trait#OWN_CODEC}: BMP and ICO):
 * the pixels reach libvips from memory; an ICO's PNG entry goes to libvips' PNG loader.
 */
final class OwnCodec {
  private OwnCodec() {}

  /** The decoded source; {@code failOn} as for a libvips loader, for an ICO's PNG entry. */
  static VipsImage load(byte[] source, ImageFormat format, String failOn) {
    BmpDecoder.Pixels p;
    switch (format) {
      case BMP -> p = BmpDecoder.bmp(source);
      case ICO -> {
        Icon icon = Icon.largest(source);
        byte[] entry = icon.bytes(source);
        if (icon.png()) {
          return VipsOperation.of("pngload_buffer")
              .set("buffer", entry)
              .set("access", "sequential")
              .set("fail_on", failOn)
              .image();
        }
        p = BmpDecoder.iconBitmap(entry);
      }
      default -> throw new IllegalArgumentException(format + " is not imgd's own codec");
    }
    return VipsImage.fromPixels(p.data(), p.width(), p.height(), p.bands());
  }

  /** The image as a BMP file, or as an ICO holding one PNG (at most 256 a side, as imgproxy). */
  static byte[] encode(VipsImage image, ImageFormat format) {
    int w = image.width();
    int h = image.height();
    if (format == ImageFormat.ICO
        && (w > BmpEncoder.MAX_ICON_SIDE || h > BmpEncoder.MAX_ICON_SIDE)) {
      // imgproxy shrinks the result to fit; imgd answers the size that was asked for, or says no.
      throw new ImgdException(
          ErrorCode.BAD_OPTIONS,
          "an ICO image is at most 256x256, this result would be %dx%d: ask for a smaller size"
              .formatted(w, h));
    }
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
