package dev.imgd.core.options;

import dev.imgd.core.ImageFormat;
import java.io.Serial;
import java.io.Serializable;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Every processing option of an imgproxy-style request, immutable and with imgproxy's defaults.
 * Build one with {@link #builder()} or parse one with {@link OptionsParser}; derive variants with
 * {@link #toBuilder()}.
 *
 * <p>Sizes are in CSS pixels: {@link #dpr()} and {@link #zoomX()}/{@link #zoomY()} scale them when
 * the {@link Geometry} is planned. {@link #canonical()} is a stable cache key covering every field
 * that changes the encoded image, written as {@link OptionTable} says.
 *
 * <p>Instances are {@link Serializable} so that they can cross a process boundary.
 */
public final class Options implements Serializable {
  @Serial private static final long serialVersionUID = 1L;

  /** imgproxy's defaults, with metadata stripping and auto-rotation on as in its default config. */
  public static final Options DEFAULTS = new Builder().build();

  private final ResizingType resizingType;
  private final int width;
  private final int height;
  private final int minWidth;
  private final int minHeight;
  private final double zoomX;
  private final double zoomY;
  private final double dpr;
  private final boolean enlarge;
  private final Extend extend;
  private final Extend extendAspectRatio;
  private final Gravity gravity;
  private final double cropWidth;
  private final double cropHeight;
  private final Gravity cropGravity; // null: follow gravity
  private final Trim trim;
  private final Padding padding;
  private final boolean autoRotate;
  private final int rotate;
  private final boolean flipHorizontal;
  private final boolean flipVertical;
  private final boolean flatten;
  private final Rgb background;
  private final double blur;
  private final double sharpen;
  private final int pixelate;
  private final Watermark watermark;
  private final boolean stripMetadata;
  private final boolean keepCopyright;
  private final boolean stripColorProfile;
  private final boolean enforceThumbnail;
  private final int quality;
  private final EnumMap<ImageFormat, Integer> formatQuality;
  private final int maxBytes;
  private final ImageFormat format; // null: the source's format, or the server's choice
  private final int page;
  private final int pages;
  private final boolean disableAnimation;
  private final EnumSet<ImageFormat> skipProcessing;
  private final boolean raw;
  private final String cachebuster;
  private final long expires;
  private final String filename;
  private final boolean returnAttachment;

  private Options(Builder b) {
    resizingType = b.resizingType;
    width = b.width;
    height = b.height;
    minWidth = b.minWidth;
    minHeight = b.minHeight;
    zoomX = b.zoomX;
    zoomY = b.zoomY;
    dpr = b.dpr;
    enlarge = b.enlarge;
    extend = b.extend;
    extendAspectRatio = b.extendAspectRatio;
    gravity = b.gravity;
    cropWidth = b.cropWidth;
    cropHeight = b.cropHeight;
    cropGravity = b.cropGravity;
    trim = b.trim;
    padding = b.padding;
    autoRotate = b.autoRotate;
    rotate = b.rotate;
    flipHorizontal = b.flipHorizontal;
    flipVertical = b.flipVertical;
    flatten = b.flatten;
    background = b.background;
    blur = b.blur;
    sharpen = b.sharpen;
    pixelate = b.pixelate;
    watermark = b.watermark;
    stripMetadata = b.stripMetadata;
    keepCopyright = b.keepCopyright;
    stripColorProfile = b.stripColorProfile;
    enforceThumbnail = b.enforceThumbnail;
    quality = b.quality;
    formatQuality = new EnumMap<>(b.formatQuality);
    maxBytes = b.maxBytes;
    format = b.format;
    page = b.page;
    pages = b.pages;
    disableAnimation = b.disableAnimation;
    skipProcessing = EnumSet.copyOf(b.skipProcessing);
    raw = b.raw;
    cachebuster = b.cachebuster;
    expires = b.expires;
    filename = b.filename;
    returnAttachment = b.returnAttachment;
  }

  /** A builder holding imgproxy's defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this instance's values. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** How the image is fitted into the box; default {@link ResizingType#FIT}. */
  public ResizingType resizingType() {
    return resizingType;
  }

  /** Requested width in CSS pixels; 0 derives it from the height (or keeps it, for force). */
  public int width() {
    return width;
  }

  /** Requested height in CSS pixels; 0 derives it from the width (or keeps it, for force). */
  public int height() {
    return height;
  }

  /** Minimum result width; 0 for none. */
  public int minWidth() {
    return minWidth;
  }

  /** Minimum result height; 0 for none. */
  public int minHeight() {
    return minHeight;
  }

  /** Horizontal zoom factor (> 0, default 1); unlike dpr it leaves offsets and padding alone. */
  public double zoomX() {
    return zoomX;
  }

  /** Vertical zoom factor (> 0, default 1). */
  public double zoomY() {
    return zoomY;
  }

  /** Device pixel ratio (> 0, default 1); scales size, offsets and padding. */
  public double dpr() {
    return dpr;
  }

  /** Whether an image smaller than the box may be enlarged; default false. */
  public boolean enlarge() {
    return enlarge;
  }

  /** Embedding into the requested box when the image is smaller. */
  public Extend extend() {
    return extend;
  }

  /** Embedding into the requested aspect ratio. */
  public Extend extendAspectRatio() {
    return extendAspectRatio;
  }

  /** Gravity of the crop to the result box (and of the pre-crop unless it has its own). */
  public Gravity gravity() {
    return gravity;
  }

  /** Pre-resize crop width: 0 none, below 1 a fraction of the source, else pixels. */
  public double cropWidth() {
    return cropWidth;
  }

  /** Pre-resize crop height: 0 none, below 1 a fraction of the source, else pixels. */
  public double cropHeight() {
    return cropHeight;
  }

  /** The pre-crop's own gravity; empty means it follows {@link #gravity()}. */
  public Optional<Gravity> cropGravity() {
    return Optional.ofNullable(cropGravity);
  }

  /** The gravity the pre-crop uses. */
  public Gravity effectiveCropGravity() {
    return cropGravity != null ? cropGravity : gravity;
  }

  /** Border trimming. */
  public Trim trim() {
    return trim;
  }

  /** Padding in CSS pixels (scaled by dpr when planned). */
  public Padding padding() {
    return padding;
  }

  /** Whether the EXIF orientation is applied; default true. */
  public boolean autoRotate() {
    return autoRotate;
  }

  /** Clockwise rotation after auto-rotation: 0, 90, 180 or 270. */
  public int rotate() {
    return rotate;
  }

  /** Mirror left-right, after rotation. */
  public boolean flipHorizontal() {
    return flipHorizontal;
  }

  /** Mirror top-bottom, after rotation. */
  public boolean flipVertical() {
    return flipVertical;
  }

  /**
   * Whether a background was requested: transparency is then filled with {@link #background()} even
   * when the output format could keep it.
   */
  public boolean flatten() {
    return flatten;
  }

  /**
   * The background colour (default white): fills transparency when {@link #flatten()} is set or the
   * output format has no alpha channel.
   */
  public Rgb background() {
    return background;
  }

  /** Gaussian blur sigma; 0 for none. */
  public double blur() {
    return blur;
  }

  /** Sharpen sigma; 0 for none. */
  public double sharpen() {
    return sharpen;
  }

  /** Pixelate block size; 0 for none. */
  public int pixelate() {
    return pixelate;
  }

  /** Watermark placement. */
  public Watermark watermark() {
    return watermark;
  }

  /** Strip EXIF, IPTC, XMP from the output; default true. */
  public boolean stripMetadata() {
    return stripMetadata;
  }

  /** Keep copyright fields when stripping metadata; default true. */
  public boolean keepCopyright() {
    return keepCopyright;
  }

  /** Convert to sRGB and drop the ICC profile; default true. */
  public boolean stripColorProfile() {
    return stripColorProfile;
  }

  /** Use an embedded thumbnail (HEIC, AVIF) when there is one; default false. */
  public boolean enforceThumbnail() {
    return enforceThumbnail;
  }

  /** Output quality 1..100; 0 means the per-format or server default. */
  public int quality() {
    return quality;
  }

  /** Per-format quality overrides (values 0..100), in format order. */
  public Map<ImageFormat, Integer> formatQuality() {
    return Collections.unmodifiableMap(formatQuality);
  }

  /**
   * The quality to encode {@code f} with: {@link #quality()} if set, else the per-format value,
   * else 0 for the server default (imgproxy's GetQuality).
   */
  public int qualityFor(ImageFormat f) {
    return quality != 0 ? quality : formatQuality.getOrDefault(f, 0);
  }

  /** Degrade quality until the output fits in this many bytes; 0 for no limit. */
  public int maxBytes() {
    return maxBytes;
  }

  /** The output format; empty means the source's format where it can be written. */
  public Optional<ImageFormat> format() {
    return Optional.ofNullable(format);
  }

  /** The page or frame to use, from 0. */
  public int page() {
    return page;
  }

  /** How many pages from {@link #page()} to stack vertically; default 1. */
  public int pages() {
    return pages;
  }

  /** Treat animated images as still; default false. */
  public boolean disableAnimation() {
    return disableAnimation;
  }

  /** Source formats to pass through unprocessed when the output format is the same. */
  public Set<ImageFormat> skipProcessing() {
    return Collections.unmodifiableSet(skipProcessing);
  }

  /** Stream the source unprocessed and unchecked. */
  public boolean raw() {
    return raw;
  }

  /** Opaque cache-busting string; part of the cache key, otherwise ignored. */
  public String cachebuster() {
    return cachebuster;
  }

  /** Expiry as a unix time in seconds; 0 or less for none. */
  public long expires() {
    return expires;
  }

  /** Whether the URL has an expiry that lies before {@code now}. */
  public boolean isExpired(Instant now) {
    return expires > 0 && expires < now.getEpochSecond();
  }

  /** Filename for Content-Disposition; empty to derive it from the source. */
  public String filename() {
    return filename;
  }

  /** Answer with Content-Disposition: attachment. */
  public boolean returnAttachment() {
    return returnAttachment;
  }

  /**
   * A stable imgproxy option string of every field that changes the encoded image, in a fixed
   * order, for use as a cache key. Equal meanings give equal strings: aliases, argument forms and
   * settings that cannot matter (a disabled watermark's position, a disabled extend's gravity)
   * disappear. Fields that only shape response headers (expires, filename, return_attachment) are
   * left out. The string parses back to options with the same canonical form.
   */
  public String canonical() {
    return OptionTable.canonical(this);
  }

  /** The shortest decimal that reads back as {@code d}, without exponent or trailing zeros. */
  static String num(double d) {
    if (d == Math.rint(d) && Math.abs(d) < 1e15) {
      return Long.toString((long) d);
    }
    return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
  }

  private Object[] values() {
    return new Object[] {
      resizingType,
      width,
      height,
      minWidth,
      minHeight,
      zoomX,
      zoomY,
      dpr,
      enlarge,
      extend,
      extendAspectRatio,
      gravity,
      cropWidth,
      cropHeight,
      cropGravity,
      trim,
      padding,
      autoRotate,
      rotate,
      flipHorizontal,
      flipVertical,
      flatten,
      background,
      blur,
      sharpen,
      pixelate,
      watermark,
      stripMetadata,
      keepCopyright,
      stripColorProfile,
      enforceThumbnail,
      quality,
      formatQuality,
      maxBytes,
      format,
      page,
      pages,
      disableAnimation,
      skipProcessing,
      raw,
      cachebuster,
      expires,
      filename,
      returnAttachment
    };
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Options other && Arrays.equals(values(), other.values());
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(values());
  }

  @Override
  public String toString() {
    return "Options["
        + canonical()
        + (expires > 0 ? "/exp:" + expires : "")
        + (filename.isEmpty() ? "" : "/fn:" + filename)
        + (returnAttachment ? "/att:1" : "")
        + ']';
  }

  /**
   * Collects option values, checking each as it is set; {@link IllegalArgumentException} reports
   * programmatic misuse. Not thread-safe.
   */
  public static final class Builder {
    private ResizingType resizingType = ResizingType.FIT;
    private int width;
    private int height;
    private int minWidth;
    private int minHeight;
    private double zoomX = 1;
    private double zoomY = 1;
    private double dpr = 1;
    private boolean enlarge;
    private Extend extend = Extend.OFF;
    private Extend extendAspectRatio = Extend.OFF;
    private Gravity gravity = Gravity.CENTER;
    private double cropWidth;
    private double cropHeight;
    private Gravity cropGravity;
    private Trim trim = Trim.OFF;
    private Padding padding = Padding.NONE;
    private boolean autoRotate = true;
    private int rotate;
    private boolean flipHorizontal;
    private boolean flipVertical;
    private boolean flatten;
    private Rgb background = Rgb.WHITE;
    private double blur;
    private double sharpen;
    private int pixelate;
    private Watermark watermark = Watermark.OFF;
    private boolean stripMetadata = true;
    private boolean keepCopyright = true;
    private boolean stripColorProfile = true;
    private boolean enforceThumbnail;
    private int quality;
    private final EnumMap<ImageFormat, Integer> formatQuality = new EnumMap<>(ImageFormat.class);
    private int maxBytes;
    private ImageFormat format;
    private int page;
    private int pages = 1;
    private boolean disableAnimation;
    private final EnumSet<ImageFormat> skipProcessing = EnumSet.noneOf(ImageFormat.class);
    private boolean raw;
    private String cachebuster = "";
    private long expires;
    private String filename = "";
    private boolean returnAttachment;

    private Builder() {}

    private Builder(Options o) {
      resizingType = o.resizingType;
      width = o.width;
      height = o.height;
      minWidth = o.minWidth;
      minHeight = o.minHeight;
      zoomX = o.zoomX;
      zoomY = o.zoomY;
      dpr = o.dpr;
      enlarge = o.enlarge;
      extend = o.extend;
      extendAspectRatio = o.extendAspectRatio;
      gravity = o.gravity;
      cropWidth = o.cropWidth;
      cropHeight = o.cropHeight;
      cropGravity = o.cropGravity;
      trim = o.trim;
      padding = o.padding;
      autoRotate = o.autoRotate;
      rotate = o.rotate;
      flipHorizontal = o.flipHorizontal;
      flipVertical = o.flipVertical;
      flatten = o.flatten;
      background = o.background;
      blur = o.blur;
      sharpen = o.sharpen;
      pixelate = o.pixelate;
      watermark = o.watermark;
      stripMetadata = o.stripMetadata;
      keepCopyright = o.keepCopyright;
      stripColorProfile = o.stripColorProfile;
      enforceThumbnail = o.enforceThumbnail;
      quality = o.quality;
      formatQuality.putAll(o.formatQuality);
      maxBytes = o.maxBytes;
      format = o.format;
      page = o.page;
      pages = o.pages;
      disableAnimation = o.disableAnimation;
      skipProcessing.addAll(o.skipProcessing);
      raw = o.raw;
      cachebuster = o.cachebuster;
      expires = o.expires;
      filename = o.filename;
      returnAttachment = o.returnAttachment;
    }

    public Builder resizingType(ResizingType v) {
      resizingType = Objects.requireNonNull(v, "resizingType");
      return this;
    }

    public Builder width(int v) {
      width = nonNegative("width", v);
      return this;
    }

    public Builder height(int v) {
      height = nonNegative("height", v);
      return this;
    }

    /** Sets width and height. */
    public Builder size(int w, int h) {
      return width(w).height(h);
    }

    public Builder minWidth(int v) {
      minWidth = nonNegative("minWidth", v);
      return this;
    }

    public Builder minHeight(int v) {
      minHeight = nonNegative("minHeight", v);
      return this;
    }

    /** Sets both zoom factors. */
    public Builder zoom(double v) {
      return zoom(v, v);
    }

    public Builder zoom(double x, double y) {
      zoomX = positive("zoom x", x);
      zoomY = positive("zoom y", y);
      return this;
    }

    public Builder dpr(double v) {
      dpr = positive("dpr", v);
      return this;
    }

    public Builder enlarge(boolean v) {
      enlarge = v;
      return this;
    }

    public Builder extend(Extend v) {
      extend = Objects.requireNonNull(v, "extend");
      return this;
    }

    public Builder extendAspectRatio(Extend v) {
      extendAspectRatio = Objects.requireNonNull(v, "extendAspectRatio");
      return this;
    }

    /** The main gravity: a compass type, smart or a focus point. */
    public Builder gravity(Gravity v) {
      gravity = cropGravityType("gravity", v);
      return this;
    }

    /** Pre-resize crop; each side 0 (none), a fraction below 1, or pixels. */
    public Builder crop(double w, double h) {
      cropWidth = nonNegative("crop width", w);
      cropHeight = nonNegative("crop height", h);
      return this;
    }

    /** Pre-resize crop with its own gravity; {@code null} makes it follow the main gravity. */
    public Builder crop(double w, double h, Gravity g) {
      crop(w, h);
      cropGravity = g == null ? null : cropGravityType("crop gravity", g);
      return this;
    }

    public Builder trim(Trim v) {
      trim = Objects.requireNonNull(v, "trim");
      return this;
    }

    public Builder padding(Padding v) {
      padding = Objects.requireNonNull(v, "padding");
      return this;
    }

    public Builder autoRotate(boolean v) {
      autoRotate = v;
      return this;
    }

    /** Clockwise rotation: 0, 90, 180 or 270. */
    public Builder rotate(int v) {
      if (v != 0 && v != 90 && v != 180 && v != 270) {
        throw new IllegalArgumentException("rotate must be 0, 90, 180 or 270: " + v);
      }
      rotate = v;
      return this;
    }

    public Builder flip(boolean horizontal, boolean vertical) {
      flipHorizontal = horizontal;
      flipVertical = vertical;
      return this;
    }

    /** Requests a background: sets the colour and turns flattening on. */
    public Builder background(Rgb v) {
      background = Objects.requireNonNull(v, "background");
      flatten = true;
      return this;
    }

    /**
     * Sets the colour and the flattening flag separately, as imgproxy keeps them ("bg:" disables
     * flattening but keeps the colour).
     */
    public Builder background(Rgb v, boolean flatten) {
      background = Objects.requireNonNull(v, "background");
      this.flatten = flatten;
      return this;
    }

    public Builder blur(double v) {
      blur = nonNegative("blur", v);
      return this;
    }

    public Builder sharpen(double v) {
      sharpen = nonNegative("sharpen", v);
      return this;
    }

    public Builder pixelate(int v) {
      pixelate = nonNegative("pixelate", v);
      return this;
    }

    public Builder watermark(Watermark v) {
      watermark = Objects.requireNonNull(v, "watermark");
      return this;
    }

    public Builder stripMetadata(boolean v) {
      stripMetadata = v;
      return this;
    }

    public Builder keepCopyright(boolean v) {
      keepCopyright = v;
      return this;
    }

    public Builder stripColorProfile(boolean v) {
      stripColorProfile = v;
      return this;
    }

    public Builder enforceThumbnail(boolean v) {
      enforceThumbnail = v;
      return this;
    }

    /** Quality 0..100; 0 for the default. */
    public Builder quality(int v) {
      quality = percent("quality", v);
      return this;
    }

    /** Adds or replaces the quality for one format (0..100). */
    public Builder formatQuality(ImageFormat f, int q) {
      formatQuality.put(Objects.requireNonNull(f, "format"), percent("format quality", q));
      return this;
    }

    public Builder maxBytes(int v) {
      maxBytes = nonNegative("maxBytes", v);
      return this;
    }

    /** The output format, one imgd can write; {@code null} for the source's format. */
    public Builder format(ImageFormat v) {
      if (v != null && !v.isOutput()) {
        throw new IllegalArgumentException("not an output format: " + v);
      }
      format = v;
      return this;
    }

    public Builder page(int v) {
      page = nonNegative("page", v);
      return this;
    }

    public Builder pages(int v) {
      if (v < 1) {
        throw new IllegalArgumentException("pages must be >= 1: " + v);
      }
      pages = v;
      return this;
    }

    public Builder disableAnimation(boolean v) {
      disableAnimation = v;
      return this;
    }

    /** Adds source formats that are passed through unprocessed. */
    public Builder skipProcessing(ImageFormat... formats) {
      for (ImageFormat f : formats) {
        skipProcessing.add(Objects.requireNonNull(f, "format"));
      }
      return this;
    }

    public Builder raw(boolean v) {
      raw = v;
      return this;
    }

    /** A cache buster; it cannot hold ':' or '/', as it could not come from a URL segment. */
    public Builder cachebuster(String v) {
      cachebuster = urlArgument("cachebuster", v);
      return this;
    }

    /** Unix time in seconds after which the URL is refused; 0 for none. */
    public Builder expires(long v) {
      expires = v;
      return this;
    }

    public Builder filename(String v) {
      filename = Objects.requireNonNull(v, "filename");
      return this;
    }

    public Builder returnAttachment(boolean v) {
      returnAttachment = v;
      return this;
    }

    public Options build() {
      return new Options(this);
    }

    // imgproxy's gravity option and crop gravity accept compass, smart and focus point
    private static Gravity cropGravityType(String what, Gravity g) {
      Objects.requireNonNull(g, what);
      if (g.type() == GravityType.REPLICATE) {
        throw new IllegalArgumentException(what + " cannot be " + g.type().id());
      }
      return g;
    }

    private static int nonNegative(String what, int v) {
      if (v < 0) {
        throw new IllegalArgumentException(what + " must be >= 0: " + v);
      }
      return v;
    }

    private static double nonNegative(String what, double v) {
      if (!(v >= 0) || Double.isInfinite(v)) {
        throw new IllegalArgumentException(what + " must be a finite number >= 0: " + v);
      }
      return v;
    }

    private static double positive(String what, double v) {
      if (!(v > 0) || Double.isInfinite(v)) {
        throw new IllegalArgumentException(what + " must be a finite number > 0: " + v);
      }
      return v;
    }

    private static int percent(String what, int v) {
      if (v < 0 || v > 100) {
        throw new IllegalArgumentException(what + " must be 0..100: " + v);
      }
      return v;
    }

    private static String urlArgument(String what, String v) {
      Objects.requireNonNull(v, what);
      if (v.indexOf(':') >= 0 || v.indexOf('/') >= 0) {
        throw new IllegalArgumentException(what + " cannot contain ':' or '/': " + v);
      }
      return v;
    }
  }
}
