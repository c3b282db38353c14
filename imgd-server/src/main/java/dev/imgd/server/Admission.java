package dev.imgd.server;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImgdException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Admission (FM-16, FM-24): a request takes one of a fixed number of slots, waiting in a bounded
 * queue for at most the queue timeout (and never past its deadline); once its plan is known it
 * reserves the plan's memory estimate from a global budget. A full queue, a wait that runs out or a
 * budget that stays full gives OVERLOADED (503 + Retry-After) at once, not a slow death.
 */
final class Admission {
  private final int slots;
  private int limit;
  private int inFlight;
  private final int queue;
  private final Duration queueTimeout;
  private final long budget;
  private final AtomicInteger waiting = new AtomicInteger();
  private long reserved;

  Admission(int slots, int queue, Duration queueTimeout, long budget) {
    if (slots < 1 || queue < 0 || budget < 1) {
      throw new IllegalArgumentException("slots >= 1, queue >= 0, budget >= 1");
    }
    this.slots = slots;
    this.limit = slots;
    this.queue = queue;
    this.queueTimeout = queueTimeout;
    this.budget = budget;
  }

  /** A slot, or OVERLOADED / DEADLINE_EXCEEDED. */
  Permit admit(Instant deadline) {
    synchronized (this) {
      if (inFlight < limit) {
        inFlight++;
        return new Permit();
      }
    }
    if (waiting.incrementAndGet() > queue) {
      waiting.decrementAndGet();
      throw overloaded("the queue is full");
    }
    try {
      long untilDeadline = Duration.between(Instant.now(), deadline).toNanos();
      long wait = Math.max(0, Math.min(queueTimeout.toNanos(), untilDeadline));
      long until = System.nanoTime() + wait;
      synchronized (this) {
        while (inFlight >= limit) {
          long left = until - System.nanoTime();
          if (left <= 0) {
            throw wait == untilDeadline
                ? new ImgdException(ErrorCode.DEADLINE_EXCEEDED, "the deadline passed in the queue")
                : overloaded("no slot came free in time");
          }
          wait(Math.max(1, left / 1_000_000));
        }
        inFlight++;
        return new Permit();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw overloaded("interrupted in the queue");
    } finally {
      waiting.decrementAndGet();
    }
  }

  /** True when a request arriving now would be refused at once: shed before downloading. */
  synchronized boolean full() {
    return inFlight >= limit && waiting.get() >= queue;
  }

  /** Images at once: all slots, or fewer under memory pressure. */
  synchronized void limit(int n) {
    limit = Math.max(1, Math.min(slots, n));
    notifyAll();
  }

  synchronized int inFlight() {
    return inFlight;
  }

  int slots() {
    return slots;
  }

  int waiting() {
    return waiting.get();
  }

  synchronized long reserved() {
    return reserved;
  }

  long budget() {
    return budget;
  }

  private synchronized void reserve(long bytes, Instant deadline) {
    if (bytes > budget) {
      throw new ImgdException(
          ErrorCode.MEMORY_EXCEEDED,
          "the image needs an estimated %d MiB, more than the memory budget (%d MiB)"
              .formatted(bytes >> 20, budget >> 20));
    }
    long until =
        Math.min(
            System.nanoTime() + queueTimeout.toNanos(),
            System.nanoTime() + Duration.between(Instant.now(), deadline).toNanos());
    while (reserved + bytes > budget) {
      long left = until - System.nanoTime();
      if (left <= 0) {
        throw overloaded("the memory budget is in use");
      }
      try {
        wait(Math.max(1, left / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw overloaded("interrupted waiting for memory");
      }
    }
    reserved += bytes;
  }

  private synchronized void release(long bytes) {
    reserved -= bytes;
    notifyAll();
  }

  private static ImgdException overloaded(String why) {
    return new ImgdException(ErrorCode.OVERLOADED, "imgd is overloaded: " + why + "; retry later");
  }

  /** A slot and, once reserved, memory; both given back on close. */
  final class Permit implements AutoCloseable {
    private long bytes;
    private boolean closed;

    /** Reserves the plan's memory estimate, waiting within the queue timeout and deadline. */
    void reserve(long estimate, Instant deadline) {
      Admission.this.reserve(estimate, deadline);
      bytes += estimate;
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        release(bytes);
        synchronized (Admission.this) {
          inFlight--;
          Admission.this.notifyAll();
        }
      }
    }
  }
}
