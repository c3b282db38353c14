package dev.imgd.worker;

import dev.imgd.core.ErrorCode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker pool on a new libvips build beside the stable ones, taking a share of the jobs it can do
 * (it reads their input and writes their output), chosen by the input's bytes so that one image
 * always lands on the same build. Every job the canary fails (but for a deadline: no time is left)
 * runs again on the stable build, so a user never sees the canary's failure; an input that crashed
 * the canary is not quarantined, since it is not known to hurt the stable build.
 *
 * <p>It switches itself off, logged once with its reason and counted, when a gate is crossed:
 *
 * <ul>
 *   <li>crash: a canary worker died (crash, out of memory, memory cap) on an input the stable build
 *       then processed;
 *   <li>error rate: in the window, the canary jobs that failed where the stable build succeeded,
 *       over all canary jobs, above the error margin;
 *   <li>latency: the canary's p99 in the window above the stable build's on the jobs the canary
 *       could have taken, times the latency margin;
 *   <li>memory: the canary's peak worker memory in the window above the stable build's, times the
 *       memory margin.
 * </ul>
 *
 * The last three judge once both sides have the minimum of jobs in the window; when the stable
 * build no longer has them (the canary at 100%) they compare with its last window that had. The
 * share moves up only when an operator asks ({@link #step}), through {@link #STEPS}.
 */
public final class Canary {
  private static final Logger LOG = LoggerFactory.getLogger(Canary.class);

  /** The shares, in percent, an operator steps the canary through. */
  public static final List<Integer> STEPS = List.of(1, 5, 20, 100);

  /** Why the canary was switched off. */
  public enum Reason {
    CRASH,
    ERROR_RATE,
    LATENCY,
    MEMORY,
    /** By an operator. */
    MANUAL;

    /** The name in metrics and /admin: crash, error_rate, latency, memory, manual. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * How a canary runs.
   *
   * @param library the new libvips build
   * @param percent the share of the jobs it can do that it starts with, 0 to 100 (0: none until an
   *     operator steps it up; its workers start then)
   * @param window how far back the gates look
   * @param minJobs jobs each side needs in the window before the error, latency and memory gates
   *     judge
   * @param errorMargin the share of canary jobs that may fail where the stable build succeeds, 0 to
   *     1
   * @param latencyMargin how many times the stable build's p99 the canary's may reach, >= 1
   * @param memoryMargin how many times the stable build's peak worker memory the canary's may
   *     reach, >= 1
   */
  public record Settings(
      Path library,
      int percent,
      Duration window,
      int minJobs,
      double errorMargin,
      double latencyMargin,
      double memoryMargin) {
    public Settings {
      Objects.requireNonNull(library, "library");
      Objects.requireNonNull(window, "window");
      if (percent < 0 || percent > 100) {
        throw new IllegalArgumentException("percent must be in [0, 100]: " + percent);
      }
      if (window.isNegative() || window.isZero()) {
        throw new IllegalArgumentException("window must be positive: " + window);
      }
      if (minJobs < 1) {
        throw new IllegalArgumentException("minJobs must be >= 1: " + minJobs);
      }
      if (!(errorMargin >= 0 && errorMargin <= 1)) {
        throw new IllegalArgumentException("errorMargin must be in [0, 1]: " + errorMargin);
      }
      if (!(latencyMargin >= 1) || !(memoryMargin >= 1)) {
        throw new IllegalArgumentException(
            "latencyMargin and memoryMargin must be >= 1: " + latencyMargin + ", " + memoryMargin);
      }
    }

    /**
     * 1% to start, a window of 5 minutes, 50 jobs before the rates judge, 1% new failures, a p99 up
     * to 1.5 times the stable build's (a percentile of few jobs moves a lot), peak worker memory up
     * to 1.25 times.
     */
    public static Settings defaults(Path library) {
      return new Settings(library, 1, Duration.ofMinutes(5), 50, 0.01, 1.5, 1.25);
    }
  }

  /**
   * What the canary does now.
   *
   * @param libvips the canary build's version
   * @param percent its share now (0 when off)
   * @param off why it was switched off, or null while it runs
   * @param reason the gate that switched it off, or null while it runs
   * @param changed when the share last changed
   * @param canary the canary pool's jobs in the window
   * @param newFailures of them, those that failed where the stable build then succeeded
   * @param stable the stable build's jobs in the window on inputs the canary could have taken (or
   *     its last window with enough jobs, once it has none)
   */
  public record State(
      String libvips,
      int percent,
      @Nullable String off,
      @Nullable Reason reason,
      Instant changed,
      Figures canary,
      long newFailures,
      Figures stable) {}

  private final Settings settings;
  private final String libvips;
  private final Window canaryJobs;
  private final Window control;
  private final Window newFailures;
  private final Map<Reason, AtomicLong> offs = new EnumMap<>(Reason.class);
  private volatile int percent;
  private volatile @Nullable String off;
  private volatile @Nullable Reason reason;
  private volatile Instant changed = Instant.now();
  private volatile Figures reference = new Figures(0, 0, 0, 0);

  /**
   * @param canaryJobs the canary pool's window
   */
  Canary(Settings settings, String libvips, Window canaryJobs) {
    this.settings = settings;
    this.libvips = libvips;
    this.canaryJobs = canaryJobs;
    this.control = new Window(settings.window());
    this.newFailures = new Window(settings.window());
    this.percent = settings.percent();
    for (Reason r : Reason.values()) {
      offs.put(r, new AtomicLong());
    }
  }

  public Settings settings() {
    return settings;
  }

  /**
   * Where an input falls, 0 to 9999: a CRC-32C of its bytes (the CPU computes it at gigabytes per
   * second; a cryptographic hash is not needed to spread images), its bits mixed (MurmurHash3's
   * finalizer) so that every bit counts. The same image falls in the same place on every server and
   * after every restart, and stays on the canary as the share grows.
   */
  static int bucket(byte[] input) {
    CRC32C crc = new CRC32C();
    crc.update(input);
    int h = (int) crc.getValue();
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return Integer.remainderUnsigned(h, 10_000);
  }

  /** Whether the canary takes this input now. */
  boolean takes(byte[] input) {
    int p = percent;
    return p > 0 && (p == 100 || bucket(input) < p * 100);
  }

  /** A job of the stable build that the canary could have taken: the gates' reference. */
  void control(long nanos, boolean failed, long peakBytes) {
    control.add(nanos, failed, peakBytes);
  }

  /**
   * A canary job failed and the stable build then did the job: a crash switches the canary off,
   * other failures count towards the error gate.
   */
  void failedAlone(ErrorCode code, String detail) {
    if (code == ErrorCode.WORKER_CRASHED || code == ErrorCode.MEMORY_EXCEEDED) {
      switchOff(
          Reason.CRASH,
          "a canary worker died (%s: %s) on an input the stable build processed"
              .formatted(code.code(), detail));
    } else {
      newFailures.add(0, true, 0);
    }
  }

  /** After a canary job: the error, latency and memory gates. */
  void judge() {
    if (percent == 0) {
      return;
    }
    Figures now = control.summary();
    if (now.jobs() >= settings.minJobs()) {
      reference = now;
    }
    Figures stable = reference;
    Figures canary = canaryJobs.summary();
    if (canary.jobs() < settings.minJobs() || stable.jobs() < settings.minJobs()) {
      return;
    }
    double newRate = (double) newFailures.summary().jobs() / canary.jobs();
    if (newRate > settings.errorMargin()) {
      switchOff(
          Reason.ERROR_RATE,
          "%.1f%% of %d canary jobs failed where the stable build succeeded (margin %.1f%%)"
              .formatted(100 * newRate, canary.jobs(), 100 * settings.errorMargin()));
    } else if (canary.p99Nanos() > stable.p99Nanos() * settings.latencyMargin()) {
      switchOff(
          Reason.LATENCY,
          "p99 %d ms against the stable build's %d ms (margin %.2fx)"
              .formatted(
                  canary.p99Nanos() / 1_000_000,
                  stable.p99Nanos() / 1_000_000,
                  settings.latencyMargin()));
    } else if (stable.peakBytes() > 0
        && canary.peakBytes() > stable.peakBytes() * settings.memoryMargin()) {
      switchOff(
          Reason.MEMORY,
          "peak worker memory %d MiB against the stable build's %d MiB (margin %.2fx)"
              .formatted(
                  canary.peakBytes() >> 20, stable.peakBytes() >> 20, settings.memoryMargin()));
    }
  }

  /**
   * Moves the share to the next of {@link #STEPS} above it (a canary switched off starts again at
   * the first), logged.
   */
  public synchronized State step() {
    int next = STEPS.stream().filter(s -> s > percent).findFirst().orElse(100);
    if (next != percent) {
      LOG.warn("canary on libvips {}: stepped up from {}% to {}% by hand", libvips, percent, next);
      percent = next;
      off = null;
      reason = null;
      changed = Instant.now();
    }
    return state();
  }

  /** Switches the canary off by hand. */
  public State off() {
    switchOff(Reason.MANUAL, "switched off by hand");
    return state();
  }

  /** Off once, logged and counted once: later crossings while it is off change nothing. */
  private synchronized void switchOff(Reason why, String detail) {
    if (off != null) {
      return;
    }
    off = detail;
    reason = why;
    percent = 0;
    changed = Instant.now();
    Objects.requireNonNull(offs.get(why)).incrementAndGet();
    LOG.warn(
        "canary on libvips {} switched off ({}): {}; its jobs go to the stable build",
        libvips,
        why.label(),
        detail);
  }

  /** How many times the canary was switched off for this reason. */
  public long offs(Reason why) {
    return Objects.requireNonNull(offs.get(why)).get();
  }

  public State state() {
    return new State(
        libvips,
        percent,
        off,
        reason,
        changed,
        canaryJobs.summary(),
        newFailures.summary().jobs(),
        reference.jobs() > 0 ? reference : control.summary());
  }
}
