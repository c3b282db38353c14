package dev.imgd.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImgdException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The admission queue (FM-16, FM-24): bounded, timed, first come first served. */
class AdmissionTest {
  private static final Instant FAR = Instant.now().plusSeconds(600);

  /**
   * Regression: waiters used to race for each freed slot (and a newcomer could take it before all
   * of them), so W1's p99 was five times its p50 at 16 connections on 2 slots.
   */
  @Test
  void slotsGoToWaitersInArrivalOrder() throws Exception {
    Admission admission = new Admission(1, 10, Duration.ofSeconds(60), 1 << 30);
    Admission.Permit first = admission.admit(FAR);
    BlockingQueue<Integer> order = new LinkedBlockingQueue<>();
    BlockingQueue<Admission.Permit> permits = new LinkedBlockingQueue<>();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      int id = i;
      threads.add(
          Thread.ofVirtual()
              .start(() -> {
                Admission.Permit p = admission.admit(FAR);
                order.add(id);
                permits.add(p);
              }));
      awaitWaiting(admission, i + 1); // queued before the next one arrives
    }
    Admission.Permit held = first;
    for (int i = 0; i < 6; i++) {
      held.close();
      assertThat(order.poll(10, TimeUnit.SECONDS)).isEqualTo(i);
      held = permits.take();
      // A newcomer while others wait does not overtake them: it queues behind.
      assertThat(admission.inFlight()).isEqualTo(1);
    }
    held.close();
    for (Thread t : threads) {
      t.join();
    }
    assertThat(admission.inFlight()).isZero();
    assertThat(admission.waiting()).isZero();
  }

  @Test
  void aNewcomerQueuesBehindWaitersEvenWhenASlotIsFree() throws Exception {
    Admission admission = new Admission(1, 10, Duration.ofSeconds(60), 1 << 30);
    Admission.Permit first = admission.admit(FAR);
    BlockingQueue<Admission.Permit> waiter = new LinkedBlockingQueue<>();
    Thread t = Thread.ofVirtual().start(() -> waiter.add(admission.admit(FAR)));
    awaitWaiting(admission, 1);
    first.close(); // handed to the waiter, not left for whoever asks next
    assertThat(admission.inFlight()).isEqualTo(1);
    assertThatThrownBy(() -> admission.admit(Instant.now().plusMillis(100)))
        .isInstanceOfSatisfying(
            ImgdException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.DEADLINE_EXCEEDED));
    waiter.take().close();
    t.join();
    assertThat(admission.inFlight()).isZero();
  }

  @Test
  void aFullQueueAndAnExpiredWaitAreOverloaded() throws Exception {
    Admission admission = new Admission(1, 1, Duration.ofMillis(200), 1 << 30);
    Admission.Permit held = admission.admit(FAR);
    CompletableFuture<Throwable> waiter =
        CompletableFuture.supplyAsync(
            () -> catchThrowable(() -> admission.admit(FAR)), Thread::startVirtualThread);
    awaitWaiting(admission, 1);
    assertThat(admission.full()).isTrue();
    assertThatThrownBy(() -> admission.admit(FAR))
        .isInstanceOfSatisfying(
            ImgdException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.OVERLOADED))
        .hasMessageContaining("queue is full");
    // The waiter's 200 ms run out.
    assertThat(waiter.get(10, TimeUnit.SECONDS))
        .isInstanceOfSatisfying(
            ImgdException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.OVERLOADED))
        .hasMessageContaining("no slot came free");
    assertThat(admission.waiting()).isZero();
    held.close();
    assertThat(admission.inFlight()).isZero();
  }

  /** A waiter woken alone (no notifyAll): interrupted, it leaves the queue and holds nothing. */
  @Test
  void anInterruptedWaiterLeavesTheQueue() throws Exception {
    Admission admission = new Admission(1, 10, Duration.ofSeconds(60), 1 << 30);
    Admission.Permit held = admission.admit(FAR);
    CompletableFuture<Throwable> interrupted = new CompletableFuture<>();
    Thread t =
        Thread.ofVirtual()
            .start(() -> interrupted.complete(catchThrowable(() -> admission.admit(FAR))));
    awaitWaiting(admission, 1);
    t.interrupt();
    assertThat(interrupted.get(10, TimeUnit.SECONDS))
        .isInstanceOfSatisfying(
            ImgdException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.OVERLOADED))
        .hasMessageContaining("interrupted");
    assertThat(admission.waiting()).isZero();
    held.close();
    assertThat(admission.inFlight()).isZero();
    admission.admit(FAR).close(); // the slot is free for the next
  }

  @Test
  void raisingTheLimitAdmitsWaiters() throws Exception {
    Admission admission = new Admission(2, 10, Duration.ofSeconds(60), 1 << 30);
    admission.limit(1);
    Admission.Permit first = admission.admit(FAR);
    BlockingQueue<Admission.Permit> waiter = new LinkedBlockingQueue<>();
    Thread t = Thread.ofVirtual().start(() -> waiter.add(admission.admit(FAR)));
    awaitWaiting(admission, 1);
    admission.limit(2);
    Admission.Permit second = waiter.poll(10, TimeUnit.SECONDS);
    assertThat(second).isNotNull();
    assertThat(admission.inFlight()).isEqualTo(2);
    second.close();
    first.close();
    t.join();
    assertThat(admission.inFlight()).isZero();
  }

  /**
   * Issue 15 (FM-16): room for buffered bytes waits within the queue timeout, then OVERLOADED;
   * trimming gives back what a body or download turned out not to need.
   */
  @Test
  void bufferRoomWaitsThenRefusesAndTrimGivesBack() throws Exception {
    Admission admission = new Admission(2, 10, Duration.ofMillis(300), 1 << 30, 100);
    Admission.Held a = admission.hold(60, FAR);
    Admission.Held b = admission.hold(40, FAR);
    assertThat(admission.buffered()).isEqualTo(100);
    assertThatThrownBy(() -> admission.hold(1, FAR))
        .isInstanceOfSatisfying(
            ImgdException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.OVERLOADED));
    a.close();
    b.trim(30);
    assertThat(admission.buffered()).isEqualTo(30);
    CompletableFuture<Admission.Held> waiter =
        CompletableFuture.supplyAsync(() -> admission.hold(80, FAR));
    Thread.sleep(50);
    assertThat(waiter).isNotDone();
    b.close();
    waiter.get(10, TimeUnit.SECONDS).close();
    assertThat(admission.buffered()).isZero();
    try (Admission.Held all = admission.hold(1000, FAR)) { // at most the whole budget: it fits
      assertThat(admission.buffered()).isEqualTo(100);
    }
    assertThat(admission.buffered()).isZero();
  }

  /**
   * Issue 17, W6 (lanes): large jobs hold at most all slots but one. A large job that finds its
   * lane full hands its slot to a small one and waits, and a small waiter behind it passes it.
   */
  @Test
  void largeJobsLeaveASlotForSmallOnes() throws Exception {
    Admission admission =
        new Admission(2, 10, Duration.ofSeconds(60), 1 << 30, 1 << 30, 1000, Duration.ZERO);
    Admission.Permit large1 = admission.admit(FAR);
    large1.lane(5000, FAR);
    assertThat(admission.inFlight(true)).isEqualTo(1);
    Admission.Permit large2 = admission.admit(FAR);
    CompletableFuture<Void> waits =
        CompletableFuture.runAsync(() -> large2.lane(5000, FAR), Thread::startVirtualThread);
    awaitWaiting(admission, 1); // large2 gave its slot back and waits for the lane
    assertThat(admission.inFlight()).isEqualTo(1);
    Admission.Permit small1 = admission.admit(FAR); // passes the large waiter: a slot is free
    small1.lane(10, FAR);
    assertThat(admission.inFlight(false)).isEqualTo(1);
    BlockingQueue<Admission.Permit> small2 = new LinkedBlockingQueue<>();
    Thread t = Thread.ofVirtual().start(() -> small2.add(admission.admit(FAR)));
    awaitWaiting(admission, 2);
    small1.close(); // the slot goes to the small waiter behind the large one
    Admission.Permit s2 = small2.poll(10, TimeUnit.SECONDS);
    assertThat(s2).isNotNull();
    assertThat(waits).isNotDone();
    large1.close(); // now the large lane has room, and so do the slots
    s2.close();
    waits.get(10, TimeUnit.SECONDS);
    assertThat(admission.inFlight(true)).isEqualTo(1);
    large2.close();
    t.join();
    assertThat(admission.inFlight()).isZero();
    assertThat(admission.inFlight(true)).isZero();
    assertThat(admission.jobs(true)).isEqualTo(2);
    assertThat(admission.jobs(false)).isEqualTo(1);
    assertThat(admission.largeWaits()).isEqualTo(1);
  }

  /**
   * Issue 17, c256: a request that finds the queue full is refused only after the pause (clients
   * that retry at once are paced), and let in if a place comes free meanwhile.
   */
  @Test
  void aFullQueueRefusesAfterThePauseOrAdmitsIfAPlaceCameFree() throws Exception {
    Admission admission =
        new Admission(
            1, 0, Duration.ofSeconds(60), 1 << 30, 1 << 30, Long.MAX_VALUE, Duration.ofMillis(300));
    Admission.Permit held = admission.admit(FAR);
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> admission.admit(FAR))
        .isInstanceOfSatisfying(
            ImgdException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.OVERLOADED));
    assertThat(Duration.ofNanos(System.nanoTime() - t0))
        .isGreaterThanOrEqualTo(Duration.ofMillis(290));
    assertThatThrownBy(() -> admission.enter(1, FAR)) // the door of a download, as full
        .isInstanceOfSatisfying(
            ImgdException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.OVERLOADED));
    CompletableFuture<Admission.Permit> paused =
        CompletableFuture.supplyAsync(() -> admission.admit(FAR), Thread::startVirtualThread);
    Thread.sleep(100);
    held.close(); // a place comes free during the pause
    paused.get(10, TimeUnit.SECONDS).close();
    assertThat(admission.inFlight()).isZero();
  }

  /**
   * Issue 17, c256: requests waiting for buffer room count as queued, so a crowd stops at the door
   * (paced, then 503) instead of piling up behind the buffer budget past a queue never full.
   */
  @Test
  void waitersForBufferRoomCountAsQueued() throws Exception {
    Admission admission = new Admission(1, 1, Duration.ofSeconds(60), 1 << 30, 100);
    Admission.Permit slot = admission.admit(FAR);
    Admission.Held room = admission.hold(100, FAR);
    assertThat(admission.full()).isFalse();
    CompletableFuture<Admission.Held> waiter =
        CompletableFuture.supplyAsync(() -> admission.hold(50, FAR), Thread::startVirtualThread);
    long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!admission.full() && System.nanoTime() < until) {
      Thread.sleep(1);
    }
    assertThat(admission.full()).isTrue();
    room.close();
    waiter.get(10, TimeUnit.SECONDS).close();
    assertThat(admission.full()).isFalse();
    slot.close();
  }

  private static void awaitWaiting(Admission admission, int n) throws InterruptedException {
    long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (admission.waiting() != n) {
      if (System.nanoTime() > until) {
        throw new AssertionError("waiting " + admission.waiting() + ", expected " + n);
      }
      Thread.sleep(1);
    }
  }
}
