package dev.imgd.core.plan;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImageFormat;
import dev.imgd.core.ImgdException;
import dev.imgd.core.bmp.BmpEncoder;
import dev.imgd.core.options.Geometry;
import dev.imgd.core.options.Options;
import dev.imgd.core.options.ResizePlan;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Everything the pipeline will do to one image, resolved from the options and the probe before any
 * pixel is decoded: an immutable, serialisable value that can cross a process boundary to an
 * isolated worker together with the source bytes.
 *
 * @param options the processing options (filters, background, watermark, flips come from here)
 * @param input the probed input format
 * @param orientation the EXIF orientation to undo (1 when there is none or auto-rotate is off)
 * @param load how to call the loader: shrink-on-load factor, pages, strictness
 * @param geometry every size and offset, in the oriented frame, for full-resolution source pixels
 * @param output encoder and metadata settings
 * @param frames frames the result will have
 * @param memoryEstimate estimated peak native bytes of this job (see {@link MemoryModel})
 * @param resultLimit the largest result allowed: a trim decides its size in the run, and the run
 *     checks the trimmed geometry against it
 * @param earlierPasses the plans of a chained pipeline's passes before this one, first to last
 *     (empty for one pass): the first loads the source, each later one works on the result of the
 *     one before, held in memory (orientation 1), and this, the last, encodes. The memory estimate
 *     and the frames are the whole chain's.
 */
public record Plan(
    Options options,
    ImageFormat input,
    int orientation,
    Load load,
    ResizePlan geometry,
    Output output,
    int frames,
    long memoryEstimate,
    ResultLimit resultLimit,
    List<Plan> earlierPasses)
    implements Serializable {

  public Plan {
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(load, "load");
    Objects.requireNonNull(geometry, "geometry");
    Objects.requireNonNull(output, "output");
    Objects.requireNonNull(resultLimit, "resultLimit");
    if (orientation < 1 || orientation > 8) {
      throw new IllegalArgumentException("orientation must be 1..8: " + orientation);
    }
    if (frames < 1) {
      throw new IllegalArgumentException("frames must be >= 1: " + frames);
    }
    earlierPasses = List.copyOf(earlierPasses);
  }

  /** Every pass, first to last: the earlier passes, then this one. */
  public List<Plan> passes() {
    List<Plan> all = new ArrayList<>(earlierPasses);
    all.add(this);
    return List.copyOf(all);
  }

  /**
   * Whether a source deeper than 8 bits keeps 16 bits through the run: preserve_hdr asked for and
   * an output format that can hold them, as imgproxy; otherwise the run is 8-bit.
   */
  public boolean keepsHighDepth() {
    return keepsHighDepth(options, output.format());
  }

  static boolean keepsHighDepth(Options options, ImageFormat output) {
    return options.colour().preserveHdr() && output.has(ImageFormat.Trait.HIGH_DEPTH);
  }

  /** The one turn-and-mirror that orientation, rotate and flips compose to. */
  public Orientation turn() {
    Orientation t = Orientation.ofExif(orientation).thenRotate(options.rotate());
    if (options.flipHorizontal()) {
      t = t.thenMirror();
    }
    if (options.flipVertical()) {
      t = t.thenFlipVertical();
    }
    return t;
  }

  /**
   * The width of the encoded result of {@code g} (the plan's geometry, or the one a trim led to):
   * g's, or an ICO's shrunk to fit 256x256, as imgproxy shrinks it.
   */
  public int resultWidth(ResizePlan g) {
    return output.format() == ImageFormat.ICO
        ? BmpEncoder.iconSide(g.width(), g.width(), g.height())
        : g.width();
  }

  /** The height of the encoded result of {@code g}: see {@link #resultWidth}. */
  public int resultHeight(ResizePlan g) {
    return output.format() == ImageFormat.ICO
        ? BmpEncoder.iconSide(g.height(), g.width(), g.height())
        : g.height();
  }

  /**
   * The geometry for the source once trimmed to {@code rawWidth x rawHeight} (still unturned, as
   * loaded): trim finds its box in the pixels, so the run asks for its geometry here.
   */
  public ResizePlan geometryAfterTrim(int rawWidth, int rawHeight) {
    boolean swap = turn().swapsAxes();
    return geometryFor(swap ? rawHeight : rawWidth, swap ? rawWidth : rawHeight);
  }

  /**
   * The geometry of a run whose source measured {@code width x height} once oriented (and trimmed):
   * the plan's own unless it trims. A trimmed size is checked to fit in the source, and the
   * geometry it leads to against the result limit, since a smaller source can give a larger result
   * (enlarge, min-width). This is how the server verifies a worker's trimmed result.
   *
   * @throws ImgdException {@link ErrorCode#OUTPUT_INVALID} for a size this plan cannot lead to,
   *     {@link ErrorCode#LIMIT_EXCEEDED} for a trimmed result over the limit
   */
  public ResizePlan geometryFor(int width, int height) {
    if (width == geometry.sourceWidth() && height == geometry.sourceHeight()) {
      return geometry;
    }
    if (!options.crop().trim().enabled()
        || frames != 1
        || width < 1
        || height < 1
        || width > geometry.sourceWidth()
        || height > geometry.sourceHeight()) {
      throw new ImgdException(
          ErrorCode.OUTPUT_INVALID,
          "output failed verification: a source of "
              + width
              + "x"
              + height
              + " cannot come from this plan");
    }
    ResizePlan trimmed = Geometry.plan(options, width, height, orientation, false, 0);
    resultLimit.check(trimmed);
    return trimmed;
  }

  /**
   * The largest result allowed.
   *
   * @param maxSide the longest side
   * @param maxPixels width x height
   */
  public record ResultLimit(int maxSide, long maxPixels) implements Serializable {
    public ResultLimit {
      if (maxSide < 1 || maxPixels < 1) {
        throw new IllegalArgumentException("result limits must be positive");
      }
    }

    /**
     * Refuses a geometry whose result, or the resized image it is cut from, passes the limit
     * ({@link ErrorCode#LIMIT_EXCEEDED}): a crop to the result does not make a huge resize cheap
     * ({@code mw:1/mh:2147483647/rs:fit:1:1} resizes a 1 px wide image 2^31 px tall first).
     */
    public void check(ResizePlan g) {
      check("result", g.width(), g.height());
      check("resized image", g.resizedWidth(), g.resizedHeight());
    }

    private void check(String what, int width, int height) {
      if (width > maxSide || height > maxSide || (long) width * height > maxPixels) {
        throw new ImgdException(
            ErrorCode.LIMIT_EXCEEDED,
            "the "
                + what
                + " would be "
                + width
                + "x"
                + height
                + ", over the result limit of "
                + maxSide
                + " px a side and "
                + maxPixels
                + " px");
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
   * @param scale render scale of a vector input (SVG, PDF at 72 dpi); 1 for raster inputs
   * @param thumbnail load the thumbnail embedded for the primary image (HEIC, AVIF:
   *     enforce_thumbnail when the probe found one) instead of the image
   */
  public record Load(
      int shrink, int page, int pages, boolean failOnTruncated, double scale, boolean thumbnail)
      implements Serializable {
    public Load {
      if (!(scale > 0) || scale > 1000) {
        throw new IllegalArgumentException("scale must be in (0, 1000]: " + scale);
      }
      if (shrink != 1 && shrink != 2 && shrink != 4 && shrink != 8) {
        throw new IllegalArgumentException("shrink must be 1, 2, 4 or 8: " + shrink);
      }
      if (page < 0 || pages == 0 || pages < -1) {
        throw new IllegalArgumentException("bad page range " + page + "+" + pages);
      }
    }
  }

  /**
   * Encoder settings.
   *
   * @param format output format
   * @param quality encoder quality 1-100 (JPEG, WebP, AVIF)
   * @param stripMetadata drop EXIF, XMP and IPTC (GPS is dropped always)
   * @param stripColourProfile drop the ICC profile after conversion to sRGB
   * @param maxBytes lower quality until the result fits (0: no limit)
   */
  public record Output(
      ImageFormat format,
      int quality,
      boolean stripMetadata,
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
      if (maxBytes < 0) {
        throw new IllegalArgumentException("maxBytes must be >= 0: " + maxBytes);
      }
    }
  }
}
