package dev.imgd.cli;

import java.io.Console;
import java.io.PrintWriter;

/**
 * Count, bar, rate and time left of a long command (batch, compare): one line redrawn in place on a
 * terminal, else a plain line at each tenth of the work, for a log.
 */
final class Progress {
  private static final int BAR = 20;

  private final int total;
  private final String unit;
  private final PrintWriter err;
  private final boolean terminal;
  private final long start = System.nanoTime();
  private long ratedFrom = start;
  private long lastDrawn;
  private int lastTenth;

  /**
   * @param unit what is counted, plural ("images")
   */
  Progress(int total, String unit, PrintWriter err, boolean terminal) {
    this.total = total;
    this.unit = unit;
    this.err = err;
    this.terminal = terminal;
  }

  /** Whether stderr is a terminal, where the line is redrawn in place. */
  // System.console() may still be null (a JVM started with -Djdk.console=java.base, no terminal).
  @SuppressWarnings("SystemConsoleNull")
  static boolean onTerminal() {
    Console console = System.console();
    return console != null && console.isTerminal();
  }

  /** The rate and the ETA count from here: starting the workers is not the work's time. */
  void workersStarted() {
    ratedFrom = System.nanoTime();
  }

  void update(int done, int failed) {
    long now = System.nanoTime();
    int tenth = total == 0 ? 10 : done * 10 / total;
    if (terminal ? now - lastDrawn < 100_000_000L && done < total : tenth == lastTenth) {
      return;
    }
    lastDrawn = now;
    lastTenth = tenth;
    double seconds = Math.max(1e-3, (now - ratedFrom) / 1e9);
    double rate = done / seconds;
    long eta = Math.round((total - done) / Math.max(rate, 1e-3));
    int percent = total == 0 ? 100 : done * 100 / total;
    String line =
        "%d/%d %s (%d%%), %d failed, %.1f/s, ETA %d s"
            .formatted(done, total, unit, percent, failed, rate, eta);
    if (terminal) {
      int filled = percent * BAR / 100;
      String bar = "[" + "#".repeat(filled) + ".".repeat(BAR - filled) + "] ";
      err.print("\r" + bar + line + "\033[K");
      err.flush();
    } else {
      err.println(line);
    }
  }

  void finish() {
    if (terminal && lastDrawn != 0) {
      err.println();
    }
  }

  String elapsed() {
    return "%.1f s".formatted((System.nanoTime() - start) / 1e9);
  }
}
