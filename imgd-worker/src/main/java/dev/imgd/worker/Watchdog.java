package dev.imgd.worker;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Kills a worker whose job overruns its deadline plus the grace, or whose resident memory passes
 * the cap; notices a worker that died while idle.
 */
final class Watchdog implements AutoCloseable {
  /** Reading /proc for every busy worker costs more than comparing deadlines: memory less often. */
  private static final long MEMORY_CHECK_NANOS = 50_000_000;

  /** Between checks of deadlines: a job overruns its deadline plus the grace by this at most. */
  private static final long INTERVAL_MILLIS = 10;

  private final List<WorkerPool> pools;
  private final Duration grace;
  private final long memoryCap;
  private final Thread thread;

  Watchdog(List<WorkerPool> pools, Duration grace, long memoryCap) {
    this.pools = List.copyOf(pools);
    this.grace = grace;
    this.memoryCap = memoryCap;
    this.thread = Thread.ofPlatform().daemon().name("imgd-watchdog").start(this::watch);
  }

  /** Watches a worker's job until its pool takes the worker back. */
  void guard(Worker w, Instant deadline) {
    w.killAtNanos =
        System.nanoTime()
            + Math.max(0, Duration.between(Instant.now(), deadline).toNanos())
            + grace.toNanos();
  }

  private void watch() {
    long memoryCheckedAt = System.nanoTime();
    while (true) {
      long now = System.nanoTime();
      // A worker faulting in 1 GiB/s overshoots its cap by 50 MiB at most.
      boolean checkMemory = now - memoryCheckedAt >= MEMORY_CHECK_NANOS;
      if (checkMemory) {
        memoryCheckedAt = now;
      }
      for (WorkerPool pool : pools) {
        for (Worker w : pool.workers) {
          long killAt = w.killAtNanos;
          if (killAt == 0) {
            if (!w.process.isAlive()) {
              pool.lostWhileIdle(w);
            }
          } else if (now - killAt > 0) {
            w.kill(Worker.Death.DEADLINE);
          } else if (checkMemory && w.rss() > memoryCap) {
            w.kill(Worker.Death.MEMORY);
          }
        }
      }
      try {
        Thread.sleep(INTERVAL_MILLIS);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  @Override
  public void close() {
    thread.interrupt();
  }
}
