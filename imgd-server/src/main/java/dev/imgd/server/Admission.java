package dev.imgd.server;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImgdException;
import dev.imgd.core.plan.Plan;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

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
 *
 * <p>Lanes (issue 17, W6): a job that decodes more pixels than the large-job threshold is large,
 * and large jobs hold at most all slots but one, so a small job never waits behind large ones
 * alone. The lane is known once the plan is ({@link Permit#reserve(Plan, Instant)}): a large job
 * that finds its lane full hands its slot on and waits, first among the large, for a place in it;
 * small waiters behind it pass it meanwhile.
 *
 * <p>A request that finds the queue full is refused only after a short pause, during which it holds
 * nothing but its connection, and is let in if a place came free: clients that retry at once (a
 * CDN, a busy client) are paced by the server instead of being answered 503s as fast as they ask,
 * which took both cores from the workers (issue 17, c256: 26,000 503s and 11 images a second).
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

  // Requests waiting for buffer room and for memory: they count as queued, and only they are
  // woken when room or memory comes back (a notifyAll to hundreds of waiters took the CPU).
  private int holding;
  private int reserving;

  /** Decoded pixels above which a job is large. */
  private final long largePixels;

  private int large; // slots held by large jobs
  private long smallJobs;
  private long largeJobs;
  private long largeWaits;

  /** How long a request that finds the queue full waits for a place before its 503. */
  private final Duration pause;

  private final AtomicInteger pausing = new AtomicInteger(); // counted outside the monitor

  /**
   * The refusal of a full queue, built once: refusing must cost next to nothing (no stack walked,
   * no message formatted), as refusals come as fast as clients retry. Never given a cause or a
   * suppressed exception: answered as problem+json, never logged with its stack.
   */
  @SuppressWarnings("StaticAssignmentOfThrowable")
  private static final ImgdException QUEUE_FULL = overloaded("the queue is full");

  Admission(int slots, int queue, Duration queueTimeout, long budget) {
    this(slots, queue, queueTimeout, budget, budget);
  }

  Admission(int slots, int queue, Duration queueTimeout, long budget, long bufferBudget) {
    this(slots, queue, queueTimeout, budget, bufferBudget, Long.MAX_VALUE, Duration.ZERO);
  }

  /**
   * @param largePixels decoded pixels (after shrink-on-load, all frames) above which a job is large
   * @param pause how long a request that finds the queue full waits for a place before its 503
   */
  Admission(
      int slots,
      int queue,
      Duration queueTimeout,
      long budget,
      long bufferBudget,
      long largePixels,
      Duration pause) {
    if (slots < 1 || queue < 0 || budget < 1 || bufferBudget < 1 || largePixels < 1) {
      throw new IllegalArgumentException(
          "slots >= 1, queue >= 0, budget >= 1, bufferBudget >= 1, largePixels >= 1");
    }
    if (pause.isNegative()) {
      throw new IllegalArgumentException("pause >= 0: " + pause);
    }
    this.slots = slots;
    this.limit = slots;
    this.queue = queue;
    this.queueTimeout = queueTimeout;
    this.budget = budget;
    this.bufferBudget = bufferBudget;
    this.largePixels = largePixels;
    this.pause = pause;
  }

  /** A slot, or OVERLOADED / DEADLINE_EXCEEDED. */
  Permit admit(Instant deadline) {
    Permit p = tryAdmit(deadline);
    if (p == null) {
      pauseBeforeRefusal(deadline);
      p = tryAdmit(deadline);
    }
    if (p == null) {
      throw QUEUE_FULL;
    }
    return p;
  }

  /** A slot, after a wait in the queue if need be; null when the queue is full. */
  private @Nullable Permit tryAdmit(Instant deadline) {
    Waiter me;
    synchronized (this) {
      // Every waiter that could take a free slot has one (admitWaiting runs on every change): a
      // free slot means the waiters are large jobs whose lane is full, which a newcomer may pass.
      if (inFlight < limit) {
        inFlight++;
        return new Permit();
      }
      if (waiting.size() >= queue) {
        return null;
      }
      me = new Waiter(false);
      waiting.addLast(me);
    }
    queueFor(me, deadline);
    return new Permit();
  }

  /**
   * Waits, outside the monitor, until {@code me} (in the queue) is handed a slot, within the queue
   * timeout and the deadline. Each waiter is woken alone when its slot is handed: a notifyAll woke
   * all 64 waiters for every freed slot, 50 times a second at c256.
   */
  private void queueFor(Waiter me, Instant deadline) {
    long untilDeadline = Duration.between(Instant.now(), deadline).toNanos();
    long wait = Math.max(0, Math.min(queueTimeout.toNanos(), untilDeadline));
    boolean handed;
    try {
      handed = me.handed.await(wait, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      synchronized (this) {
        if (!waiting.remove(me)) { // handed a slot as it was interrupted: pass it on
          inFlight--;
          if (me.large) {
            large--;
          }
          admitWaiting();
        }
      }
      throw overloaded("interrupted in the queue");
    }
    synchronized (this) {
      // Still queued when the wait ran out: it leaves. Not queued: handed its slot meanwhile.
      if (!handed && waiting.remove(me)) {
        throw wait == untilDeadline
            ? new ImgdException(ErrorCode.DEADLINE_EXCEEDED, "the deadline passed in the queue")
            : overloaded("no slot came free in time");
      }
    }
  }

  /** Hands free slots to the longest waiters whose lane has room, waking each of them alone. */
  private void admitWaiting() {
    for (Iterator<Waiter> it = waiting.iterator(); it.hasNext() && inFlight < limit; ) {
      Waiter w = it.next();
      if (w.large) {
        if (large >= largeLimit()) {
          continue; // the large lane is full: the small waiters behind it go first
        }
        large++;
      }
      it.remove();
      inFlight++;
      w.handed.countDown();
    }
  }

  /** Slots large jobs may hold: all but one, so that one is always there for small jobs. */
  private int largeLimit() {
    return Math.max(1, limit - 1);
  }

  /**
   * True when a request arriving now would be refused: shed before downloading. Those waiting for
   * buffer room count as queued: at c256 they piled up there, past a queue that was never full.
   */
  synchronized boolean full() {
    return inFlight >= limit && waiting.size() + holding >= queue;
  }

  /**
   * The door of a request's download or body: refused when the queue is full (once the pause has
   * not made room), else room held for its bytes as {@link #hold}. The check and the count of the
   * waiters for room are one step: 256 requests arriving at once all passed a separate check.
   */
  Held enter(long bytes, Instant deadline) {
    Held held = tryEnter(bytes, deadline);
    if (held == null) {
      pauseBeforeRefusal(deadline);
      held = tryEnter(bytes, deadline);
    }
    if (held == null) {
      throw QUEUE_FULL;
    }
    return held;
  }

  private synchronized @Nullable Held tryEnter(long bytes, Instant deadline) {
    return full() ? null : hold(bytes, deadline);
  }

  /** The pause before a refusal: a parked thread, outside the monitor, within the deadline. */
  private void pauseBeforeRefusal(Instant deadline) {
    long nanos = Math.min(pause.toNanos(), Duration.between(Instant.now(), deadline).toNanos());
    if (nanos > 0) {
      pausing.incrementAndGet();
      try {
        Thread.sleep(Duration.ofNanos(nanos));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        pausing.decrementAndGet();
      }
    }
  }

  /** Requests that found the queue full, in their pause before a 503. */
  int pausing() {
    return pausing.get();
  }

  /** Images at once: all slots, or fewer under memory pressure. */
  synchronized void limit(int n) {
    limit = Math.max(1, Math.min(slots, n));
    admitWaiting();
  }

  synchronized int inFlight() {
    return inFlight;
  }

  /** Slots held by jobs of the lane, for the imgd_lane_in_flight gauge. */
  synchronized int inFlight(boolean largeLane) {
    return largeLane ? large : inFlight - large;
  }

  /** Jobs that ran in the lane, for the imgd_lane_jobs counter. */
  synchronized long jobs(boolean largeLane) {
    return largeLane ? largeJobs : smallJobs;
  }

  /** Large jobs that found their lane full and handed their slot on to wait. */
  synchronized long largeWaits() {
    return largeWaits;
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
    holding++;
    try {
      await(() -> buffered + b <= bufferBudget, deadline, "the buffer budget is in use");
    } finally {
      holding--;
    }
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
    reserving++;
    try {
      await(() -> reserved + bytes <= budget, deadline, "the memory budget is in use");
    } finally {
      reserving--;
    }
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
    if (reserving > 0) {
      notifyAll();
    }
  }

  private synchronized void unbuffer(long bytes) {
    buffered -= bytes;
    if (holding > 0) {
      notifyAll();
    }
  }

  /** A request in the queue; handed its slot by leaving the queue under the monitor. */
  private static final class Waiter {
    final boolean large;
    final CountDownLatch handed = new CountDownLatch(1);

    Waiter(boolean large) {
      this.large = large;
    }
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
    private boolean lane; // the lane is chosen (by the first plan)
    private boolean inLargeLane;
    private boolean holdsSlot = true; // false while, and after, waiting for the large lane failed

    /**
     * The plan's lane, then its memory estimate, waiting within the queue timeout and deadline: a
     * large job whose lane is full hands its slot on while it waits for a place in the lane.
     */
    void reserve(Plan plan, Instant deadline) {
      lane(decodedPixels(plan), deadline);
      reserve(plan.memoryEstimate(), deadline);
    }

    /** The lane of a job that decodes {@code pixels}, chosen once (a fallback format re-plans). */
    void lane(long pixels, Instant deadline) {
      if (!lane) {
        lane = true;
        if (pixels > largePixels) {
          enterLargeLane(deadline);
        } else {
          synchronized (Admission.this) {
            smallJobs++;
          }
        }
      }
    }

    /** Reserves the plan's memory estimate, waiting within the queue timeout and deadline. */
    void reserve(long estimate, Instant deadline) {
      Admission.this.reserve(estimate, deadline);
      bytes += estimate;
    }

    private void enterLargeLane(Instant deadline) {
      Waiter me;
      synchronized (Admission.this) {
        largeJobs++;
        if (large < largeLimit()) {
          large++;
          inLargeLane = true;
          return;
        }
        largeWaits++;
        inFlight--;
        holdsSlot = false;
        me = new Waiter(true);
        waiting.addFirst(me); // it had its turn: first among the large
        admitWaiting();
      }
      queueFor(me, deadline); // admitWaiting counts it in the lane
      synchronized (Admission.this) {
        holdsSlot = true;
        inLargeLane = true;
      }
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        release(bytes);
        synchronized (Admission.this) {
          if (holdsSlot) {
            inFlight--;
            if (inLargeLane) {
              large--;
            }
          }
          admitWaiting();
        }
      }
    }
  }

  /** Pixels the job decodes: its source after shrink-on-load (and a vector's scale), all frames. */
  static long decodedPixels(Plan plan) {
    Plan first = plan.passes().getFirst();
    double scale = first.load().scale() / first.load().shrink();
    long w = (long) Math.ceil(first.geometry().sourceWidth() * scale);
    long h = (long) Math.ceil(first.geometry().sourceHeight() * scale);
    return w * h * Math.max(1, first.frames());
  }
}
