package dev.imgd.core.probe;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImageFormat;
import dev.imgd.core.ImgdException;
import dev.imgd.core.Limits;
import dev.imgd.core.bmp.Icon;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A pure-Java header probe that runs before any byte reaches a decoder (FM-01, FM-11, FM-17).
 *
 * <p>Only allow-listed magic numbers are recognised: JPEG, PNG (IHDR first), GIF87a/89a, RIFF WEBP
 * (VP8, VP8L, VP8X), ISO-BMFF with HEIF or AVIF brands, TIFF, JPEG XL, BMP, ICO, and, recognised
 * but not measured, SVG and PDF. Anything else, gzip and XML included, is refused with {@link
 * ErrorCode#UNSUPPORTED_FORMAT}. Whether a recognised format is accepted is for the caller to say.
 *
 * <p>The probe never reads past the data (a short or garbled header is {@link
 * ErrorCode#CORRUPT_IMAGE}), every loop advances through the data or is bounded, and it allocates
 * at most a few kilobytes whatever the header claims. Data truncated after the header still probes:
 * the decoder rejects it later.
 */
public final class Probe {
  private static final String PNG = "\u0089PNG\r\n\u001a\n";

  /**
   * Well-known magic numbers of refused data, each with the name the error message gives it; the
   * first whose prefix the data starts with wins.
   */
  private static final List<Map.Entry<String, String>> REFUSED =
      List.of(
          Map.entry("\u001f\u008b", "gzip data"),
          Map.entry("PK\u0003\u0004", "zip data"),
          Map.entry("II+\0", "BigTIFF data"),
          Map.entry("MM\0+", "BigTIFF data"),
          Map.entry("\0\0\0\u000cjP  ", "JPEG 2000 data"),
          Map.entry("8BPS", "Photoshop data"),
          Map.entry("RIFF", "RIFF data"),
          Map.entry("\u007fELF", "an executable"),
          Map.entry("MZ", "an executable"));

  private Probe() {}

  /**
   * Reads the header of an image.
   *
   * @throws ImgdException UNSUPPORTED_FORMAT for data that is not an allow-listed format,
   *     CORRUPT_IMAGE for empty data or a header that cannot be read
   */
  public static ProbeResult read(byte[] data) {
    Objects.requireNonNull(data, "data");
    return guarded(data, null);
  }

  /**
   * Reads the header of an image and enforces {@code limits} on it: every frame's pixels and
   * longest side, the number of frames, frames x pixels, a lower pixel cap for progressive JPEG,
   * the number of JPEG scans, and the size of each of ICC, EXIF, XMP and PNG text. SVG and PDF,
   * whose size the probe does not know, are checked only for metadata.
   *
   * @throws ImgdException as {@link #read}, or LIMIT_EXCEEDED naming the limit and the values
   */
  public static ProbeResult check(byte[] data, Limits limits) {
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(limits, "limits");
    return guarded(data, limits);
  }

  private static ProbeResult guarded(byte[] data, @Nullable Limits limits) {
    try {
      return unguarded(data, limits);
    } catch (IndexOutOfBoundsException | ArithmeticException | IllegalArgumentException e) {
      // A reader bug must not escape as a server error; the fuzz test calls unguarded().
      throw new ImgdException(ErrorCode.CORRUPT_IMAGE, "the image header cannot be read", e);
    }
  }

  /** The probe, and the limits unless null, without the safety net: for the fuzz test. */
  static ProbeResult unguarded(byte[] data, @Nullable Limits limits) {
    if (data.length == 0) {
      throw new ImgdException(ErrorCode.CORRUPT_IMAGE, "empty input");
    }
    ImageFormat format = sniff(data);
    Header h = new Header(format, limits);
    ByteReader r = new ByteReader(data, format.name());
    switch (format) {
      case JPEG -> JpegReader.read(r, h);
      case PNG -> PngReader.read(r, h);
      case GIF -> GifReader.read(r, h);
      case WEBP -> WebpReader.read(r, h);
      case AVIF, HEIC -> BmffReader.read(r, h);
      case TIFF -> Tiff.read(r, h);
      case JXL -> JxlReader.read(r, h);
      case BMP -> BitmapReader.bmp(r, h);
      case ICO -> BitmapReader.ico(r, h);
      case SVG, PDF -> { // libvips renders both as RGBA: with no format asked, the result is PNG
        h.bands = 4;
        h.hasAlpha = true;
      }
    }
    ProbeResult result = h.toResult();
    if (limits != null) {
      enforce(result, limits);
    }
    return result;
  }

  private static ImageFormat sniff(byte[] data) {
    if (startsWith(data, "\u00ff\u00d8")) {
      return ImageFormat.JPEG;
    }
    if (startsWith(data, PNG)) {
      return ImageFormat.PNG;
    }
    if (startsWith(data, "GIF87a") || startsWith(data, "GIF89a")) {
      return ImageFormat.GIF;
    }
    if (startsWith(data, "RIFF") && new ByteReader(data, "RIFF").matches(8, "WEBP")) {
      return ImageFormat.WEBP;
    }
    ByteReader bmff = new ByteReader(data, "HEIF");
    if (bmff.matches(4, "ftyp")) {
      return BmffReader.format(bmff);
    }
    if (startsWith(data, "II*\0") || startsWith(data, "MM\0*")) {
      return ImageFormat.TIFF;
    }
    if (JxlReader.sniff(new ByteReader(data, "JXL"))) {
      return ImageFormat.JXL;
    }
    if (startsWith(data, "BM")) {
      return ImageFormat.BMP;
    }
    if (Icon.sniff(data)) {
      return ImageFormat.ICO;
    }
    if (startsWith(data, "%PDF-")) {
      return ImageFormat.PDF;
    }
    if (Text.isSvg(data)) {
      return ImageFormat.SVG;
    }
    throw new ImgdException(
        ErrorCode.UNSUPPORTED_FORMAT, describe(data) + " is not an accepted image format");
  }

  private static void enforce(ProbeResult p, Limits limits) {
    if (p.hasKnownSize()) {
      String size = "%s is %dx%d".formatted(p.format(), p.width(), p.height());
      if (p.pixels() > limits.maxSourcePixels()) {
        throw Header.limit(
            "%s (%d px), over the %d px limit", size, p.pixels(), limits.maxSourcePixels());
      }
      if (Math.max(p.width(), p.height()) > limits.maxSourceSide()) {
        throw Header.limit("%s, over the %d px side limit", size, limits.maxSourceSide());
      }
      if (p.frames() > limits.maxFrames()) {
        throw Header.limit(
            "%s has %d frames, over the %d frame limit",
            p.format(), p.frames(), limits.maxFrames());
      }
      long total = ProbeResult.saturatedMultiply(p.frames(), p.pixels());
      if (total > limits.maxTotalPixels()) {
        throw Header.limit(
            "%s has %d frames of %dx%d (%d px in all), over the %d px total limit",
            p.format(), p.frames(), p.width(), p.height(), total, limits.maxTotalPixels());
      }
      if (p.format() == ImageFormat.JPEG
          && p.progressive()
          && p.pixels() > limits.maxProgressivePixels()) {
        throw Header.limit(
            "progressive %s (%d px), over the %d px progressive limit",
            size, p.pixels(), limits.maxProgressivePixels());
      }
    }
    if (p.scans() > limits.maxProgressiveScans()) {
      throw Header.limit(
          "%s has %d scans, over the %d scan limit",
          p.format(), p.scans(), limits.maxProgressiveScans());
    }
    metadata("ICC profile", p.iccBytes(), limits);
    metadata("EXIF", p.exifBytes(), limits);
    metadata("XMP", p.xmpBytes(), limits);
    metadata("text metadata", p.textBytes(), limits);
  }

  private static void metadata(String what, long bytes, Limits limits) {
    if (bytes > limits.maxMetadataBytes()) {
      throw Header.limit(
          "%s is %d bytes, over the %d byte metadata limit",
          what, bytes, limits.maxMetadataBytes());
    }
  }

  private static boolean startsWith(byte[] data, String magic) {
    return new ByteReader(data, "").matches(0, magic);
  }

  /** Names refused data for the error message. */
  private static String describe(byte[] data) {
    for (Map.Entry<String, String> magic : REFUSED) {
      if (startsWith(data, magic.getKey())) {
        return magic.getValue();
      }
    }
    String markup = Text.markup(data);
    if (markup != null) {
      return markup;
    }
    int n = Math.min(data.length, 8);
    return "data starting " + HexFormat.ofDelimiter(" ").formatHex(data, 0, n);
  }
}
