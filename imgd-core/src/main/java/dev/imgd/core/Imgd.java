package dev.imgd.core;

import dev.imgd.core.options.Options;
import dev.imgd.core.options.OptionsParser;
import dev.imgd.core.pipeline.Pipeline;
import dev.imgd.core.plan.Plan;
import dev.imgd.core.plan.Planner;
import dev.imgd.core.probe.Probe;
import dev.imgd.core.probe.ProbeResult;
import dev.imgd.vips.Capabilities;
import dev.imgd.vips.Vips;
import dev.imgd.vips.VipsSettings;
import dev.imgd.vips.VipsThreads;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

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
  private final Planner planner;
  private final OptionsParser parser;
  private final byte[] watermark;
  private final ExecutorService pool;

  private Imgd(Builder b) {
    if (!Vips.isStarted()) {
      Vips.start(
          VipsSettings.defaults(
              b.library != null ? b.library : VipsSettings.libraryFromEnvironment()));
    }
    Capabilities caps = Vips.capabilities();
    this.limits = b.limits;
    this.maxSourceBytes = b.maxSourceBytes;
    this.watermark = b.watermark;
    this.planner = new Planner(b.limits, readable(caps), writable(caps), b.lenient);
    this.parser = new OptionsParser(b.presets);
    this.pool = VipsThreads.pool("imgd-engine", b.threads);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A processed image: verified bytes and what they are. */
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

  public Result process(byte[] source, Options options) {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(options, "options");
    if (source.length > maxSourceBytes) {
      throw tooLarge(source.length);
    }
    if (options.watermark().enabled() && watermark == null) {
      throw new ImgdException(
          ErrorCode.BAD_OPTIONS, "a watermark was asked for, but no watermark image is configured");
    }
    ProbeResult probe = Probe.check(source, limits);
    Plan plan = planner.plan(probe, options);
    Pipeline.Encoded out = run(source, plan);
    return new Result(out.bytes(), out.format(), out.width(), out.height(), out.frames(), plan);
  }

  /** Plans without running: what would be done, and the memory it would take. */
  public Plan plan(byte[] source, Options options) {
    return planner.plan(Probe.check(source, limits), options);
  }

  private Pipeline.Encoded run(byte[] source, Plan plan) {
    Future<Pipeline.Encoded> job = pool.submit(() -> Pipeline.run(source, plan, watermark));
    try {
      return job.get();
    } catch (InterruptedException e) {
      job.cancel(true);
      Thread.currentThread().interrupt();
      throw new ImgdException(ErrorCode.DEADLINE_EXCEEDED, "interrupted while processing", e);
    } catch (CancellationException e) {
      throw new ImgdException(ErrorCode.DEADLINE_EXCEEDED, "processing was cancelled", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof ImgdException ie) {
        throw ie;
      }
      throw new ImgdException(ErrorCode.ENGINE_FAILED, "image processing failed", e.getCause());
    }
  }

  private byte[] readCapped(InputStream in) {
    try (in) {
      byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxSourceBytes + 1));
      if (bytes.length > maxSourceBytes) {
        throw tooLarge(bytes.length);
      }
      return bytes;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private ImgdException tooLarge(long size) {
    return new ImgdException(
        ErrorCode.TOO_LARGE,
        "the source has " + size + "+ bytes, over the " + maxSourceBytes + " byte limit");
  }

  private static Set<ImageFormat> readable(Capabilities caps) {
    Set<ImageFormat> s = EnumSet.noneOf(ImageFormat.class);
    for (Capabilities.Format f : caps.reads()) {
      ImageFormat.fromExtension(f.name()).ifPresent(s::add);
    }
    // SVG, PDF and TIFF are reachable only through isolated workers (not in-process).
    s.removeAll(EnumSet.of(ImageFormat.SVG, ImageFormat.PDF, ImageFormat.TIFF));
    return s;
  }

  private static Set<ImageFormat> writable(Capabilities caps) {
    Set<ImageFormat> s = EnumSet.noneOf(ImageFormat.class);
    for (Capabilities.Format f : caps.writes()) {
      ImageFormat.fromExtension(f.name()).filter(ImageFormat::isOutput).ifPresent(s::add);
    }
    return s;
  }

  /** Stops the engine's threads; in-flight jobs finish first. */
  @Override
  public void close() {
    pool.shutdown();
  }

  /** Engine settings; every one has a safe default. */
  public static final class Builder {
    private Path library;
    private Limits limits = Limits.DEFAULTS;
    private long maxSourceBytes = 50L << 20;
    private int threads = Runtime.getRuntime().availableProcessors();
    private boolean lenient;
    private byte[] watermark;
    private Map<String, String> presets = Map.of();

    private Builder() {}

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

    /** Images processed at once (default: one per core); each uses one libvips thread. */
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
