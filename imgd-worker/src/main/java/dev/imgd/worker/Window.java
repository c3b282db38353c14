package dev.imgd.worker;

import java.time.Duration;
import java.util.Arrays;

/**
 * Jobs of the last {@code length}, in ten slices that age out one at a time: how many, how many
 * failed, their latency as a histogram (eight buckets per doubling, so a percentile is within 9%),
 * and the highest worker memory a job reached. What the canary's gates compare, and what /admin
 * shows per pool.
 */
final class Window {
  private static final int SLICES = 10;
  private static final int PER_DOUBLING = 8;

  /** From 1 µs to 2^32 µs (71 minutes), past any deadline. */
  private static final int BUCKETS = 32 * PER_DOUBLING;

  private final long sliceNanos;
  private final long[] epochs = new long[SLICES];
  private final long[] jobs = new long[SLICES];
  private final long[] failures = new long[SLICES];
  private final long[] peaks = new long[SLICES];
  private final long[][] latencies = new long[SLICES][BUCKETS];

  Window(Duration length) {
    this.sliceNanos = Math.max(1, length.toNanos() / SLICES);
  }

  /**
   * One job.
   *
   * @param nanos how long its worker took
   * @param failed whether it failed (a typed error or its worker's death)
   * @param peakBytes the highest resident memory its worker reached during it (0: not known)
   */
  synchronized void add(long nanos, boolean failed, long peakBytes) {
    int s = slice(System.nanoTime());
    jobs[s]++;
    failures[s] += failed ? 1 : 0;
    peaks[s] = Math.max(peaks[s], peakBytes);
    latencies[s][bucket(nanos)]++;
  }

  /** The jobs of the window now. */
  synchronized Figures summary() {
    long epoch = System.nanoTime() / sliceNanos;
    long n = 0;
    long failed = 0;
    long peak = 0;
    long[] merged = new long[BUCKETS];
    for (int s = 0; s < SLICES; s++) {
      if (epoch - epochs[s] >= SLICES) {
        continue; // aged out
      }
      n += jobs[s];
      failed += failures[s];
      peak = Math.max(peak, peaks[s]);
      for (int b = 0; b < BUCKETS; b++) {
        merged[b] += latencies[s][b];
      }
    }
    return new Figures(n, failed, percentile(merged, n, 0.99), peak);
  }

  /** The slice for {@code now}, emptied first if it last held an older epoch. */
  private int slice(long now) {
    long epoch = now / sliceNanos;
    int s = (int) Math.floorMod(epoch, (long) SLICES);
    if (epochs[s] != epoch) {
      epochs[s] = epoch;
      jobs[s] = 0;
      failures[s] = 0;
      peaks[s] = 0;
      Arrays.fill(latencies[s], 0);
    }
    return s;
  }

  private static int bucket(long nanos) {
    double micros = Math.max(1, nanos / 1000.0);
    return (int) Math.min(BUCKETS - 1, Math.floor(PER_DOUBLING * Math.log(micros) / Math.log(2)));
  }

  /** The upper edge of the bucket that holds the {@code q} quantile; 0 with no jobs. */
  private static long percentile(long[] buckets, long n, double q) {
    long rank = (long) Math.ceil(q * n);
    long seen = 0;
    for (int b = 0; b < BUCKETS && n > 0; b++) {
      seen += buckets[b];
      if (seen >= rank) {
        return (long) (Math.pow(2, (b + 1) / (double) PER_DOUBLING) * 1000);
      }
    }
    return 0;
  }
}
