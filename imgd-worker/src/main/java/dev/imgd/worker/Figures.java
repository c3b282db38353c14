package dev.imgd.worker;

/**
 * The jobs of a window (see {@link Canary.Settings#window}).
 *
 * @param jobs how many ran
 * @param failures how many of them failed (a typed error or their worker's death)
 * @param p99Nanos their 99th percentile latency on the worker (the upper edge of its bucket, within
 *     9%)
 * @param peakBytes the highest resident memory a worker reached during one of them
 */
public record Figures(long jobs, long failures, long p99Nanos, long peakBytes) {
  /** Failures per job, 0 with no jobs. */
  public double errorRate() {
    return jobs == 0 ? 0 : (double) failures / jobs;
  }
}
