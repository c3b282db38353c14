package dev.imgd.core.options;

import dev.imgd.core.ImageFormat;
import dev.imgd.core.Limits;
import java.io.Serializable;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Every processing option of an imgproxy-style request, immutable, with imgproxy's defaults, in
 * records grouped by concern; each group checks its values where it is built. Build one with {@link
 * #builder()}, parse one with {@link OptionsParser}, or derive variants with {@link #toBuilder()}.
 * A value is read through its group ({@code options.output().quality()}); the values {@link
 * Geometry} plans with, and the optional ones as {@link Optional}, also have a shortcut ({@link
 * #width()}, {@link #format()}, ...).
 *
 * <p>Sizes are in CSS pixels: {@link #dpr()} and {@link #zoomX()}/{@link #zoomY()} scale them when
 * the {@link Geometry} is planned. {@link #canonical()} is a stable cache key covering every field
 * that changes the encoded image, written as {@link OptionTable} says.
 *
 * <p>Instances are {@link Serializable} so that they can cross a process boundary.
 *
 * @param resize the box the image is fitted into
 * @param scale factors on the requested sizes
 * @param canvas room added around the image: extending to the box or aspect ratio, and padding
 * @param crop where the image is cut: the gravity, the pre-resize crop and border trimming
 * @param orientation how the image is turned: EXIF orientation, rotation and mirroring
 * @param effects what is painted: the background, blur, sharpening and pixelation
 * @param watermark watermark placement
 * @param metadata what of the source's metadata the output keeps
 * @param output how the result is encoded
 * @param input how the source is read: which page or frames, and whether it is processed at all
 * @param response what only shapes the response or the cache key, not the image
 * @param security the request's own, tighter limits (imgproxy's security options)
 * @param encoding how each output format's saver is tuned and how the quality is chosen
 * @param earlierPasses the passes of a chained pipeline ({@code /-/}, imgproxy Pro) that run before
 *     this one, first to last, each on the result of the one before and without a chain of its own;
 *     empty for the usual single pass. The output options are this, the last, pass's.
 * @param colour colour adjustments, palettes, the colour overlay and high-bit-depth output
 */
public record Options(
    Resize resize,
    Scale scale,
    Canvas canvas,
    Crop crop,
    Orientation orientation,
    Effects effects,
    Watermark watermark,
    Metadata metadata,
    Output output,
    Input input,
    Response response,
    Security security,
    Encoding encoding,
    List<Options> earlierPasses,
    Colour colour)
    implements Serializable {

  /** imgproxy's defaults, with metadata stripping and auto-rotation on as in its default config. */
  public static final Options DEFAULTS =
      new Options(
          Resize.DEFAULTS,
          Scale.DEFAULTS,
          Canvas.DEFAULTS,
          Crop.DEFAULTS,
          Orientation.DEFAULTS,
          Effects.DEFAULTS,
          Watermark.OFF,
          Metadata.DEFAULTS,
          Output.DEFAULTS,
          Input.DEFAULTS,
          Response.DEFAULTS,
          Security.NONE,
          Encoding.DEFAULTS,
          List.of(),
          Colour.DEFAULTS);

  public Options {
    Objects.requireNonNull(resize, "resize");
    Objects.requireNonNull(scale, "scale");
    Objects.requireNonNull(canvas, "canvas");
    Objects.requireNonNull(crop, "crop");
    Objects.requireNonNull(orientation, "orientation");
    Objects.requireNonNull(effects, "effects");
    Objects.requireNonNull(watermark, "watermark");
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(output, "output");
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(response, "response");
    Objects.requireNonNull(security, "security");
    Objects.requireNonNull(encoding, "encoding");
    Objects.requireNonNull(colour, "colour");
    earlierPasses = List.copyOf(earlierPasses);
    for (Options pass : earlierPasses) {
      if (!pass.earlierPasses.isEmpty()) {
        throw new IllegalArgumentException("a pass of a chain cannot hold a chain of its own");
      }
    }
  }

  /** Every pass of this request, first to last: the earlier passes, then this one. */
  public List<Options> passes() {
    List<Options> all = new ArrayList<>(earlierPasses);
    all.add(this);
    return List.copyOf(all);
  }

  /** A builder holding imgproxy's defaults. */
  public static Builder builder() {
    return new Builder(DEFAULTS);
  }

  /** A builder holding this instance's values. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /**
   * The box the image is fitted into.
   *
   * @param resizingType How the image is fitted into the box; default {@link ResizingType#FIT}.
   * @param width Requested width in CSS pixels; 0 derives it from the height (or keeps it, for
   *     force).
   * @param height Requested height in CSS pixels; 0 derives it from the width (or keeps it, for
   *     force).
   * @param minWidth Minimum result width; 0 for none.
   * @param minHeight Minimum result height; 0 for none.
   * @param enlarge Whether an image smaller than the box may be enlarged; default false.
   */
  public record Resize(
      ResizingType resizingType,
      int width,
      int height,
      int minWidth,
      int minHeight,
      boolean enlarge)
      implements Serializable {
    /** imgproxy's defaults. */
    public static final Resize DEFAULTS = new Resize(ResizingType.FIT, 0, 0, 0, 0, false);

    public Resize {
      Objects.requireNonNull(resizingType, "resizingType");
      Check.nonNegative("width", width);
      Check.nonNegative("height", height);
      Check.nonNegative("minWidth", minWidth);
      Check.nonNegative("minHeight", minHeight);
    }

    Resize withResizingType(ResizingType v) {
      return new Resize(v, width, height, minWidth, minHeight, enlarge);
    }

    Resize withWidth(int v) {
      return new Resize(resizingType, v, height, minWidth, minHeight, enlarge);
    }

    Resize withHeight(int v) {
      return new Resize(resizingType, width, v, minWidth, minHeight, enlarge);
    }

    Resize withMinWidth(int v) {
      return new Resize(resizingType, width, height, v, minHeight, enlarge);
    }

    Resize withMinHeight(int v) {
      return new Resize(resizingType, width, height, minWidth, v, enlarge);
    }

    Resize withEnlarge(boolean v) {
      return new Resize(resizingType, width, height, minWidth, minHeight, v);
    }
  }

  /**
   * Factors on the requested sizes.
   *
   * @param zoomX Horizontal zoom factor (> 0, default 1); unlike dpr it leaves offsets and padding
   *     alone.
   * @param zoomY Vertical zoom factor (> 0, default 1).
   * @param dpr Device pixel ratio (> 0, default 1); scales size, offsets and padding.
   */
  public record Scale(double zoomX, double zoomY, double dpr) implements Serializable {
    /** imgproxy's defaults. */
    public static final Scale DEFAULTS = new Scale(1, 1, 1);

    public Scale {
      Check.positive("zoom x", zoomX);
      Check.positive("zoom y", zoomY);
      Check.positive("dpr", dpr);
    }

    Scale withDpr(double v) {
      return new Scale(zoomX, zoomY, v);
    }
  }

  /**
   * Room added around the image: extending to the box or aspect ratio, and padding.
   *
   * @param extend Embedding into the requested box when the image is smaller.
   * @param extendAspectRatio Embedding into the requested aspect ratio.
   * @param padding Padding in CSS pixels (scaled by dpr when planned).
   */
  public record Canvas(Extend extend, Extend extendAspectRatio, Padding padding)
      implements Serializable {
    /** imgproxy's defaults. */
    public static final Canvas DEFAULTS = new Canvas(Extend.OFF, Extend.OFF, Padding.NONE);

    public Canvas {
      Objects.requireNonNull(extend, "extend");
      Objects.requireNonNull(extendAspectRatio, "extendAspectRatio");
      Objects.requireNonNull(padding, "padding");
    }

    Canvas withExtend(Extend v) {
      return new Canvas(v, extendAspectRatio, padding);
    }

    Canvas withExtendAspectRatio(Extend v) {
      return new Canvas(extend, v, padding);
    }

    Canvas withPadding(Padding v) {
      return new Canvas(extend, extendAspectRatio, v);
    }
  }

  /**
   * Where the image is cut: the gravity, the pre-resize crop and border trimming.
   *
   * @param gravity Gravity of the crop to the result box (and of the pre-crop unless it has its
   *     own).
   * @param cropWidth Pre-resize crop width: 0 none, below 1 a fraction of the source, else pixels.
   * @param cropHeight Pre-resize crop height: 0 none, below 1 a fraction of the source, else
   *     pixels.
   * @param cropGravity The pre-crop's own gravity; null means it follows the gravity.
   * @param trim Border trimming.
   */
  public record Crop(
      Gravity gravity,
      double cropWidth,
      double cropHeight,
      @Nullable Gravity cropGravity,
      Trim trim)
      implements Serializable {
    /** imgproxy's defaults. */
    public static final Crop DEFAULTS = new Crop(Gravity.CENTER, 0, 0, null, Trim.OFF);

    public Crop {
      Check.cropGravityType("gravity", gravity);
      Check.nonNegative("crop width", cropWidth);
      Check.nonNegative("crop height", cropHeight);
      if (cropGravity != null) {
        Check.cropGravityType("crop gravity", cropGravity);
      }
      Objects.requireNonNull(trim, "trim");
    }

    Crop withGravity(Gravity v) {
      return new Crop(v, cropWidth, cropHeight, cropGravity, trim);
    }

    Crop withTrim(Trim v) {
      return new Crop(gravity, cropWidth, cropHeight, cropGravity, v);
    }
  }

  /**
   * How the image is turned: EXIF orientation, rotation and mirroring.
   *
   * @param autoRotate Whether the EXIF orientation is applied; default true.
   * @param rotate Clockwise rotation after auto-rotation: 0, 90, 180 or 270.
   * @param flipHorizontal Mirror left-right, after rotation.
   * @param flipVertical Mirror top-bottom, after rotation.
   */
  public record Orientation(
      boolean autoRotate, int rotate, boolean flipHorizontal, boolean flipVertical)
      implements Serializable {
    /** imgproxy's defaults. */
    public static final Orientation DEFAULTS = new Orientation(true, 0, false, false);

    public Orientation {
      if (rotate != 0 && rotate != 90 && rotate != 180 && rotate != 270) {
        throw new IllegalArgumentException("rotate must be 0, 90, 180 or 270: " + rotate);
      }
    }

    Orientation withAutoRotate(boolean v) {
      return new Orientation(v, rotate, flipHorizontal, flipVertical);
    }

    Orientation withRotate(int v) {
      return new Orientation(autoRotate, v, flipHorizontal, flipVertical);
    }
  }

  /**
   * What is painted: the background, blur, sharpening and pixelation.
   *
   * @param flatten Whether a background was requested: transparency is then filled with the
   *     background even when the output format could keep it.
   * @param background The background colour (default white): fills transparency when flatten is set
   *     or the output format has no alpha channel.
   * @param blur Gaussian blur sigma; 0 for none.
   * @param sharpen Sharpen sigma; 0 for none.
   * @param pixelate Pixelate block size; 0 for none.
   */
  public record Effects(boolean flatten, Rgb background, double blur, double sharpen, int pixelate)
      implements Serializable {
    /** imgproxy's defaults. */
    public static final Effects DEFAULTS = new Effects(false, Rgb.WHITE, 0, 0, 0);

    public Effects {
      Objects.requireNonNull(background, "background");
      Check.nonNegative("blur", blur);
      Check.nonNegative("sharpen", sharpen);
      Check.nonNegative("pixelate", pixelate);
    }

    Effects withBlur(double v) {
      return new Effects(flatten, background, v, sharpen, pixelate);
    }

    Effects withSharpen(double v) {
      return new Effects(flatten, background, blur, v, pixelate);
    }

    Effects withPixelate(int v) {
      return new Effects(flatten, background, blur, sharpen, v);
    }
  }

  /**
   * What of the source's metadata the output keeps.
   *
   * @param stripMetadata Strip EXIF, IPTC, XMP from the output; default true.
   * @param keepCopyright Keep copyright fields when stripping metadata; default true.
   * @param stripColorProfile Convert to sRGB and drop the ICC profile; default true.
   */
  public record Metadata(boolean stripMetadata, boolean keepCopyright, boolean stripColorProfile)
      implements Serializable {
    /** imgproxy's defaults. */
    public static final Metadata DEFAULTS = new Metadata(true, true, true);

    public Metadata {}

    Metadata withStripMetadata(boolean v) {
      return new Metadata(v, keepCopyright, stripColorProfile);
    }

    Metadata withKeepCopyright(boolean v) {
      return new Metadata(stripMetadata, v, stripColorProfile);
    }

    Metadata withStripColorProfile(boolean v) {
      return new Metadata(stripMetadata, keepCopyright, v);
    }
  }

  /**
   * How the result is encoded.
   *
   * @param quality Output quality 1..100; 0 means the per-format or server default.
   * @param formatQuality Per-format quality overrides (values 0..100), in format order.
   * @param maxBytes Degrade quality until the output fits in this many bytes; 0 for no limit.
   * @param format The output format; null means the source's format where it can be written.
   */
  public record Output(
      int quality,
      Map<ImageFormat, Integer> formatQuality,
      int maxBytes,
      @Nullable ImageFormat format)
      implements Serializable {
    /** imgproxy's defaults. */
    public static final Output DEFAULTS = new Output(0, Map.of(), 0, null);

    public Output {
      Check.percent("quality", quality);
      formatQuality = Check.formatQualities(formatQuality);
      Check.nonNegative("maxBytes", maxBytes);
      if (format != null && !format.canBeAsked()) {
        throw new IllegalArgumentException("not an output format: " + format);
      }
    }

    Output withQuality(int v) {
      return new Output(v, formatQuality, maxBytes, format);
    }

    Output withMaxBytes(int v) {
      return new Output(quality, formatQuality, v, format);
    }

    Output withFormat(@Nullable ImageFormat v) {
      return new Output(quality, formatQuality, maxBytes, v);
    }
  }

  /**
   * How the source is read: which page or frames, and whether it is processed at all.
   *
   * @param enforceThumbnail Use an embedded thumbnail (HEIC, AVIF) when there is one; default
   *     false.
   * @param page The page or frame to use, from 0.
   * @param pages How many pages from page to stack vertically; default 1.
   * @param disableAnimation Treat animated images as still; default false.
   * @param skipProcessing Source formats to pass through unprocessed when the output format is the
   *     same.
   * @param raw Answer the source bytes unprocessed, still probed (SVG, PDF refused).
   */
  public record Input(
      boolean enforceThumbnail,
      int page,
      int pages,
      boolean disableAnimation,
      Set<ImageFormat> skipProcessing,
      boolean raw)
      implements Serializable {
    /** imgproxy's defaults. */
    public static final Input DEFAULTS = new Input(false, 0, 1, false, Set.of(), false);

    public Input {
      Check.nonNegative("page", page);
      if (pages < 1) {
        throw new IllegalArgumentException("pages must be >= 1: " + pages);
      }
      skipProcessing = Check.formats(skipProcessing);
    }

    Input withEnforceThumbnail(boolean v) {
      return new Input(v, page, pages, disableAnimation, skipProcessing, raw);
    }

    Input withPage(int v) {
      return new Input(enforceThumbnail, v, pages, disableAnimation, skipProcessing, raw);
    }

    Input withPages(int v) {
      return new Input(enforceThumbnail, page, v, disableAnimation, skipProcessing, raw);
    }

    Input withDisableAnimation(boolean v) {
      return new Input(enforceThumbnail, page, pages, v, skipProcessing, raw);
    }

    Input withSkipProcessing(Set<ImageFormat> v) {
      return new Input(enforceThumbnail, page, pages, disableAnimation, v, raw);
    }

    Input withRaw(boolean v) {
      return new Input(enforceThumbnail, page, pages, disableAnimation, skipProcessing, v);
    }
  }

  /**
   * What only shapes the response or the cache key, not the image.
   *
   * @param cachebuster Opaque cache-busting string; part of the cache key, otherwise ignored.
   * @param expires Expiry as a unix time in seconds; 0 or less for none.
   * @param filename Filename for Content-Disposition; empty to derive it from the source.
   * @param returnAttachment Answer with Content-Disposition: attachment.
   */
  public record Response(
      String cachebuster,
      long expires,
      String filename,
      boolean returnAttachment,
      String fallbackImageUrl)
      implements Serializable {
    /** imgproxy's defaults. */
    public static final Response DEFAULTS = new Response("", 0, "", false, "");

    public Response {
      Check.urlArgument("cachebuster", cachebuster);
      Objects.requireNonNull(filename, "filename");
      Objects.requireNonNull(fallbackImageUrl, "fallbackImageUrl");
    }

    Response withCachebuster(String v) {
      return new Response(v, expires, filename, returnAttachment, fallbackImageUrl);
    }

    Response withExpires(long v) {
      return new Response(cachebuster, v, filename, returnAttachment, fallbackImageUrl);
    }

    Response withFilename(String v) {
      return new Response(cachebuster, expires, v, returnAttachment, fallbackImageUrl);
    }

    Response withReturnAttachment(boolean v) {
      return new Response(cachebuster, expires, filename, v, fallbackImageUrl);
    }

    Response withFallbackImageUrl(String v) {
      return new Response(cachebuster, expires, filename, returnAttachment, v);
    }
  }

  /**
   * The limits a request sets for itself, imgproxy's security options (allowed only when the server
   * allows them). Each may only tighten the engine's own limit, never loosen it; 0 leaves it as it
   * is.
   *
   * @param maxSrcResolution pixels of the source (of all its frames, as imgproxy counts them)
   * @param maxSrcFileSize bytes of the source
   * @param maxAnimationFrames frames of an animation
   * @param maxAnimationFrameResolution pixels of one frame of an animation; where set, an animation
   *     is checked by it instead of by {@code maxSrcResolution}, as in imgproxy
   * @param maxResultDimension the longest side of the result
   */
  public record Security(
      long maxSrcResolution,
      long maxSrcFileSize,
      int maxAnimationFrames,
      long maxAnimationFrameResolution,
      int maxResultDimension)
      implements Serializable {
    /** No limit of the request's own. */
    public static final Security NONE = new Security(0, 0, 0, 0, 0);

    public Security {
      Check.nonNegative("maxSrcResolution", maxSrcResolution);
      Check.nonNegative("maxSrcFileSize", maxSrcFileSize);
      Check.nonNegative("maxAnimationFrames", maxAnimationFrames);
      Check.nonNegative("maxAnimationFrameResolution", maxAnimationFrameResolution);
      Check.nonNegative("maxResultDimension", maxResultDimension);
    }

    /**
     * {@code limits} tightened by these, each only where it is lower, so the engine's limits stay
     * the ceiling. An animation is held to the frame resolution where one is set, else, as a still
     * image, to the source resolution over all its frames, as imgproxy counts it.
     *
     * @param animated whether the source has more than one frame
     */
    public Limits tighten(Limits limits, boolean animated) {
      if (equals(NONE)) {
        return limits;
      }
      long pixels = limits.maxSourcePixels();
      long total = limits.maxTotalPixels();
      if (animated && maxAnimationFrameResolution > 0) {
        pixels = Math.min(pixels, maxAnimationFrameResolution);
      } else if (maxSrcResolution > 0) {
        pixels = Math.min(pixels, maxSrcResolution);
        total = Math.min(total, maxSrcResolution);
      }
      return new Limits(
          pixels,
          limits.maxSourceSide(),
          maxAnimationFrames > 0
              ? Math.min(limits.maxFrames(), maxAnimationFrames)
              : limits.maxFrames(),
          total,
          limits.maxProgressivePixels(),
          limits.maxProgressiveScans(),
          limits.maxMetadataBytes(),
          limits.maxResultPixels(),
          maxResultDimension > 0
              ? Math.min(limits.maxResultSide(), maxResultDimension)
              : limits.maxResultSide());
    }

    /** The source size allowed: {@code limit}, or this request's lower one. */
    public long sourceBytes(long limit) {
      return maxSrcFileSize > 0 ? Math.min(limit, maxSrcFileSize) : limit;
    }

    Security withMaxSrcResolution(long v) {
      return new Security(
          v, maxSrcFileSize, maxAnimationFrames, maxAnimationFrameResolution, maxResultDimension);
    }

    Security withMaxSrcFileSize(long v) {
      return new Security(
          maxSrcResolution, v, maxAnimationFrames, maxAnimationFrameResolution, maxResultDimension);
    }

    Security withMaxAnimationFrames(int v) {
      return new Security(
          maxSrcResolution, maxSrcFileSize, v, maxAnimationFrameResolution, maxResultDimension);
    }

    Security withMaxAnimationFrameResolution(long v) {
      return new Security(
          maxSrcResolution, maxSrcFileSize, maxAnimationFrames, v, maxResultDimension);
    }

    Security withMaxResultDimension(int v) {
      return new Security(
          maxSrcResolution, maxSrcFileSize, maxAnimationFrames, maxAnimationFrameResolution, v);
    }
  }

  // --- shortcuts: the values Geometry plans with, and the optional ones as Optional --------------

  /** How the image is fitted into the box; default {@link ResizingType#FIT}. */
  public ResizingType resizingType() {
    return resize.resizingType();
  }

  /** Requested width in CSS pixels; 0 derives it from the height (or keeps it, for force). */
  public int width() {
    return resize.width();
  }

  /** Requested height in CSS pixels; 0 derives it from the width (or keeps it, for force). */
  public int height() {
    return resize.height();
  }

  /** Minimum result width; 0 for none. */
  public int minWidth() {
    return resize.minWidth();
  }

  /** Minimum result height; 0 for none. */
  public int minHeight() {
    return resize.minHeight();
  }

  /** Whether an image smaller than the box may be enlarged; default false. */
  public boolean enlarge() {
    return resize.enlarge();
  }

  /** Horizontal zoom factor (> 0, default 1); unlike dpr it leaves offsets and padding alone. */
  public double zoomX() {
    return scale.zoomX();
  }

  /** Vertical zoom factor (> 0, default 1). */
  public double zoomY() {
    return scale.zoomY();
  }

  /** Device pixel ratio (> 0, default 1); scales size, offsets and padding. */
  public double dpr() {
    return scale.dpr();
  }

  /** Embedding into the requested box when the image is smaller. */
  public Extend extend() {
    return canvas.extend();
  }

  /** Embedding into the requested aspect ratio. */
  public Extend extendAspectRatio() {
    return canvas.extendAspectRatio();
  }

  /** Padding in CSS pixels (scaled by dpr when planned). */
  public Padding padding() {
    return canvas.padding();
  }

  /** Gravity of the crop to the result box (and of the pre-crop unless it has its own). */
  public Gravity gravity() {
    return crop.gravity();
  }

  /** Pre-resize crop width: 0 none, below 1 a fraction of the source, else pixels. */
  public double cropWidth() {
    return crop.cropWidth();
  }

  /** Pre-resize crop height: 0 none, below 1 a fraction of the source, else pixels. */
  public double cropHeight() {
    return crop.cropHeight();
  }

  /** The pre-crop's own gravity; empty means it follows {@link #gravity()}. */
  public Optional<Gravity> cropGravity() {
    return Optional.ofNullable(crop.cropGravity());
  }

  /** Whether the EXIF orientation is applied; default true. */
  public boolean autoRotate() {
    return orientation.autoRotate();
  }

  /** Clockwise rotation after auto-rotation: 0, 90, 180 or 270. */
  public int rotate() {
    return orientation.rotate();
  }

  /** Mirror left-right, after rotation. */
  public boolean flipHorizontal() {
    return orientation.flipHorizontal();
  }

  /** Mirror top-bottom, after rotation. */
  public boolean flipVertical() {
    return orientation.flipVertical();
  }

  /** The output format; empty means the source's format where it can be written. */
  public Optional<ImageFormat> format() {
    return Optional.ofNullable(output.format());
  }

  /** The gravity the pre-crop uses. */
  public Gravity effectiveCropGravity() {
    return crop.cropGravity() != null ? crop.cropGravity() : crop.gravity();
  }

  /**
   * The quality to encode {@code f} with: {@link Output#quality()} if set, else the per-format
   * value, else 0 for the server default (imgproxy's GetQuality).
   */
  public int qualityFor(ImageFormat f) {
    return output.quality() != 0 ? output.quality() : output.formatQuality().getOrDefault(f, 0);
  }

  /** Whether the URL has an expiry that lies before {@code now}. */
  public boolean isExpired(Instant now) {
    return response.expires() > 0 && response.expires() < now.getEpochSecond();
  }

  /**
   * A stable imgproxy option string of every field that changes the encoded image, in a fixed
   * order, for use as a cache key. Equal meanings give equal strings: aliases, argument forms and
   * settings that cannot matter (a disabled watermark's position, a disabled extend's gravity)
   * disappear. Fields that only shape response headers (expires, filename, return_attachment) are
   * left out. The string parses back to options with the same canonical form. A chained pipeline
   * writes every pass, separated by {@code /-/}.
   */
  public String canonical() {
    List<String> segments = new ArrayList<>();
    for (Options pass : earlierPasses) {
      segments.add(OptionTable.canonical(pass));
      segments.add(OptionsParser.NEXT_PASS);
    }
    segments.add(OptionTable.canonical(this));
    segments.removeIf(String::isEmpty);
    return String.join("/", segments);
  }

  /** The shortest decimal that reads back as {@code d}, without exponent or trailing zeros. */
  static String num(double d) {
    if (d == Math.rint(d) && Math.abs(d) < 1e15) {
      return Long.toString((long) d);
    }
    return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
  }

  @Override
  public String toString() {
    return "Options["
        + canonical()
        + (response.expires() > 0 ? "/exp:" + response.expires() : "")
        + (response.filename().isEmpty() ? "" : "/fn:" + response.filename())
        + (response.returnAttachment() ? "/att:1" : "")
        + ']';
  }

  /**
   * Collects option values; each setter replaces its group with a copy holding the value, which the
   * group checks, so {@link IllegalArgumentException} reports programmatic misuse at once. Not
   * thread-safe.
   */
  public static final class Builder {
    // Package-private: the option table reads the current values while it parses.
    Resize resize;
    Scale scale;
    Canvas canvas;
    Crop crop;
    Orientation orientation;
    Effects effects;
    Watermark watermark;
    Metadata metadata;
    Output output;
    Input input;
    Response response;
    Security security;
    Encoding encoding;
    List<Options> earlierPasses;
    Colour colour;

    private Builder(Options o) {
      resize = o.resize;
      scale = o.scale;
      canvas = o.canvas;
      crop = o.crop;
      orientation = o.orientation;
      effects = o.effects;
      watermark = o.watermark;
      metadata = o.metadata;
      output = o.output;
      input = o.input;
      response = o.response;
      security = o.security;
      encoding = o.encoding;
      earlierPasses = o.earlierPasses;
      colour = o.colour;
    }

    /** The passes of a chained pipeline that run before this one (see {@link #earlierPasses}). */
    public Builder earlierPasses(List<Options> v) {
      earlierPasses = List.copyOf(v);
      return this;
    }

    public Builder watermark(Watermark v) {
      watermark = Objects.requireNonNull(v, "watermark");
      return this;
    }

    public Builder resizingType(ResizingType v) {
      resize = resize.withResizingType(v);
      return this;
    }

    public Builder width(int v) {
      resize = resize.withWidth(v);
      return this;
    }

    public Builder height(int v) {
      resize = resize.withHeight(v);
      return this;
    }

    public Builder minWidth(int v) {
      resize = resize.withMinWidth(v);
      return this;
    }

    public Builder minHeight(int v) {
      resize = resize.withMinHeight(v);
      return this;
    }

    public Builder enlarge(boolean v) {
      resize = resize.withEnlarge(v);
      return this;
    }

    public Builder dpr(double v) {
      scale = scale.withDpr(v);
      return this;
    }

    public Builder extend(Extend v) {
      canvas = canvas.withExtend(v);
      return this;
    }

    public Builder extendAspectRatio(Extend v) {
      canvas = canvas.withExtendAspectRatio(v);
      return this;
    }

    public Builder padding(Padding v) {
      canvas = canvas.withPadding(v);
      return this;
    }

    public Builder gravity(Gravity v) {
      crop = crop.withGravity(v);
      return this;
    }

    public Builder trim(Trim v) {
      crop = crop.withTrim(v);
      return this;
    }

    public Builder autoRotate(boolean v) {
      orientation = orientation.withAutoRotate(v);
      return this;
    }

    public Builder rotate(int v) {
      orientation = orientation.withRotate(v);
      return this;
    }

    public Builder blur(double v) {
      effects = effects.withBlur(v);
      return this;
    }

    public Builder sharpen(double v) {
      effects = effects.withSharpen(v);
      return this;
    }

    public Builder pixelate(int v) {
      effects = effects.withPixelate(v);
      return this;
    }

    public Builder stripMetadata(boolean v) {
      metadata = metadata.withStripMetadata(v);
      return this;
    }

    public Builder keepCopyright(boolean v) {
      metadata = metadata.withKeepCopyright(v);
      return this;
    }

    public Builder stripColorProfile(boolean v) {
      metadata = metadata.withStripColorProfile(v);
      return this;
    }

    public Builder quality(int v) {
      output = output.withQuality(v);
      return this;
    }

    public Builder maxBytes(int v) {
      output = output.withMaxBytes(v);
      return this;
    }

    public Builder format(@Nullable ImageFormat v) {
      output = output.withFormat(v);
      return this;
    }

    public Builder enforceThumbnail(boolean v) {
      input = input.withEnforceThumbnail(v);
      return this;
    }

    public Builder page(int v) {
      input = input.withPage(v);
      return this;
    }

    public Builder pages(int v) {
      input = input.withPages(v);
      return this;
    }

    public Builder disableAnimation(boolean v) {
      input = input.withDisableAnimation(v);
      return this;
    }

    public Builder raw(boolean v) {
      input = input.withRaw(v);
      return this;
    }

    public Builder cachebuster(String v) {
      response = response.withCachebuster(v);
      return this;
    }

    public Builder expires(long v) {
      response = response.withExpires(v);
      return this;
    }

    public Builder filename(String v) {
      response = response.withFilename(v);
      return this;
    }

    public Builder returnAttachment(boolean v) {
      response = response.withReturnAttachment(v);
      return this;
    }

    public Builder fallbackImageUrl(String v) {
      response = response.withFallbackImageUrl(v);
      return this;
    }

    // --- encoding: the savers' options and autoquality (issue 16) ---

    public Builder encoding(Encoding v) {
      encoding = Objects.requireNonNull(v, "encoding");
      return this;
    }

    public Builder jpegOptions(Encoding.Jpeg v) {
      encoding = encoding.withJpeg(v);
      return this;
    }

    public Builder pngOptions(Encoding.Png v) {
      encoding = encoding.withPng(v);
      return this;
    }

    public Builder webpOptions(Encoding.Webp v) {
      encoding = encoding.withWebp(v);
      return this;
    }

    public Builder avifOptions(Encoding.Avif v) {
      encoding = encoding.withAvif(v);
      return this;
    }

    public Builder autoquality(Encoding.Autoquality v) {
      encoding = encoding.withAutoquality(v);
      return this;
    }

    // --- colour (imgproxy Pro's adjust, monochrome, duotone, colorize) and preserve_hdr

    public Builder brightness(int v) {
      colour = colour.withBrightness(v);
      return this;
    }

    public Builder contrast(double v) {
      colour = colour.withContrast(v);
      return this;
    }

    public Builder saturation(double v) {
      colour = colour.withSaturation(v);
      return this;
    }

    public Builder monochrome(Colour.Tint v) {
      colour = colour.withMonochrome(v);
      return this;
    }

    public Builder duotone(Colour.Duotone v) {
      colour = colour.withDuotone(v);
      return this;
    }

    public Builder colorize(Colour.Colorize v) {
      colour = colour.withColorize(v);
      return this;
    }

    public Builder preserveHdr(boolean v) {
      colour = colour.withPreserveHdr(v);
      return this;
    }

    /** Resize in linear light (imgproxy's {@code IMGPROXY_USE_LINEAR_COLORSPACE}). */
    public Builder linearLight(boolean v) {
      colour = colour.withLinearLight(v);
      return this;
    }

    /** Sets width and height. */
    public Builder size(int w, int h) {
      return width(w).height(h);
    }

    /** Sets both zoom factors. */
    public Builder zoom(double v) {
      return zoom(v, v);
    }

    public Builder zoom(double x, double y) {
      scale = new Scale(x, y, scale.dpr());
      return this;
    }

    /** Pre-resize crop; each side 0 (none), a fraction below 1, or pixels. */
    public Builder crop(double w, double h) {
      crop = new Crop(crop.gravity(), w, h, crop.cropGravity(), crop.trim());
      return this;
    }

    /** Pre-resize crop with its own gravity; {@code null} makes it follow the main gravity. */
    public Builder crop(double w, double h, @Nullable Gravity g) {
      crop = new Crop(crop.gravity(), w, h, g, crop.trim());
      return this;
    }

    public Builder flip(boolean horizontal, boolean vertical) {
      orientation =
          new Orientation(orientation.autoRotate(), orientation.rotate(), horizontal, vertical);
      return this;
    }

    /** Requests a background: sets the colour and turns flattening on. */
    public Builder background(Rgb v) {
      return background(v, true);
    }

    /**
     * Sets the colour and the flattening flag separately, as imgproxy keeps them ("bg:" disables
     * flattening but keeps the colour).
     */
    public Builder background(Rgb v, boolean flatten) {
      effects = new Effects(flatten, v, effects.blur(), effects.sharpen(), effects.pixelate());
      return this;
    }

    /** Adds or replaces the quality for one format (0..100). */
    public Builder formatQuality(ImageFormat f, int q) {
      Map<ImageFormat, Integer> qualities = new EnumMap<>(ImageFormat.class);
      qualities.putAll(output.formatQuality());
      qualities.put(Objects.requireNonNull(f, "format"), q);
      output = new Output(output.quality(), qualities, output.maxBytes(), output.format());
      return this;
    }

    /** Adds source formats that are passed through unprocessed. */
    public Builder skipProcessing(ImageFormat... formats) {
      Set<ImageFormat> skip = EnumSet.noneOf(ImageFormat.class);
      skip.addAll(input.skipProcessing());
      for (ImageFormat f : formats) {
        skip.add(Objects.requireNonNull(f, "format"));
      }
      input = input.withSkipProcessing(skip);
      return this;
    }

    // The request's own limits (imgproxy's security options).

    public Builder maxSrcResolution(long pixels) {
      security = security.withMaxSrcResolution(pixels);
      return this;
    }

    public Builder maxSrcFileSize(long bytes) {
      security = security.withMaxSrcFileSize(bytes);
      return this;
    }

    public Builder maxAnimationFrames(int frames) {
      security = security.withMaxAnimationFrames(frames);
      return this;
    }

    public Builder maxAnimationFrameResolution(long pixels) {
      security = security.withMaxAnimationFrameResolution(pixels);
      return this;
    }

    public Builder maxResultDimension(int side) {
      security = security.withMaxResultDimension(side);
      return this;
    }

    public Options build() {
      return new Options(
          resize,
          scale,
          canvas,
          crop,
          orientation,
          effects,
          watermark,
          metadata,
          output,
          input,
          response,
          security,
          encoding,
          earlierPasses,
          colour);
    }
  }

  /**
   * The checks the groups make. A class of its own: a group can be initialised before Options (a
   * worker deserialises a plan's groups first), and must not start Options' initialisation, which
   * needs the groups' defaults.
   */
  private static final class Check {
    private Check() {}

    // imgproxy's gravity option and crop gravity accept compass, smart and focus point
    private static void cropGravityType(String what, Gravity g) {
      Objects.requireNonNull(g, what);
      if (g.type().tiles()) {
        throw new IllegalArgumentException(what + " cannot be " + g.type().id());
      }
    }

    private static void nonNegative(String what, long v) {
      if (v < 0) {
        throw new IllegalArgumentException(what + " must be >= 0: " + v);
      }
    }

    private static void nonNegative(String what, int v) {
      if (v < 0) {
        throw new IllegalArgumentException(what + " must be >= 0: " + v);
      }
    }

    private static void nonNegative(String what, double v) {
      if (!(v >= 0) || Double.isInfinite(v)) {
        throw new IllegalArgumentException(what + " must be a finite number >= 0: " + v);
      }
    }

    private static void positive(String what, double v) {
      if (!(v > 0) || Double.isInfinite(v)) {
        throw new IllegalArgumentException(what + " must be a finite number > 0: " + v);
      }
    }

    private static void percent(String what, int v) {
      if (v < 0 || v > 100) {
        throw new IllegalArgumentException(what + " must be 0..100: " + v);
      }
    }

    /** A cache buster cannot hold ':' or '/', as it could not come from a URL segment. */
    private static void urlArgument(String what, String v) {
      Objects.requireNonNull(v, what);
      if (v.indexOf(':') >= 0 || v.indexOf('/') >= 0) {
        throw new IllegalArgumentException(what + " cannot contain ':' or '/': " + v);
      }
    }

    /** An unmodifiable copy in format order, each quality checked. */
    private static Map<ImageFormat, Integer> formatQualities(Map<ImageFormat, Integer> m) {
      EnumMap<ImageFormat, Integer> copy = new EnumMap<>(ImageFormat.class);
      m.forEach((f, q) -> {
        percent("format quality", q);
        copy.put(Objects.requireNonNull(f, "format"), q);
      });
      return Collections.unmodifiableMap(copy);
    }

    /** An unmodifiable copy in format order. */
    private static Set<ImageFormat> formats(Set<ImageFormat> s) {
      EnumSet<ImageFormat> copy = EnumSet.noneOf(ImageFormat.class);
      s.forEach(f -> copy.add(Objects.requireNonNull(f, "format")));
      return Collections.unmodifiableSet(copy);
    }
  }
}
