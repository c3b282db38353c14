package dev.imgd.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImageFormat;
import dev.imgd.core.Imgd;
import dev.imgd.core.ImgdException;
import dev.imgd.core.plan.Page;
import dev.imgd.testkit.Fixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * FM-20 (native crash), FM-15 (work that outlives its deadline), FM-16 (memory): a worker that
 * hangs, spins, grows past its cap or crashes fails only its own job, with a typed error, within
 * the deadline plus the grace; the pool is back to strength, unrelated jobs running at the same
 * time all succeed, and no process or file descriptor is left behind.
 */
class IsolatedEngineTest {
  private static final Duration GRACE = Duration.ofMillis(300);
  private static final byte[] JPEG = Fixtures.bytes("Landscape_1.jpg");
  private static final byte[] SVG =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"/>"
          .getBytes(StandardCharsets.UTF_8);
  private static IsolatedEngine engine;
  private static Imgd imgd;

  @BeforeAll
  static void start() {
    engine =
        IsolatedEngine.start(
            IsolatedEngine.Settings.defaults(List.of(TestImages.library()), 2)
                .withMemoryCap(512L << 20)
                .withGrace(GRACE)
                .withQuarantine(Duration.ofMinutes(5)));
    imgd = Imgd.builder().engine(engine).build();
  }

  @AfterAll
  static void stop() {
    imgd.close();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "sleep, DEADLINE_EXCEEDED, 2",
    "spin, DEADLINE_EXCEEDED, 2",
    // A long deadline: the cap, not the deadline, must stop it (page faults are slow when busy).
    "grow, MEMORY_EXCEEDED, 30",
    "segv, WORKER_CRASHED, 30",
    "abort, WORKER_CRASHED, 30"
  })
  void misbehavingWorkerFailsOnlyItsJob(String fault, ErrorCode expected, int seconds)
      throws Exception {
    // Counted with every worker and spare started, so a spare still starting is not a "leak".
    awaitFullStrength(engine.stats().size());
    long fdsBefore = openFds();
    IsolatedEngine.Stats before = engine.stats();
    Instant deadline = Instant.now().plusSeconds(seconds);
    try (ExecutorService others = Executors.newFixedThreadPool(2)) {
      // Unrelated jobs on the other worker while this one misbehaves.
      List<Future<Imgd.Result>> jobs = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        jobs.add(others.submit(() -> imgd.process(JPEG, "rs:fit:200:0/q:80")));
      }
      long t0 = System.nanoTime();
      assertThatThrownBy(() -> faulty(WorkerFaults.input(fault), deadline))
          .isInstanceOfSatisfying(
              ImgdException.class, e -> assertThat(e.code()).isEqualTo(expected));
      long tookMs = (System.nanoTime() - t0) / 1_000_000;
      // By the deadline plus the grace, plus time to reap the process and classify its death
      // (up to 2 s on a loaded 2-core machine; without the watchdog the job never ends).
      assertThat(Instant.now()).isBefore(deadline.plus(GRACE).plusSeconds(2));
      for (Future<Imgd.Result> job : jobs) {
        assertThat(job.get().width()).isEqualTo(200);
      }
      System.out.printf("%s: %s after %d ms%n", fault, expected, tookMs);
    }
    awaitFullStrength(before.size());
    IsolatedEngine.Stats after = engine.stats();
    assertThat(after.replaced()).isEqualTo(before.replaced() + 1);
    assertThat(after.deaths().values().stream().mapToLong(Long::longValue).sum())
        .isEqualTo(before.deaths().values().stream().mapToLong(Long::longValue).sum() + 1);
    assertThat(zombies()).isEmpty();
    assertThat(openFds()).isLessThanOrEqualTo(fdsBefore);
  }

  /**
   * A bug in the worker (a RuntimeException out of a step) is ENGINE_FAILED with a safe message:
   * the answer named the exception's class ("...ArrayIndexOutOfBoundsException"), FM-12.
   */
  @Test
  void aBugInAWorkerAnswersWithoutTheExceptionsName_FM12() {
    assertThatThrownBy(() -> faulty(WorkerFaults.input("bug"), Instant.now().plusSeconds(5)))
        .isInstanceOfSatisfying(
            ImgdException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.ENGINE_FAILED))
        .hasMessageNotContaining("Exception")
        .hasMessageNotContaining("java.");
  }

  @Test
  void crashReportNamesTheSignal() {
    assertThatThrownBy(() -> faulty(WorkerFaults.input("segv"), Instant.now().plusSeconds(5)))
        .hasMessageContaining("SIGSEGV");
    awaitFullStrength(engine.stats().size());
  }

  @Test
  void quarantinedInputIsRefusedWithoutReachingAWorker() {
    byte[] input = WorkerFaults.input("segv");
    assertThatThrownBy(() -> faulty(input, Instant.now().plusSeconds(5)))
        .isInstanceOfSatisfying(
            ImgdException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.WORKER_CRASHED));
    awaitFullStrength(engine.stats().size());
    long replaced = engine.stats().replaced();
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> faulty(input, Instant.now().plusSeconds(5)))
        .isInstanceOfSatisfying(
            ImgdException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.QUARANTINED));
    assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(1000);
    assertThat(engine.stats().replaced()).isEqualTo(replaced);
    // A different input still reaches a worker.
    assertThat(faulty(SVG, Instant.now().plusSeconds(5)).pages()).isEqualTo(1);
  }

  @Test
  void idleWorkerKilledFromOutsideIsReplacedWithoutFailingAJob() {
    int size = engine.stats().size();
    long replaced = engine.stats().replaced();
    ProcessHandle victim = workerProcesses().getFirst();
    victim.destroyForcibly(); // as the kernel's OOM killer would
    long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (engine.stats().replaced() == replaced && System.nanoTime() < until) {
      Thread.onSpinWait();
    }
    for (int i = 0; i < 4; i++) {
      assertThat(imgd.process(JPEG, "rs:fit:100:0").width()).isEqualTo(100);
    }
    awaitFullStrength(size);
    assertThat(engine.stats().replaced()).isEqualTo(replaced + 1);
  }

  static List<ProcessHandle> workerProcesses() {
    return ProcessHandle.current()
        .children()
        .filter(p ->
            p.info().arguments().map(a -> String.join(" ", a)).orElse("").contains("WorkerMain"))
        .toList();
  }

  @Test
  void legitimateJobsRunInWorkers() {
    Imgd.Result r = imgd.process(JPEG, "rs:fill:300:300/f:webp");
    assertThat(r.width()).isEqualTo(300);
    assertThat(r.height()).isEqualTo(300);
    assertThat(engine.stats().busy()).isZero();
  }

  @Test
  void badInputGetsItsTypedErrorAndTheWorkerStays() {
    byte[] truncated = Fixtures.bytes("truncated.jpg");
    long replaced = engine.stats().replaced();
    assertThatThrownBy(() -> imgd.process(truncated, "rs:fit:100:0"))
        .isInstanceOfSatisfying(
            ImgdException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CORRUPT_IMAGE));
    assertThat(engine.stats().replaced()).isEqualTo(replaced);
  }

  /**
   * A job that takes the engine's whole path (quarantine, pool, watchdog) to a worker, where a
   * {@link WorkerFaults} input makes the worker misbehave; any other input is measured as usual.
   */
  static Page faulty(byte[] input, Instant deadline) {
    return engine.measure(input, ImageFormat.SVG, 0, deadline);
  }

  static void awaitFullStrength(int size) {
    long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < until) {
      IsolatedEngine.Stats s = engine.stats();
      long started = engine.pools.stream().filter(p -> p.size() > 0).count();
      if (s.live() == size && s.busy() == 0 && s.spares() == started) {
        return;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
    throw new AssertionError("the pool did not get back to " + size + ": " + engine.stats());
  }

  /** Children of this JVM that are dead but not reaped. */
  static List<Long> zombies() {
    return ProcessHandle.current()
        .descendants()
        .filter(p -> {
          try {
            String stat = Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
          } catch (IOException e) {
            return false;
          }
        })
        .map(ProcessHandle::pid)
        .toList();
  }

  static long openFds() throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.count();
    }
  }
}
