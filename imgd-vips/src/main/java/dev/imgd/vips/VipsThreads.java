package dev.imgd.vips;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Platform threads for libvips work. Virtual threads stay pinned to their carrier during a foreign
 * call, so libvips work runs on a bounded pool of platform threads instead; each thread releases
 * libvips' per-thread buffers (vips_thread_shutdown) when it ends.
 */
public final class VipsThreads {
  private VipsThreads() {}

  public static ThreadFactory factory(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return task -> {
      Thread t =
          Thread.ofPlatform()
              .name(prefix + "-" + n.incrementAndGet())
              .daemon(true)
              .unstarted(() -> {
                try {
                  task.run();
                } finally {
                  if (Vips.isStarted()) {
                    Vips.lib().vips_thread_shutdown();
                  }
                }
              });
      return t;
    };
  }

  /** A fixed pool of {@code threads} platform threads named {@code prefix-N}. */
  public static ExecutorService pool(String prefix, int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1: " + threads);
    }
    return Executors.newFixedThreadPool(threads, factory(prefix));
  }

  static void requirePlatformThread(String operation) {
    if (Thread.currentThread().isVirtual()) {
      throw new IllegalStateException(
          operation
              + ": libvips work must not run on a virtual thread (it would pin its carrier);"
              + " use VipsThreads.pool");
    }
  }
}
