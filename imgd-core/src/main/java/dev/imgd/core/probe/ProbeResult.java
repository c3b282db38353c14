package dev.imgd.core.probe;

import dev.imgd.core.ImageFormat;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What the {@link Probe} read from an image's header, before any decoder ran.
 *
 * <p>Compressed PNG metadata (iCCP, zTXt, compressed iTXt) is measured by inflating it, each kind
 * only up to the metadata limit plus one byte (16 MB without limits), so such sizes saturate there.
 *
 * <p>Sizes describe what the decoder will allocate, not necessarily what the header calls the
 * canvas: for GIF the canvas is the union of the logical screen and every frame rectangle. SVG and
 * PDF are recognised but not measured: their width and height are 0.
 *
 * @param format the format recognised from the magic number
 * @param width canvas width in pixels (0 if unknown: SVG, PDF)
 * @param height canvas height in pixels (0 if unknown: SVG, PDF)
 * @param frames frames the decoder loads: animation frames for GIF and WebP; 1 otherwise, including
 *     APNG (libvips loads only its default image) and multi-page TIFF/HEIF (one page by default)
 * @param orientation EXIF orientation 1-8 (1 when absent or out of range)
 * @param progressive a progressive JPEG or an interlaced PNG
 * @param scans JPEG SOS segments (0 for other formats)
 * @param iccBytes ICC profile size summed over its parts (PNG: inflated)
 * @param exifBytes EXIF size summed over its segments
 * @param xmpBytes XMP size summed over its parts (PNG: inflated)
 * @param hasAlpha an alpha channel or transparency is declared
 * @param animated the file is an animation (GIF with more than one frame, animated WebP, APNG)
 * @param hasGps the EXIF carries a GPS IFD pointer
 * @param bitsPerSample bits per sample as stored (e.g. 8, 12, 16)
 * @param bands bands the decoder produces (animated WebP always 4)
 * @param colourSpace best effort: "srgb", "grey", "cmyk", "ycck", "lab" or "unknown"
 * @param textBytes PNG tEXt/zTXt/iTXt text other than XMP (inflated)
 * @param thumbnail the thumbnail embedded for the primary image (HEIC, AVIF), or null
 */
public record ProbeResult(
    ImageFormat format,
    int width,
    int height,
    int frames,
    int orientation,
    boolean progressive,
    int scans,
    long iccBytes,
    long exifBytes,
    long xmpBytes,
    boolean hasAlpha,
    boolean animated,
    boolean hasGps,
    int bitsPerSample,
    int bands,
    String colourSpace,
    long textBytes,
    @Nullable Thumbnail thumbnail) {

  public ProbeResult {
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(colourSpace, "colourSpace");
    if (width < 0 || height < 0 || frames < 1 || scans < 0 || bands < 1 || bitsPerSample < 1) {
      throw new IllegalArgumentException(
          "bad sizes: %dx%d, %d frames, %d scans, %d bands, %d bits"
              .formatted(width, height, frames, scans, bands, bitsPerSample));
    }
    if (orientation < 1 || orientation > 8) {
      throw new IllegalArgumentException("orientation must be 1-8: " + orientation);
    }
    if (iccBytes < 0 || exifBytes < 0 || xmpBytes < 0 || textBytes < 0) {
      throw new IllegalArgumentException("metadata sizes must be >= 0");
    }
  }

  /** This result with the size a vector loader measured (SVG, PDF: at 72 dpi, scale 1). */
  public ProbeResult withMeasuredSize(int measuredWidth, int measuredHeight) {
    return sized(measuredWidth, measuredHeight, thumbnail);
  }

  /**
   * This result as the embedded thumbnail: its size, and no thumbnail of its own. What the decoder
   * loads when asked for the thumbnail (libvips heifload's {@code thumbnail}).
   */
  public ProbeResult asThumbnail() {
    Thumbnail t = Objects.requireNonNull(thumbnail, "thumbnail");
    return sized(t.width(), t.height(), null);
  }

  private ProbeResult sized(int w, int h, @Nullable Thumbnail t) {
    return new ProbeResult(
        format,
        w,
        h,
        frames,
        orientation,
        progressive,
        scans,
        iccBytes,
        exifBytes,
        xmpBytes,
        hasAlpha,
        animated,
        hasGps,
        bitsPerSample,
        bands,
        colourSpace,
        textBytes,
        t);
  }

  /**
   * An image embedded to stand for the primary one, smaller (HEIF's 'thmb' item).
   *
   * @param width displayed width in pixels, at most the primary's
   * @param height displayed height in pixels, at most the primary's
   * @param codec its item type: "hvc1", "av01", "grid" (tiles), ...
   */
  public record Thumbnail(int width, int height, String codec) {
    public Thumbnail {
      Objects.requireNonNull(codec, "codec");
      if (width < 1 || height < 1) {
        throw new IllegalArgumentException("bad thumbnail size: %dx%d".formatted(width, height));
      }
    }
  }

  /** True unless the format is measured by another component (SVG, PDF). */
  public boolean hasKnownSize() {
    return width > 0 && height > 0;
  }

  /** Pixels in one frame: width x height. */
  public long pixels() {
    return (long) width * height;
  }

  /**
   * Bytes the decoder needs to hold every frame uncompressed: width x height x bands x bytes per
   * sample x frames, saturating at {@link Long#MAX_VALUE}.
   */
  public long estimatedDecodeBytes() {
    long bytesPerSample = (bitsPerSample + 7L) / 8;
    return saturatedMultiply(
        saturatedMultiply(saturatedMultiply(pixels(), bands), bytesPerSample), frames);
  }

  static long saturatedMultiply(long a, long b) {
    long high = Math.multiplyHigh(a, b);
    long low = a * b;
    return (high == 0 && low >= 0) ? low : Long.MAX_VALUE;
  }
}
