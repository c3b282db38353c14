package dev.imgd.core;

import dev.imgd.vips.Capabilities;
import dev.imgd.vips.Vips;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The format registry: each constant is the one spec of a format imgd reads or writes (its MIME
 * type, extensions, libvips loader and saver, default quality, memory cost and what it can do).
 * Code asks the spec and never compares formats by name; the probe's readers (dev.imgd.core.probe)
 * recognise the bytes. Adding a format is a constant here and a reader there.
 */
// Its fields are immutable copies (List.copyOf, Map.copyOf, Set.copyOf) typed as interfaces.
@SuppressWarnings("ImmutableEnumChecker")
public enum ImageFormat {
  JPEG(
      "image/jpeg",
      List.of("jpg", "jpeg"),
      "jpegload_buffer",
      "VipsForeignLoadJpeg",
      "jpegsave_buffer",
      Map.of("optimize_coding", true),
      80,
      new Memory(0, 0, 2, 2),
      Reach.IN_PROCESS,
      null,
      Trait.OUTPUT,
      Trait.LOSSY,
      Trait.LOAD_SHRINK,
      Trait.FAIL_ON_WARNING),
  PNG(
      "image/png",
      List.of("png"),
      "pngload_buffer",
      "VipsForeignLoadPng",
      "pngsave_buffer",
      Map.of("compression", 6),
      80,
      new Memory(0, 1, 0, 0),
      Reach.IN_PROCESS,
      null,
      Trait.OUTPUT,
      Trait.ALPHA,
      Trait.HIGH_DEPTH),
  WEBP(
      "image/webp",
      List.of("webp"),
      "webpload_buffer",
      "VipsForeignLoadWebp",
      "webpsave_buffer",
      Map.of(),
      79,
      new Memory(1, 1, 0, 6),
      Reach.IN_PROCESS,
      null,
      Trait.OUTPUT,
      Trait.LOSSY,
      Trait.ALPHA,
      Trait.ANIMATION,
      Trait.LOAD_SCALE,
      Trait.PAGES),
  GIF(
      "image/gif",
      List.of("gif"),
      "gifload_buffer",
      "VipsForeignLoadNsgif",
      "gifsave_buffer",
      Map.of(),
      80,
      new Memory(2, 2, 0, 8), // the frame and the canvas it is drawn on
      Reach.IN_PROCESS,
      null,
      Trait.OUTPUT,
      Trait.ALPHA,
      Trait.ANIMATION,
      Trait.PAGES),
  AVIF(
      "image/avif",
      List.of("avif"),
      "heifload_buffer",
      "VipsForeignLoadHeif",
      "heifsave_buffer",
      Map.of("compression", "av1", "effort", 4),
      63,
      new Memory(1, 1, 0, 12),
      Reach.IN_PROCESS,
      "libheif with an AV1 encoder, as in the npm libvips 8.18 build",
      Trait.OUTPUT,
      Trait.LOSSY,
      Trait.ALPHA,
      Trait.CODEC_PLUGIN,
      Trait.PAGES,
      Trait.HEAVY_ENCODER,
      Trait.HIGH_DEPTH),
  HEIC(
      "image/heic",
      List.of("heic", "heif"),
      "heifload_buffer",
      "VipsForeignLoadHeif",
      "heifsave_buffer",
      Map.of("compression", "hevc"),
      80,
      new Memory(1, 1, 0, 12),
      Reach.IN_PROCESS,
      "a libvips whose libheif has an HEVC codec (Debian's libvips42: IMGD_LIBVIPS=<path to libvips.so.42>)",
      Trait.OUTPUT,
      Trait.LOSSY,
      Trait.ALPHA,
      Trait.CODEC_PLUGIN,
      Trait.PAGES,
      Trait.HEAVY_ENCODER),
  JXL(
      "image/jxl",
      List.of("jxl"),
      "jxlload_buffer",
      "VipsForeignLoadJxl",
      "jxlsave_buffer",
      Map.of(),
      77,
      new Memory(1, 1, 0, 12),
      Reach.WORKER, // libvips 8.14 marks its libjxl loader untrusted
      "a libvips built with libjxl (Debian's libvips42)",
      Trait.OUTPUT,
      Trait.LOSSY,
      Trait.ALPHA,
      Trait.HEAVY_ENCODER),
  TIFF(
      "image/tiff",
      List.of("tiff", "tif"),
      "tiffload_buffer",
      "VipsForeignLoadTiff",
      "tiffsave_buffer",
      Map.of("compression", "lzw"),
      80,
      new Memory(1, 1, 0, 0),
      // Only in workers: a few bytes of tile offsets that all point at one tile make 49 MP of
      // pixels within the limits (FM-01); the worker's memory cap and deadline bound them.
      Reach.WORKER,
      null,
      Trait.OUTPUT,
      Trait.ALPHA,
      Trait.PAGES),
  SVG(
      "image/svg+xml",
      List.of("svg"),
      "svgload_buffer",
      "VipsForeignLoadSvg",
      null,
      Map.of(),
      80,
      new Memory(1, 1, 0, 0),
      Reach.WORKER,
      null,
      Trait.ALPHA,
      Trait.VECTOR,
      Trait.SANITIZED_OUTPUT),
  PDF(
      "application/pdf",
      List.of("pdf"),
      "pdfload_buffer",
      "VipsForeignLoadPdf",
      null,
      Map.of(),
      80,
      new Memory(1, 1, 0, 0),
      Reach.WORKER,
      "a libvips built with poppler or pdfium (Debian's libvips42)",
      Trait.ALPHA,
      Trait.VECTOR,
      Trait.PAGES),
  BMP(
      "image/bmp",
      List.of("bmp"),
      null,
      null,
      null,
      Map.of(),
      80,
      // the decoded pixels and their copy into libvips; the result's pixels and the file
      new Memory(2, 2, 0, 8),
      Reach.IN_PROCESS,
      null,
      Trait.OUTPUT,
      Trait.ALPHA,
      Trait.OWN_CODEC),
  ICO(
      "image/x-icon",
      List.of("ico"),
      "pngload_buffer", // for its PNG entries; bitmap entries are imgd's own
      "VipsForeignLoadPng",
      "pngsave_buffer", // its one entry
      Map.of("compression", 6),
      80,
      new Memory(2, 2, 0, 8),
      Reach.IN_PROCESS,
      null,
      Trait.OUTPUT,
      Trait.ALPHA,
      Trait.OWN_CODEC);

  /** Where a format's loader may run. */
  public enum Reach {
    /** In the server's process and in workers. */
    IN_PROCESS,
    /** Only in isolated workers: the loader parses a document or a container it trusts (FM-20). */
    WORKER
  }

  /**
   * What a format's codec holds in native memory beyond libvips' window of scanlines, for the
   * memory model (FM-16); fitted to libvips 8.18 (bench/pipeline.sh).
   *
   * @param frames whole loaded frames its decoder holds; 0 when it streams scanlines
   * @param progressiveFrames the same for a progressive or interlaced image
   * @param progressiveSourceBytes bytes per source sample a progressive image holds at full size,
   *     whatever the shrink (JPEG's DCT coefficients)
   * @param encoderBytes bytes per result pixel its encoder holds; 0 for a row's worth
   */
  public record Memory(
      int frames, int progressiveFrames, int progressiveSourceBytes, int encoderBytes) {}

  /** What a format can do. */
  public enum Trait {
    /** imgd encodes it. */
    OUTPUT,
    /** Its encoder takes a quality. */
    LOSSY,
    /** It keeps an alpha channel. */
    ALPHA,
    /** It stores several frames, and imgd writes them. */
    ANIMATION,
    /** Its loader decodes at 1/n of the size, given "shrink" n (JPEG's DCT scaling). */
    LOAD_SHRINK,
    /** Its loader decodes at a fraction of the size, given "scale" (WebP's scaler). */
    LOAD_SCALE,
    /** Its loader takes "page" and "n": several pages or frames. */
    PAGES,
    /**
     * Its decoder only warns when the data ends early (libjpeg at a marker), so a load fails on
     * warnings; "truncated" would grey-fill the rest (FM-11).
     */
    FAIL_ON_WARNING,
    /** Its encoder is the memory-hungry one: skipped under memory pressure for the next choice. */
    HEAVY_ENCODER,
    /** A document measured and rendered by the loader, only in isolated workers. */
    VECTOR,
    /** Its codec is a libheif plugin: only a round trip proves it. */
    CODEC_PLUGIN,
    /** It holds more than 8 bits per sample (16 for PNG, 12 for AVIF): preserve_hdr keeps them. */
    HIGH_DEPTH,
    /**
     * Answered only as the source itself, sanitized, never encoded (SVG, as imgproxy: a raster
     * image cannot become one).
     */
    SANITIZED_OUTPUT,
    /**
     * Decoded and encoded by imgd's own pure-Java codec (dev.imgd.core.bmp): BMP and ICO, which no
     * libvips build here reads without ImageMagick. Its loader and saver, if any, are those of the
     * PNG images an ICO holds.
     */
    OWN_CODEC
  }

  private final String mimeType;
  private final List<String> extensions;
  private final @Nullable String loader;
  private final @Nullable String loaderClass;
  private final @Nullable String saver;
  private final Map<String, Object> saveOptions;
  private final int defaultQuality;
  private final Memory memory;
  private final Reach reach;
  private final @Nullable String buildNeeds;
  private final Set<Trait> traits;

  ImageFormat(
      String mimeType,
      List<String> extensions,
      @Nullable String loader,
      @Nullable String loaderClass,
      @Nullable String saver,
      Map<String, Object> saveOptions,
      int defaultQuality,
      Memory memory,
      Reach reach,
      @Nullable String buildNeeds,
      Trait... traits) {
    this.mimeType = mimeType;
    this.extensions = List.copyOf(extensions);
    this.loader = loader;
    this.loaderClass = loaderClass;
    this.saver = saver;
    this.saveOptions = Map.copyOf(saveOptions);
    this.defaultQuality = defaultQuality;
    this.memory = memory;
    this.reach = reach;
    this.buildNeeds = buildNeeds;
    this.traits = traits.length == 0 ? Set.of() : Set.copyOf(EnumSet.of(traits[0], traits));
  }

  /** The Content-Type of an image in this format. */
  public String mimeType() {
    return mimeType;
  }

  /** The canonical extension, as imgproxy writes it ("jpg"). */
  public String extension() {
    return extensions.getFirst();
  }

  /** Every extension that names it, canonical first. */
  public List<String> extensions() {
    return extensions;
  }

  /** The libvips buffer loader, e.g. "jpegload_buffer"; none for BMP (imgd's own codec). */
  public Optional<String> loader() {
    return Optional.ofNullable(loader);
  }

  /** The libvips loader class the block list opens, e.g. "VipsForeignLoadJpeg". */
  public Optional<String> loaderClass() {
    return Optional.ofNullable(loaderClass);
  }

  /** The libvips buffer saver, if libvips has one (even where imgd writes no output). */
  public Optional<String> saver() {
    return Optional.ofNullable(saver);
  }

  /** The saver's options imgd always sets, beside quality and metadata. */
  public Map<String, Object> saveOptions() {
    return saveOptions;
  }

  /** imgproxy's default quality: IMGPROXY_QUALITY=80 and IMGPROXY_FORMAT_QUALITY. */
  public int defaultQuality() {
    return defaultQuality;
  }

  /** What its codec holds beyond libvips' scanline window. */
  public Memory memory() {
    return memory;
  }

  public Reach reach() {
    return reach;
  }

  /** What a libvips build needs to read (or, for an output, write) it, where builds differ. */
  public Optional<String> buildNeeds() {
    return Optional.ofNullable(buildNeeds);
  }

  public boolean has(Trait trait) {
    return traits.contains(trait);
  }

  /** Vector documents: measured and rendered by the loader, only in isolated workers. */
  public boolean isVector() {
    return has(Trait.VECTOR);
  }

  /** Whether its loader decodes at a fraction of the size (shrink-on-load). */
  public boolean shrinksOnLoad() {
    return has(Trait.LOAD_SHRINK) || has(Trait.LOAD_SCALE);
  }

  /** Formats imgd can encode. */
  public boolean isOutput() {
    return has(Trait.OUTPUT);
  }

  /** Formats a request may ask for: those imgd encodes, and SVG, answered only from SVG. */
  public boolean canBeAsked() {
    return isOutput() || has(Trait.SANITIZED_OUTPUT);
  }

  /**
   * The output for a source whose own format imgd cannot write: PNG when the image has alpha, else
   * JPEG (imgproxy's rule).
   */
  public static ImageFormat fallbackOutput(boolean hasAlpha) {
    return hasAlpha ? PNG : JPEG;
  }

  /**
   * A format every libvips build imgd runs on reads in process: the outputs an engine writes for it
   * are what its main libvips writes.
   */
  public static final ImageFormat BASELINE = JPEG;

  /** The libvips loader classes to leave unblocked where the given reaches run. */
  public static Set<String> loaderClasses(Set<Reach> reaches) {
    return EnumSet.allOf(ImageFormat.class).stream()
        .filter(f -> reaches.contains(f.reach))
        .flatMap(f -> f.loaderClass().stream())
        .collect(Collectors.toUnmodifiableSet());
  }

  /** The formats of the given reaches that the libvips started in this process decodes. */
  public static Set<ImageFormat> readable(Set<Reach> reaches) {
    Capabilities caps = Vips.capabilities();
    Set<ImageFormat> s = EnumSet.noneOf(ImageFormat.class);
    for (ImageFormat f : values()) {
      if (reaches.contains(f.reach) && f.readableBy(caps)) {
        s.add(f);
      }
    }
    return s;
  }

  /** The output formats the libvips started in this process encodes. */
  public static Set<ImageFormat> writable() {
    Capabilities caps = Vips.capabilities();
    Set<ImageFormat> s = EnumSet.noneOf(ImageFormat.class);
    for (ImageFormat f : values()) {
      if (f.isOutput() && f.writableBy(caps)) {
        s.add(f);
      }
    }
    return s;
  }

  private boolean readableBy(Capabilities caps) {
    if (has(Trait.CODEC_PLUGIN)) {
      return roundTrip(caps) == Capabilities.RoundTrip.WRITES_AND_READS;
    }
    return loader == null || caps.has(loader);
  }

  private boolean writableBy(Capabilities caps) {
    if (has(Trait.CODEC_PLUGIN)) {
      return roundTrip(caps) != Capabilities.RoundTrip.NONE;
    }
    return saver == null ? has(Trait.OWN_CODEC) : caps.has(saver);
  }

  private Capabilities.RoundTrip roundTrip(Capabilities caps) {
    return caps.roundTrip(saver().orElseThrow(), loader().orElseThrow(), saveOptions);
  }

  /** Parses an extension as imgproxy writes it: "jpg", "jpeg", "png", "webp", "avif", "gif"... */
  public static Optional<ImageFormat> fromExtension(@Nullable String ext) {
    if (ext == null) {
      return Optional.empty();
    }
    String lower = ext.toLowerCase(Locale.ROOT);
    for (ImageFormat f : values()) {
      if (f.extensions.contains(lower)) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }
}
