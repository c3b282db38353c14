package dev.imgd.server;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImgdException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.function.BooleanSupplier;

/**
 * Admission (FM-16, FM-24): a request takes one of a fixed number of slots, waiting in a bounded
 * queue for at most the queue timeout (and never past its deadline); once its plan is known it
 * reserves the plan's memory estimate from a global budget. A full queue, a wait that runs out or a
 * budget that stays full gives OVERLOADED (503 + Retry-After) at once, not a slow death.
 *
 * <p>Bytes a request buffers in the heap before its image work (its body while it arrives, its
 * source while it downloads and then until the request ends) are held from a buffer budget of their
 * own, before the first byte is read: a full buffer budget makes the request wait like a slot, then
 * OVERLOADED. Without it, slow uploads filled the heap while no slot was taken (issue 15).
 *
 * <p>The queue is first come, first served: a freed slot is handed to the longest waiter, and a
 * newcomer never overtakes a waiter. Letting every waiter race for it made the tail latency grow
 * with the queue (W1 at 16 connections: p99 five times p50).
 */
final class Admission {
  private final int slots;
  private int limit;
  private int inFlight;
  private final int queue;
  private final Duration queueTimeout;
  private final long budget;

  /** Waiters in arrival order; a waiter leaves it holding a slot, or on its timeout. */
  private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();

  private long reserved;

  private final long bufferBudget;
  private long buffered;

  Admission(int slots, int queue, Duration queueTimeout, long budget) {
    this(slots, queue, queueTimeout, budget, budget);
  }

  Admission(int slots, int queue, Duration queueTimeout, long budget, long bufferBudget) {
    if (slots < 1 || queue < 0 || budget < 1 || bufferBudget < 1) {
      throw new IllegalArgumentException("slots >= 1, queue >= 0, budget >= 1, bufferBudget >= 1");
    }
    this.slots = slots;
    this.limit = slots;
    this.queue = queue;
    this.queueTimeout = queueTimeout;
    this.budget = budget;
    this.bufferBudget = bufferBudget;
  }

  /** A slot, or OVERLOADED / DEADLINE_EXCEEDED. */
  synchronized Permit admit(Instant deadline) {
    if (inFlight < limit && waiting.isEmpty()) {
      inFlight++;
      return new Permit();
    }
    if (waiting.size() >= queue) {
      throw overloaded("the queue is full");
    }
    long untilDeadline = Duration.between(Instant.now(), deadline).toNanos();
    long wait = Math.max(0, Math.min(queueTimeout.toNanos(), untilDeadline));
    long until = System.nanoTime() + wait;
    Waiter me = new Waiter();
    waiting.addLast(me);
    try {
      while (!me.admitted) {
        long left = until - System.nanoTime();
        if (left <= 0) {
          waiting.remove(me);
          throw wait == untilDeadline
              ? new ImgdException(ErrorCode.DEADLINE_EXCEEDED, "the deadline passed in the queue")
              : overloaded("no slot came free in time");
        }
        wait(Math.max(1, left / 1_000_000));
      }
      return new Permit();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      if (me.admitted) {
        inFlight--; // handed a slot as it was interrupted: pass it on
        admitWaiting();
      } else {
        waiting.remove(me);
      }
      throw overloaded("interrupted in the queue");
    }
  }

  /** Hands free slots to the longest waiters. */
  private void admitWaiting() {
    boolean any = false;
    while (inFlight < limit && !waiting.isEmpty()) {
      waiting.pollFirst().admitted = true;
      inFlight++;
      any = true;
    }
    if (any) {
      notifyAll(); // the admitted see their flag; the others wait on
    }
  }

  /** True when a request arriving now would be refused at once: shed before downloading. */
  synchronized boolean full() {
    return inFlight >= limit && waiting.size() >= queue;
  }

  /** Images at once: all slots, or fewer under memory pressure. */
  synchronized void limit(int n) {
    limit = Math.max(1, Math.min(slots, n));
    admitWaiting();
  }

  synchronized int inFlight() {
    return inFlight;
  }

  int slots() {
    return slots;
  }

  synchronized int waiting() {
    return waiting.size();
  }

  synchronized long reserved() {
    return reserved;
  }

  long budget() {
    return budget;
  }

  synchronized long buffered() {
    return buffered;
  }

  long bufferBudget() {
    return bufferBudget;
  }

  /**
   * Holds room for bytes a request is about to buffer (a body, a download), waiting within the
   * queue timeout and the deadline; at most the whole buffer budget, so that one request always
   * fits.
   */
  synchronized Held hold(long bytes, Instant deadline) {
    long b = Math.clamp(bytes, 0, bufferBudget);
    await(() -> buffered + b <= bufferBudget, deadline, "the buffer budget is in use");
    buffered += b;
    return new Held(b);
  }

  private synchronized void reserve(long bytes, Instant deadline) {
    if (bytes > budget) {
      throw new ImgdException(
          ErrorCode.MEMORY_EXCEEDED,
          "the image needs an estimated %d MiB, more than the memory budget (%d MiB)"
              .formatted(bytes >> 20, budget >> 20));
    }
    await(() -> reserved + bytes <= budget, deadline, "the memory budget is in use");
    reserved += bytes;
  }

  /** Waits, holding the monitor, until there is room, within the queue timeout and deadline. */
  private void await(BooleanSupplier room, Instant deadline, String why) {
    long until =
        Math.min(
            System.nanoTime() + queueTimeout.toNanos(),
            System.nanoTime() + Duration.between(Instant.now(), deadline).toNanos());
    while (!room.getAsBoolean()) {
      long left = until - System.nanoTime();
      if (left <= 0) {
        throw overloaded(why);
      }
      try {
        wait(Math.max(1, left / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw overloaded("interrupted waiting for memory");
      }
    }
  }

  private synchronized void release(long bytes) {
    reserved -= bytes;
    notifyAll();
  }

  private synchronized void unbuffer(long bytes) {
    buffered -= bytes;
    notifyAll();
  }

  private static final class Waiter {
    boolean admitted; // guarded by the Admission's monitor
  }

  private static ImgdException overloaded(String why) {
    return new ImgdException(ErrorCode.OVERLOADED, "imgd is overloaded: " + why + "; retry later");
  }

  /** Room in the buffer budget, given back as the bytes turn out fewer, and all of it on close. */
  final class Held implements AutoCloseable {
    private long bytes; // guarded by the Admission's monitor

    private Held(long bytes) {
      this.bytes = bytes;
    }

    /** Gives back what was held beyond the {@code actual} bytes buffered. */
    void trim(long actual) {
      synchronized (Admission.this) {
        long extra = bytes - Math.clamp(actual, 0, bytes);
        bytes -= extra;
        unbuffer(extra);
      }
    }

    @Override
    public void close() {
      trim(0);
    }
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
          admitWaiting();
        }
      }
    }
  }
}
