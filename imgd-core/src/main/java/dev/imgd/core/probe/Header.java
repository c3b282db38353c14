package dev.imgd.core.probe;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImageFormat;
import dev.imgd.core.ImgdException;
import dev.imgd.core.Limits;
import org.jspecify.annotations.Nullable;

/**
 * What a format reader has seen so far; becomes a {@link ProbeResult}. When limits are given, each
 * frame rectangle is checked as soon as it is read, so the error names the frame and a flood of
 * frames stops early.
 */
final class Header {
  /** How far compressed metadata is inflated to measure it when no limit says otherwise. */
  static final long DEFAULT_METADATA_CAP = 16L << 20;

  final ImageFormat format;
  private final @Nullable Limits limits;

  long width;
  long height;
  int frames = 1;
  int orientation = 1;
  boolean progressive;
  int scans;
  long iccBytes;
  long exifBytes;
  long xmpBytes;
  long textBytes;
  boolean hasAlpha;
  boolean animated;
  boolean hasGps;
  int bitsPerSample = 8;
  int bands = 3;
  String colourSpace = "srgb";
  ProbeResult.@Nullable Thumbnail thumbnail;

  Header(ImageFormat format, @Nullable Limits limits) {
    this.format = format;
    this.limits = limits;
  }

  /**
   * How many more bytes of one kind of compressed metadata are worth inflating, given {@code
   * counted} so far: the budget covers all chunks of that kind together, so a thousand small zlib
   * bombs cost no more than one.
   */
  long inflateBudget(long counted) {
    long cap = limits == null ? DEFAULT_METADATA_CAP : limits.maxMetadataBytes() + 1L;
    return Math.max(0, cap - counted);
  }

  /** Checks one frame's rectangle against the limits, if any; {@code index} counts from 1. */
  void frame(int index, long frameWidth, long frameHeight) {
    size("frame " + index, frameWidth, frameHeight);
  }

  /** Checks a declared size ("frame 3", "an item") against the limits, if any. */
  void size(String what, long width, long height) {
    if (limits == null) {
      return;
    }
    long pixels = ProbeResult.saturatedMultiply(width, height);
    if (pixels > limits.maxSourcePixels()) {
      throw limit(
          "%s is %dx%d (%d px), over the %d px limit",
          what, width, height, pixels, limits.maxSourcePixels());
    }
    if (Math.max(width, height) > limits.maxSourceSide()) {
      throw limit(
          "%s is %dx%d, over the %d px side limit", what, width, height, limits.maxSourceSide());
    }
  }

  /** Takes EXIF orientation and GPS from a parsed TIFF structure. */
  void exif(Tiff.Tags info) {
    if (info.orientation >= 1 && info.orientation <= 8) {
      orientation = info.orientation;
    }
    hasGps |= info.hasGps;
  }

  ProbeResult toResult() {
    boolean raster = !format.isVector();
    if (raster && (width <= 0 || height <= 0)) {
      throw new ImgdException(
          ErrorCode.CORRUPT_IMAGE, "%s is %dx%d, an empty image".formatted(format, width, height));
    }
    if (width > Integer.MAX_VALUE || height > Integer.MAX_VALUE) {
      throw limit("%s is %dx%d, too large to represent", format, width, height);
    }
    return new ProbeResult(
        format,
        (int) width,
        (int) height,
        Math.max(frames, 1),
        orientation,
        progressive,
        scans,
        iccBytes,
        exifBytes,
        xmpBytes,
        hasAlpha,
        animated,
        hasGps,
        Math.max(bitsPerSample, 1),
        Math.max(bands, 1),
        colourSpace,
        textBytes,
        thumbnail);
  }

  // @FormatMethod would need error_prone_annotations, which the product does not depend on.
  @SuppressWarnings("AnnotateFormatMethod")
  static ImgdException limit(String format, Object... args) {
    return new ImgdException(ErrorCode.LIMIT_EXCEEDED, format.formatted(args));
  }
}
