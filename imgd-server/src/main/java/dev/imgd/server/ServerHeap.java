package dev.imgd.server;

import dev.imgd.server.settings.Settings;
import java.util.List;

/**
 * The server JVM's heap, sized from the settings (issue 17): the result cache, the bytes buffered
 * for request bodies and downloads, and a fixed part for everything else (Jetty, requests in
 * flight, metrics). The launcher asks for {@link #jvmOptions} before it starts the server, so the
 * heap is neither the JVM's default (a quarter of the machine) nor a guess.
 *
 * <p>G1 with a small initial heap, chosen by measurement (W1, c16, result cache off, peak RSS of
 * the server JVM): the JVM's default (G1 starting at 1/64 of the machine, 384 MiB here) 340-430
 * MiB; G1 from 32 MiB 165-212 MiB; Serial from 32 MiB 403-410 MiB (sources waiting in the queue
 * outlive young collections and fill the old generation); Parallel 256 MiB.
 */
final class ServerHeap {
  /** Everything but the cache and the buffers: Jetty, requests in flight, metrics, headroom. */
  static final long FIXED = 96L << 20;

  /** Bytes buffered for bodies and downloads when IMGD_MAX_BUFFERED_BYTES is auto. */
  static final long DEFAULT_BUFFERS = 128L << 20;

  private static final long MIN_BUFFERS = 32L << 20;
  private static final String INITIAL = "-Xms32m";

  private ServerHeap() {}

  /** The heap the settings need: the fixed part, the result cache and the buffers. */
  static long needed(Settings settings) {
    return FIXED
        + settings.get(Settings.CACHE_MAX_BYTES)
        + settings.get(Settings.MAX_BUFFERED_BYTES).orElse(DEFAULT_BUFFERS);
  }

  /**
   * The bytes that may be buffered: the setting, or (auto) what a heap of {@code maxHeap} leaves
   * after the fixed part and the result cache, so that buffers and cache never outgrow the heap
   * whoever sized it.
   */
  static long bufferBudget(Settings settings, long maxHeap) {
    return settings
        .get(Settings.MAX_BUFFERED_BYTES)
        .orElseGet(
            () -> Math.max(MIN_BUFFERS, maxHeap - FIXED - settings.get(Settings.CACHE_MAX_BYTES)));
  }

  /** The server JVM's heap and GC options for these settings. */
  static List<String> jvmOptions(Settings settings) {
    long mib = (needed(settings) + (1 << 20) - 1) >> 20;
    return List.of(INITIAL, "-Xmx" + mib + "m", "-XX:+UseG1GC");
  }
}
