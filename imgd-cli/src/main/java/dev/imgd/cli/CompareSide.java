package dev.imgd.cli;

import dev.imgd.core.Engine;
import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImageFormat;
import dev.imgd.core.Imgd;
import dev.imgd.core.ImgdException;
import dev.imgd.core.options.Options;
import dev.imgd.core.plan.Encoded;
import dev.imgd.core.plan.Page;
import dev.imgd.core.plan.Plan;
import dev.imgd.worker.IsolatedEngine;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * One side of {@code imgd compare}: one libvips build in isolated workers, one worker with no spare
 * (jobs run one at a time, so a job's time and its worker's memory are its own) and no quarantine
 * (an input that crashed one operation still runs the others). The engine is wrapped to time each
 * job's worker round trip and to sample the worker's resident memory while it runs.
 */
final class CompareSide implements AutoCloseable {
  /** How often the worker's RSS is read from /proc while a job runs. */
  static final Duration RSS_SAMPLE = Duration.ofMillis(2);

  /** What one job gave on this side: an image, a typed error, or a dead worker. */
  enum Status {
    OK,
    FAILED,
    CRASHED,
    SKIPPED
  }

  /**
   * One operation on one file on this side, over the runs that were made (a failure is not
   * repeated).
   *
   * @param nanos the worker round trip of each run (plan sent, image back, checked), in order
   * @param peakRss the largest worker RSS sampled during the runs, 0 when none was read
   */
  // A result holder: the output's bytes are carried, never compared.
  @SuppressWarnings("ArrayRecordComponent")
  record Attempt(
      Status status,
      @Nullable String code,
      @Nullable String message,
      byte @Nullable [] bytes,
      @Nullable ImageFormat format,
      int width,
      int height,
      int size,
      List<Long> nanos,
      long peakRss) {
    Attempt {
      nanos = List.copyOf(nanos);
    }

    static Attempt skipped(String why) {
      return new Attempt(Status.SKIPPED, null, why, null, null, 0, 0, 0, List.of(), 0);
    }

    /**
     * This run and the {@code next}: the next's outcome (a failure after a success stands), both
     * runs' times, the larger peak, the first output.
     */
    Attempt then(Attempt next) {
      List<Long> all = new ArrayList<>(nanos);
      all.addAll(next.nanos);
      long peak = Math.max(peakRss, next.peakRss);
      Attempt outcome = next.ok() ? this : next;
      return new Attempt(
          outcome.status,
          outcome.code,
          outcome.message,
          outcome.bytes,
          outcome.format,
          outcome.width,
          outcome.height,
          outcome.size,
          all,
          peak);
    }

    /** The same without the output's bytes (its size stays): rows not shown as images. */
    Attempt withoutBytes() {
      return new Attempt(status, code, message, null, format, width, height, size, nanos, peakRss);
    }

    boolean ok() {
      return status == Status.OK;
    }

    /** The median run time, or -1 without a timed run. */
    long medianNanos() {
      if (nanos.isEmpty()) {
        return -1;
      }
      List<Long> sorted = nanos.stream().sorted().toList();
      int n = sorted.size();
      return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
  }

  /** A side's libvips build, as its worker described it. */
  record Build(Path library, String version) {}

  final Build build;
  private final Measured engine;
  private final Imgd imgd;

  CompareSide(Path library, long memoryCap, byte[] watermark) {
    IsolatedEngine workers =
        IsolatedEngine.start(
            new IsolatedEngine.Settings(
                List.of(new IsolatedEngine.Pool(library, 1)),
                Duration.ofMillis(250),
                memoryCap,
                Duration.ZERO,
                false,
                null));
    this.build = new Build(library, workers.builds().getFirst().version());
    this.engine = new Measured(workers);
    this.imgd = Imgd.builder().engine(engine).watermark(watermark).build();
  }

  /** Parses options in imgproxy's syntax (both sides parse alike). */
  Options parse(String options) {
    return imgd.parse(options);
  }

  /** Runs {@code options} on {@code source} once, timed and its worker's memory sampled. */
  Attempt run(byte[] source, Options options) {
    engine.reset();
    try {
      Imgd.Result r = imgd.process(source, options);
      return new Attempt(
          Status.OK,
          null,
          null,
          r.bytes(),
          r.format(),
          r.width(),
          r.height(),
          r.bytes().length,
          List.of(engine.nanos.get()),
          engine.peakRss.get());
    } catch (ImgdException e) {
      Status s = e.code() == ErrorCode.WORKER_CRASHED ? Status.CRASHED : Status.FAILED;
      return new Attempt(s, e.code().code(), e.getMessage(), null, null, 0, 0, 0, List.of(), 0);
    }
  }

  @Override
  public void close() {
    imgd.close();
  }

  /**
   * The workers, timed: the nanoseconds of the last job's calls (a document's measure and its run)
   * and the largest worker RSS read while they ran, every {@link #RSS_SAMPLE} and once after.
   */
  private static final class Measured implements Engine {
    private final IsolatedEngine workers;
    final AtomicLong nanos = new AtomicLong();
    final AtomicLong peakRss = new AtomicLong();

    Measured(IsolatedEngine workers) {
      this.workers = workers;
    }

    void reset() {
      nanos.set(0);
      peakRss.set(0);
    }

    @Override
    public Set<ImageFormat> reads() {
      return workers.reads();
    }

    @Override
    public Set<ImageFormat> writes(ImageFormat input) {
      return workers.writes(input);
    }

    @Override
    public Encoded run(byte[] source, Plan plan, byte @Nullable [] watermark, Instant deadline) {
      return measured(() -> workers.run(source, plan, watermark, deadline));
    }

    @Override
    public Page measure(byte[] source, ImageFormat format, int page, Instant deadline) {
      return measured(() -> workers.measure(source, format, page, deadline));
    }

    private <T> T measured(Supplier<T> job) {
      Thread sampler =
          Thread.ofVirtual()
              .start(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                  peakRss.accumulateAndGet(workers.stats().rss(), Math::max);
                  LockSupport.parkNanos(RSS_SAMPLE.toNanos());
                }
              });
      long t0 = System.nanoTime();
      try {
        return job.get();
      } finally {
        nanos.addAndGet(System.nanoTime() - t0);
        sampler.interrupt();
        peakRss.accumulateAndGet(workers.stats().rss(), Math::max);
      }
    }

    @Override
    public void close() {
      workers.close();
    }
  }
}
