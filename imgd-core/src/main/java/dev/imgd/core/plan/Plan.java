package dev.imgd.core.plan;

import dev.imgd.core.ImageFormat;
import java.io.Serializable;
import java.util.Objects;

/**
 * Everything the pipeline will do to one image, resolved before any pixel is decoded: an
 * immutable, serialisable value that can cross a process boundary to an isolated worker.
 *
 * <p>Geometry is in the oriented frame (after EXIF orientation and rotation), in full-resolution
 * source pixels; the pipeline scales it to the shrink-on-load image it actually gets.
 *
 * @param input probed input format
 * @param sourceWidth oriented width of one frame, full resolution
 * @param sourceHeight oriented height of one frame, full resolution
 * @param load how to call the loader
 * @param orientation EXIF orientation to undo (1 = none, also when auto-rotate is off)
 * @param rotate extra clockwise rotation: 0, 90, 180 or 270
 * @param flipHorizontal mirror left-right after rotation
 * @param flipVertical mirror top-bottom after rotation
 * @param trim trim borders before geometry (null: no trim); forces a full-resolution load
 * @param crop region of the oriented source kept before resizing (null: all of it)
 * @param resizedWidth width after resize, before the crop to the target box
 * @param resizedHeight height after resize
 * @param cropAfter region of the resized image kept (null: all of it)
 * @param smartCrop choose cropAfter's position by libvips attention instead of its x/y
 * @param blur gaussian blur sigma (0: none)
 * @param sharpen sharpen sigma (0: none)
 * @param pixelate pixelation block size (0 or 1: none)
 * @param extend canvas to embed the image in (null: none)
 * @param padding pixels added on each side after everything else (null: none)
 * @param background RGB(A) 0-255 for extended, padded and flattened areas
 * @param watermark (null: none)
 * @param output encoder and metadata settings
 * @param width expected width of the result (one frame)
 * @param height expected height of the result (one frame)
 * @param frames frames in the result
 * @param memoryEstimate estimated peak native bytes for this job
 */
public record Plan(
    ImageFormat input,
    int sourceWidth,
    int sourceHeight,
    Load load,
    int orientation,
    int rotate,
    boolean flipHorizontal,
    boolean flipVertical,
    Trim trim,
    Rect crop,
    int resizedWidth,
    int resizedHeight,
    Rect cropAfter,
    boolean smartCrop,
    double blur,
    double sharpen,
    int pixelate,
    Extend extend,
    Padding padding,
    double[] background,
    WatermarkPlan watermark,
    Output output,
    int width,
    int height,
    int frames,
    long memoryEstimate)
    implements Serializable {

  public Plan {
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(load, "load");
    Objects.requireNonNull(output, "output");
    background = background == null ? new double[] {0, 0, 0, 0} : background.clone();
    if (orientation < 1 || orientation > 8) {
      throw new IllegalArgumentException("orientation must be 1..8: " + orientation);
    }
    if (rotate % 90 != 0 || rotate < 0 || rotate > 270) {
      throw new IllegalArgumentException("rotate must be 0, 90, 180 or 270: " + rotate);
    }
    if (resizedWidth < 1 || resizedHeight < 1 || width < 1 || height < 1 || frames < 1) {
      throw new IllegalArgumentException(
          "empty geometry: resized " + resizedWidth + "x" + resizedHeight + ", out " + width + "x"
              + height + " x" + frames);
    }
  }

  @Override
  public double[] background() {
    return background.clone();
  }

  /** A rectangle in pixels. */
  public record Rect(int x, int y, int width, int height) implements Serializable {
    public Rect {
      if (x < 0 || y < 0 || width < 1 || height < 1) {
        throw new IllegalArgumentException("bad rectangle " + x + "," + y + " " + width + "x" + height);
      }
    }
  }

  /**
   * Loader call.
   *
   * @param shrink shrink-on-load factor (1, 2, 4 or 8): JPEG DCT scaling, WebP scale = 1/shrink
   * @param page first page or frame to load
   * @param pages pages or frames to load (-1: all)
   * @param failOnTruncated reject truncated or corrupt input (default); false = lenient
   */
  public record Load(int shrink, int page, int pages, boolean failOnTruncated)
      implements Serializable {
    public Load {
      if (shrink != 1 && shrink != 2 && shrink != 4 && shrink != 8) {
        throw new IllegalArgumentException("shrink must be 1, 2, 4 or 8: " + shrink);
      }
      if (page < 0 || pages == 0 || pages < -1) {
        throw new IllegalArgumentException("bad page range " + page + "+" + pages);
      }
    }
  }

  /** Border trim: pixels within threshold of the background are cut away. */
  public record Trim(double threshold, double[] colour, boolean equalHorizontal, boolean equalVertical)
      implements Serializable {}

  /** Embed the image at (x, y) in a canvas of the background colour. */
  public record Extend(int width, int height, int x, int y) implements Serializable {}

  public record Padding(int top, int right, int bottom, int left) implements Serializable {}

  /**
   * Watermark placement; the image itself is part of the engine's configuration.
   *
   * @param opacity 0..1 multiplier of the watermark's alpha
   * @param position compass gravity ("ce", "no", "soea"...) or "re" to replicate (tile)
   * @param x horizontal offset in pixels
   * @param y vertical offset in pixels
   * @param scale watermark width relative to the result's width (0: keep its size)
   */
  public record WatermarkPlan(double opacity, String position, int x, int y, double scale)
      implements Serializable {}

  /**
   * Encoder settings.
   *
   * @param format output format
   * @param quality encoder quality 1-100 (JPEG, WebP, AVIF)
   * @param stripMetadata drop EXIF, XMP and IPTC (GPS is dropped always)
   * @param keepCopyright keep the copyright notice when stripping
   * @param stripColourProfile drop the ICC profile after conversion to sRGB
   * @param maxBytes lower quality until the result fits (0: no limit)
   */
  public record Output(
      ImageFormat format,
      int quality,
      boolean stripMetadata,
      boolean keepCopyright,
      boolean stripColourProfile,
      long maxBytes)
      implements Serializable {
    public Output {
      Objects.requireNonNull(format, "format");
      if (!format.isOutput()) {
        throw new IllegalArgumentException(format + " cannot be written");
      }
      if (quality < 1 || quality > 100) {
        throw new IllegalArgumentException("quality must be 1..100: " + quality);
      }
    }
  }
}
