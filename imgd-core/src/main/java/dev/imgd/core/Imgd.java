package dev.imgd.core;

import dev.imgd.core.options.Options;
import dev.imgd.core.options.OptionsParser;
import dev.imgd.core.options.Watermark;
import dev.imgd.core.plan.Encoded;
import dev.imgd.core.plan.Page;
import dev.imgd.core.plan.Plan;
import dev.imgd.core.plan.Planner;
import dev.imgd.core.probe.Probe;
import dev.imgd.core.probe.ProbeResult;
import dev.imgd.core.probe.Vectors;
import dev.imgd.vips.Vips;
import dev.imgd.vips.VipsSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * imgd's engine, embedded: bytes or a stream in, a verified image out, with the same probe, limits,
 * pipeline and errors as the server. Safe for concurrent use from any thread, virtual threads
 * included: libvips work runs on the engine's own bounded pool of platform threads.
 *
 * <pre>{@code
 * try (Imgd imgd = Imgd.builder().build()) {
 *   Imgd.Result thumb = imgd.process(bytes, Options.builder().width(300).build());
 *   Imgd.Result same = imgd.process(bytes, "rs:fill:300:200/g:sm/q:80/f:webp");
 * }
 * }</pre>
 *
 * Every failure is an {@link ImgdException} with an {@link ErrorCode}.
 */
public final class Imgd implements AutoCloseable {
  private final Limits limits;
  private final long maxSourceBytes;
  private final Duration timeout;
  private final Engine engine;
  private final Map<ImageFormat, Planner> planners = new EnumMap<>(ImageFormat.class);
  private final OptionsParser parser;
  private final byte @Nullable [] watermark;
  private final double watermarkOpacity;

  private Imgd(Builder b) {
    if (b.engine != null) {
      this.engine = b.engine;
    } else {
      if (!Vips.isStarted()) {
        Vips.start(
            VipsSettings.defaults(
                    b.library != null ? b.library : VipsSettings.libraryFromEnvironment())
                .withLoaders(ImageFormat.loaderClasses(EnumSet.of(ImageFormat.Reach.IN_PROCESS))));
      }
      this.engine = Engine.inProcess(b.threads);
    }
    this.limits = b.limits;
    this.maxSourceBytes = b.maxSourceBytes;
    this.timeout = b.timeout;
    this.watermark = b.watermark;
    this.watermarkOpacity = b.watermarkOpacity;
    // A planner per input format: what can be written depends on which libvips reads the input.
    Set<ImageFormat> reads = engine.reads();
    for (ImageFormat input : ImageFormat.values()) {
      planners.put(input, new Planner(b.limits, reads, engine.writes(input), b.lenient));
    }
    this.parser = new OptionsParser(b.presets);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A processed image: verified bytes and what they are. */
  // A payload handed to the caller, never compared or used as a key.
  @SuppressWarnings("ArrayRecordComponent")
  public record Result(
      byte[] bytes, ImageFormat format, int width, int height, int frames, Plan plan) {
    public String mimeType() {
      return format.mimeType();
    }
  }

  /** Reads the header only: format, size, frames, metadata sizes; checks nothing. */
  public ProbeResult probe(byte[] source) {
    return Probe.read(source);
  }

  /** Parses options in imgproxy's URL syntax, with this engine's presets. */
  public Options parse(String imgproxyOptions) {
    return parser.parse(imgproxyOptions);
  }

  /** Processes with options in imgproxy's URL syntax, e.g. "rs:fit:720:0/q:80/f:webp". */
  public Result process(byte[] source, String imgproxyOptions) {
    return process(source, parser.parse(imgproxyOptions));
  }

  /** Reads at most the configured source size from the stream (FM-02), then processes. */
  public Result process(InputStream source, Options options) {
    return process(readCapped(source), options);
  }

  /** Processes within the engine's timeout (default 30 s). */
  public Result process(byte[] source, Options options) {
    return process(source, options, Instant.now().plus(timeout));
  }

  /** Processes, failing with DEADLINE_EXCEEDED if the result is not ready by the deadline. */
  public Result process(byte[] source, Options options, Instant deadline) {
    Objects.requireNonNull(deadline, "deadline");
    return run(source, plan(source, options, deadline), deadline);
  }

  /**
   * Runs a plan made by {@link #plan(byte[], Options, Instant)} for the same source, with the
   * configured watermark image.
   */
  public Result run(byte[] source, Plan plan, Instant deadline) {
    if (!plan.options().watermark().url().isEmpty() && plan.options().watermark().enabled()) {
      throw new ImgdException(
          ErrorCode.BAD_OPTIONS,
          "watermark_url is fetched by the caller: run the plan with the image it names");
    }
    return run(
        source, plan, placesConfiguredWatermark(plan.options()) ? watermark : null, deadline);
  }

  /**
   * Runs a plan with {@code watermark} as the watermark image, in place of the configured one (the
   * image a {@code watermark_url} names, fetched and probed by the caller).
   */
  public Result run(byte[] source, Plan plan, byte @Nullable [] watermark, Instant deadline) {
    Encoded out = engine.run(source, plan, watermark, deadline);
    return new Result(out.bytes(), out.format(), out.width(), out.height(), out.frames(), plan);
  }

  /** Plans without running: what would be done, and the memory it would take. */
  public Plan plan(byte[] source, Options options) {
    return plan(source, options, Instant.now().plus(timeout));
  }

  /**
   * Probe, limits and plan; a vector document is first measured by the engine (the only step before
   * the plan that runs a decoder, hence in an isolated worker).
   */
  public Plan plan(byte[] source, Options options, Instant deadline) {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(options, "options");
    long maxBytes = options.security().sourceBytes(maxSourceBytes);
    if (source.length > maxBytes) {
      throw tooLarge(source.length, maxBytes);
    }
    for (Options pass : options.passes().subList(0, options.passes().size() - 1)) {
      if (pass.watermark().enabled() && !pass.watermark().url().isEmpty()) {
        throw new ImgdException(
            ErrorCode.BAD_OPTIONS,
            "watermark_url works in the last pass of a chained pipeline only");
      }
    }
    if (placesConfiguredWatermark(options) && watermark == null) {
      throw new ImgdException(
          ErrorCode.BAD_OPTIONS,
          "a watermark was asked for, but no watermark image is configured (the server's"
              + " IMGD_WATERMARK_PATH, IMGD_WATERMARK_DATA or IMGD_WATERMARK_URL) and the URL"
              + " names none (watermark_url, watermark_text)");
    }
    if (watermarkOpacity < 1) {
      List<Options> earlier = new ArrayList<>();
      for (Options pass : options.passes().subList(0, options.passes().size() - 1)) {
        earlier.add(withBaseOpacity(pass));
      }
      options = withBaseOpacity(options).toBuilder().earlierPasses(earlier).build();
    }
    ProbeResult probe = Probe.check(source, limits);
    Limits asked = options.security().tighten(limits, probe.frames() > 1);
    if (!asked.equals(limits)) {
      probe = Probe.check(source, asked); // the request's own limits, once its frames are known
    }
    Planner planner = Objects.requireNonNull(planners.get(probe.format())); // one per format
    if (probe.format().isVector()) {
      planner.checkReadable(probe.format());
      Vectors.check(probe.format(), source);
      int page = Math.max(0, options.passes().getFirst().input().page());
      Page measured = engine.measure(source, probe.format(), page, deadline);
      Vectors.checkPage(
          probe.format(), measured.width(), measured.height(), measured.pages(), page, asked);
      probe = probe.withMeasuredSize(measured.width(), measured.height());
    }
    return planner.plan(probe, options);
  }

  /** Whether a pass places the configured image (not one a URL names, not a text). */
  private static boolean placesConfiguredWatermark(Options options) {
    return options.passes().stream()
        .map(Options::watermark)
        .anyMatch(w -> w.enabled() && w.url().isEmpty() && w.text().isEmpty());
  }

  /**
   * imgproxy: the final opacity is the base opacity (IMGD_WATERMARK_OPACITY) times the option's.
   */
  private Options withBaseOpacity(Options pass) {
    Watermark wm = pass.watermark();
    if (!wm.enabled()) {
      return pass;
    }
    double opacity = wm.opacity() * watermarkOpacity;
    return pass.toBuilder()
        .watermark(wm.withPlacement(opacity > 0, opacity, wm.position(), wm.scale()))
        .build();
  }

  private byte[] readCapped(InputStream in) {
    try (in) {
      byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxSourceBytes + 1));
      if (bytes.length > maxSourceBytes) {
        throw tooLarge(bytes.length, maxSourceBytes);
      }
      return bytes;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ImgdException tooLarge(long size, long limit) {
    return new ImgdException(
        ErrorCode.TOO_LARGE,
        "the source has " + size + "+ bytes, over the " + limit + " byte limit");
  }

  /** The engine this instance runs plans on. */
  public Engine engine() {
    return engine;
  }

  /** Stops the engine; in-flight jobs finish first. */
  @Override
  public void close() {
    engine.close();
  }

  /** Engine settings; every one has a safe default. */
  public static final class Builder {
    private @Nullable Path library;
    private Limits limits = Limits.DEFAULTS;
    private long maxSourceBytes = 50L << 20;
    private int threads = Runtime.getRuntime().availableProcessors();
    private boolean lenient;
    private byte @Nullable [] watermark;
    private double watermarkOpacity = 1;
    private Map<String, String> presets = Map.of();
    private Duration timeout = Duration.ofSeconds(30);
    private @Nullable Engine engine;

    private Builder() {}

    /**
     * The engine to run plans on, e.g. isolated workers (imgd-worker); closed with this instance.
     * Default: {@link Engine#inProcess} with {@link #threads} threads on {@link #library}.
     */
    public Builder engine(Engine engine) {
      this.engine = Objects.requireNonNull(engine, "engine");
      return this;
    }

    /** How long {@link #process(byte[], Options)} may take (default 30 s). */
    public Builder timeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout must be positive: " + timeout);
      }
      this.timeout = timeout;
      return this;
    }

    /** The libvips library; default: IMGD_LIBVIPS as the launcher sets it. */
    public Builder library(Path library) {
      this.library = Objects.requireNonNull(library, "library");
      return this;
    }

    public Builder limits(Limits limits) {
      this.limits = Objects.requireNonNull(limits, "limits");
      return this;
    }

    /** Largest source accepted, in bytes (default 50 MiB). */
    public Builder maxSourceBytes(long bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("maxSourceBytes must be >= 1: " + bytes);
      }
      this.maxSourceBytes = bytes;
      return this;
    }

    /** In-process images at once (default: one per core); each uses one libvips thread. */
    public Builder threads(int threads) {
      if (threads < 1 || threads > 1024) {
        throw new IllegalArgumentException("threads must be in [1, 1024]: " + threads);
      }
      this.threads = threads;
      return this;
    }

    /** Accept truncated input, grey-filled, instead of refusing it (default false). */
    public Builder lenient(boolean lenient) {
      this.lenient = lenient;
      return this;
    }

    /** The watermark image used by the watermark option. */
    public Builder watermark(byte[] image) {
      this.watermark = image.clone();
      return this;
    }

    /**
     * The base opacity of every watermark, 0..1 (default 1): the option's opacity multiplies it, as
     * imgproxy's IMGPROXY_WATERMARK_OPACITY.
     */
    public Builder watermarkOpacity(double opacity) {
      if (!(opacity >= 0 && opacity <= 1)) {
        throw new IllegalArgumentException("watermarkOpacity must be in [0, 1]: " + opacity);
      }
      this.watermarkOpacity = opacity;
      return this;
    }

    /** Named option strings for {@code pr:name}; "default" applies to every request. */
    public Builder presets(Map<String, String> presets) {
      this.presets = Map.copyOf(presets);
      return this;
    }

    public Imgd build() {
      return new Imgd(this);
    }
  }
}
