package dev.imgd.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongSupplier;

/**
 * Memory tiers (FM-16): measured resident memory (this process and its workers) against a budget
 * moves the service from NORMAL to REDUCED (fewer images at once, no AVIF encoding) to SHEDDING
 * (new image work refused with 503 + Retry-After, /ready false), and back down only once usage is a
 * margin below the threshold that raised it, so the tier does not flap.
 *
 * <p>Bytes held for bodies and downloads count against their own budget and the fuller of the two
 * sets the tier: uploads fill the heap long before resident memory reaches its budget (issue 15).
 */
final class Pressure {
  enum Tier {
    NORMAL(0),
    REDUCED(1),
    SHEDDING(2);

    private final int level;

    Tier(int level) {
      this.level = level;
    }

    /** The imgd_memory_tier gauge's value: 0 normal, 1 reduced, 2 shedding. */
    int level() {
      return level;
    }
  }

  static final double REDUCE_AT = 0.70;
  static final double SHED_AT = 0.90;
  static final double MARGIN = 0.10;

  private final LongSupplier measured;
  private final long budget;
  private final LongSupplier buffered;
  private final long bufferBudget;
  private volatile Tier tier = Tier.NORMAL;
  private volatile long last;

  Pressure(LongSupplier measured, long budget) {
    this(measured, budget, () -> 0, 1);
  }

  Pressure(LongSupplier measured, long budget, LongSupplier buffered, long bufferBudget) {
    if (budget < 1 || bufferBudget < 1) {
      throw new IllegalArgumentException("budgets must be >= 1: " + budget + ", " + bufferBudget);
    }
    this.measured = measured;
    this.budget = budget;
    this.buffered = buffered;
    this.bufferBudget = bufferBudget;
  }

  /** Measures and moves between tiers; returns the tier now. */
  synchronized Tier update() {
    last = measured.getAsLong();
    double use = Math.max(last / (double) budget, buffered.getAsLong() / (double) bufferBudget);
    Tier t = tier;
    Tier next =
        switch (t) {
          case NORMAL -> use >= SHED_AT ? Tier.SHEDDING : use >= REDUCE_AT ? Tier.REDUCED : t;
          case REDUCED ->
              use >= SHED_AT ? Tier.SHEDDING : use < REDUCE_AT - MARGIN ? Tier.NORMAL : t;
          case SHEDDING ->
              use < REDUCE_AT - MARGIN ? Tier.NORMAL : use < SHED_AT - MARGIN ? Tier.REDUCED : t;
        };
    tier = next;
    return next;
  }

  Tier tier() {
    return tier;
  }

  long lastMeasured() {
    return last;
  }

  long budget() {
    return budget;
  }

  /** 80% of the memory this process may use: the cgroup's limit if set, else physical memory. */
  static long defaultBudget() {
    long limit = readLong(Path.of("/sys/fs/cgroup/memory.max"));
    if (limit <= 0) {
      limit = memTotal();
    }
    return limit <= 0 ? 4L << 30 : budgetFor(limit);
  }

  /** The RSS budget for a memory limit: 80% of it, room for the kernel's page cache and slack. */
  static long budgetFor(long limit) {
    return (long) (limit * 0.8);
  }

  private static long memTotal() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // fall through
    }
    return -1;
  }

  private static long readLong(Path p) {
    try {
      return Long.parseLong(Files.readString(p).strip());
    } catch (IOException | NumberFormatException e) {
      return -1; // "max" or no cgroup v2
    }
  }
}
