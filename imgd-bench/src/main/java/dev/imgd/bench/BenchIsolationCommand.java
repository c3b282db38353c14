package dev.imgd.bench;

import dev.imgd.core.Imgd;
import dev.imgd.vips.Vips;
import dev.imgd.vips.VipsSettings;
import dev.imgd.worker.IsolatedEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.DoubleSupplier;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * What isolation costs: the same job on the in-process engine and on isolated workers, in rounds
 * that alternate the two, with as many client threads as libvips threads or workers; per round the
 * wall-clock throughput and the CPU per image of the whole process tree (this JVM and every worker
 * process, from /proc). Then how fast the pool replaces a worker killed while idle, and how long a
 * new worker takes to start, without and with a class-data archive.
 */
@Command(
    name = "bench-isolation",
    description =
        "Isolated workers vs in-process: throughput, CPU ms per image, worker replacement"
            + " (benchmark).")
final class BenchIsolationCommand implements Callable<Integer> {
  static final String IMAGE = "2569067123_aca715a2ee_o.jpg";

  @Option(
      names = "--image",
      description = "source image (default: the benchmark image of test-images/)")
  Path image = Path.of("test-images", IMAGE);

  @Option(names = "--options", description = "imgproxy options (default: ${DEFAULT-VALUE})")
  String imgproxyOptions = "rs:fit:720:0/q:80";

  @Option(names = "--workers", description = "workers, libvips threads and client threads")
  int workers = 2;

  @Option(names = "--rounds", description = "rounds, each one in-process and one isolated")
  int rounds = 3;

  @Option(names = "--seconds", description = "seconds each mode runs per round")
  int seconds = 15;

  @Option(names = "--warmup", description = "unmeasured images per engine first (JIT warm-up)")
  int warmup = 100;

  @Option(names = "--kills", description = "workers killed per replacement run")
  int kills = 5;

  @Option(names = "--quick", description = "1 round of 3 s, 2 kills: proves the command works")
  boolean quick;

  /** Linux's USER_HZ: /proc/PID/stat counts CPU time in these ticks. */
  private static final double TICK_MS = 10;

  private static final String WORKER_MAIN = "dev.imgd.worker.WorkerMain";
  private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);

  @Override
  public Integer call() throws Exception {
    if (quick) {
      rounds = 1;
      seconds = 3;
      kills = 2;
      warmup = Math.min(warmup, 20);
    }
    if (workers < 1 || rounds < 1 || seconds < 1 || kills < 1) {
      throw new IllegalArgumentException("--workers, --rounds, --seconds and --kills must be >= 1");
    }
    byte[] source = Files.readAllBytes(image);
    Path library = VipsSettings.libraryFromEnvironment();
    IsolatedEngine.Settings settings = IsolatedEngine.Settings.defaults(List.of(library), workers);

    double[][] rate = new double[2][rounds];
    double[][] cpu = new double[2][rounds];
    Replacement plain;
    IsolatedEngine engine = IsolatedEngine.start(settings);
    double engineStart = engine.stats().lastStartMillis();
    try (Imgd inProcess = Imgd.builder().threads(workers).build();
        Imgd isolated = Imgd.builder().engine(engine).build()) {
      awaitChange(() -> engine.stats().lastStartMillis(), engineStart, "the spare");
      Imgd[] modes = {inProcess, isolated};
      Imgd.Result a = inProcess.process(source, imgproxyOptions);
      Imgd.Result b = isolated.process(source, imgproxyOptions);
      System.out.printf(
          "image: %s (%d bytes), %s -> %s %dx%d, %d bytes; libvips %s; %d cores; %d workers/threads;"
              + " warm-up %d images per mode, then %d rounds of %d s per mode%n",
          image.getFileName(),
          source.length,
          imgproxyOptions,
          a.format(),
          a.width(),
          a.height(),
          a.bytes().length,
          Vips.version(),
          Runtime.getRuntime().availableProcessors(),
          workers,
          warmup,
          rounds,
          seconds);
      if (!Arrays.equals(a.bytes(), b.bytes())) {
        System.out.printf(
            "outputs DIFFER: in-process %d bytes, isolated %d bytes%n",
            a.bytes().length, b.bytes().length);
        return 1;
      }
      System.out.println("outputs: the same bytes in both modes");
      for (Imgd imgd : modes) {
        load(imgd, source, warmup, Long.MAX_VALUE);
      }
      for (int r = 0; r < rounds; r++) {
        // A B, then B A: drift on a shared machine hits both modes alike.
        for (int i = 0; i < 2; i++) {
          int m = r % 2 == 0 ? i : 1 - i;
          long replacedBefore = engine.stats().replaced();
          Round round = round(modes[m], source);
          if (engine.stats().replaced() != replacedBefore) {
            throw new IllegalStateException("a worker was replaced during the round");
          }
          rate[m][r] = round.imagesPerSecond();
          cpu[m][r] = round.cpuMsPerImage();
          System.out.printf(
              "round %d %-10s %5d images in %5.2f s: %6.2f images/s, %6.2f CPU ms/image"
                  + " (this JVM %.2f, workers %.2f)%n",
              r + 1,
              MODES[m],
              round.images,
              round.wallSeconds,
              rate[m][r],
              cpu[m][r],
              round.selfMs / round.images,
              round.workersMs / round.images);
        }
      }
      printThroughput(rate, cpu);
      // Replacement runs expect the kills: the pool's warnings about them would only be noise.
      ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("dev.imgd.worker"))
          .setLevel(ch.qos.logback.classic.Level.ERROR);
      plain = replacement(isolated, source, engineStart, "no class-data archive", null);
    }

    Path dir = Files.createTempDirectory("imgd-bench-cds-");
    try {
      Path archive = dir.resolve("worker.jsa");
      IsolatedEngine.Settings cds = settings.withClassDataArchive(archive);
      // Workers write the archive as they exit when their engine closes; a worker that takes
      // longer than the pool's stop timeout to write it is killed and writes nothing, so a second
      // engine gets a second chance.
      for (int attempt = 1; attempt <= 2 && !Files.isRegularFile(archive); attempt++) {
        try (Imgd first = Imgd.builder().engine(IsolatedEngine.start(cds)).build()) {
          load(first, source, 2 * workers, Long.MAX_VALUE); // the job's classes go in the archive
        }
        awaitNoWorkers();
        System.out.printf(
            "class-data archive after engine %d closed: %s%n",
            attempt,
            Files.isRegularFile(archive)
                ? "written, %d KiB".formatted(Files.size(archive) >> 10)
                : "NOT written");
      }
      boolean written = Files.isRegularFile(archive);
      IsolatedEngine withArchive = IsolatedEngine.start(cds);
      double withArchiveStart = withArchive.stats().lastStartMillis();
      Replacement shared;
      try (Imgd imgd = Imgd.builder().engine(withArchive).build()) {
        awaitChange(() -> withArchive.stats().lastStartMillis(), withArchiveStart, "the spare");
        shared =
            replacement(
                imgd,
                source,
                withArchiveStart,
                written ? "class-data archive" : "class-data archive asked for, NOT written",
                archive);
      }
      System.out.printf(
          "archive mapped by a replacement worker: %s%n", shared.mapped ? "yes" : "no");
      printReplacement(plain, shared);
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    return 0;
  }

  private static final String[] MODES = {"in-process", "isolated"};

  /** One timed round: {@code workers} client threads process the image until the time is up. */
  private Round round(Imgd imgd, byte[] source) throws InterruptedException {
    Map<Long, Long> before = treeTicks();
    long t0 = System.nanoTime();
    long images = load(imgd, source, Long.MAX_VALUE, t0 + TimeUnit.SECONDS.toNanos(seconds));
    long wall = System.nanoTime() - t0;
    Map<Long, Long> after = treeTicks();
    if (!after.keySet().equals(before.keySet())) {
      throw new IllegalStateException("worker processes changed during the round");
    }
    long self = ProcessHandle.current().pid();
    long selfTicks = after.get(self) - before.get(self);
    long workerTicks = 0;
    for (Map.Entry<Long, Long> e : after.entrySet()) {
      if (e.getKey() != self) {
        workerTicks += e.getValue() - before.get(e.getKey());
      }
    }
    return new Round(images, wall / 1e9, selfTicks * TICK_MS, workerTicks * TICK_MS);
  }

  /** A round's figures: images done, wall time, CPU of this JVM and of the worker processes. */
  private record Round(long images, double wallSeconds, double selfMs, double workersMs) {
    double imagesPerSecond() {
      return images / wallSeconds;
    }

    double cpuMsPerImage() {
      return (selfMs + workersMs) / images;
    }
  }

  /**
   * {@code workers} client threads process the image until {@code count} images are done or the
   * deadline (System.nanoTime) passes; returns how many were done.
   */
  private long load(Imgd imgd, byte[] source, long count, long deadline)
      throws InterruptedException {
    long[] done = new long[workers];
    AtomicReference<RuntimeException> failure = new AtomicReference<>();
    CountDownLatch start = new CountDownLatch(1);
    long perThread = count == Long.MAX_VALUE ? count : Math.max(1, count / workers);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < workers; t++) {
      int slot = t;
      threads.add(
          Thread.ofPlatform()
              .name("bench-client-" + t)
              .start(() -> {
                try {
                  start.await();
                  while (done[slot] < perThread
                      && System.nanoTime() - deadline < 0
                      && failure.get() == null) {
                    imgd.process(source, imgproxyOptions);
                    done[slot]++;
                  }
                } catch (RuntimeException e) {
                  failure.compareAndSet(null, e);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }));
    }
    start.countDown();
    for (Thread t : threads) {
      t.join();
    }
    if (failure.get() != null) {
      throw failure.get();
    }
    return Arrays.stream(done).sum();
  }

  /** CPU ticks (user + system) of this JVM and of each worker process it started, by pid. */
  private static Map<Long, Long> treeTicks() {
    Map<Long, Long> ticks = new HashMap<>();
    ticks.put(ProcessHandle.current().pid(), ticks(ProcessHandle.current().pid()));
    for (ProcessHandle worker : workerProcesses()) {
      ticks.put(worker.pid(), ticks(worker.pid()));
    }
    return ticks;
  }

  /** utime + stime of a process, from /proc/PID/stat (fields 14 and 15). */
  private static long ticks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // The command name (field 2) is in parentheses and may hold spaces: count from after it.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the CPU time of process " + pid, e);
    }
  }

  /** This JVM's live children that run a worker (serving workers and the spare). */
  private static List<ProcessHandle> workerProcesses() {
    return ProcessHandle.current()
        .children()
        .filter(ProcessHandle::isAlive)
        .filter(p -> commandLine(p.pid()).contains(WORKER_MAIN))
        .toList();
  }

  private static String commandLine(long pid) {
    try {
      return Files.readString(Path.of("/proc", Long.toString(pid), "cmdline")).replace('\0', ' ');
    } catch (IOException e) {
      return ""; // gone
    }
  }

  private static void awaitNoWorkers() {
    long t0 = System.nanoTime();
    while (!workerProcesses().isEmpty()) {
      if (System.nanoTime() - t0 > TIMEOUT_NANOS) {
        throw new IllegalStateException("workers still running after their engine closed");
      }
      LockSupport.parkNanos(1_000_000);
    }
  }

  /** Figures of one replacement run. */
  private record Replacement(
      String label,
      double engineStartMs,
      double[] replaceMs,
      double[] spareStartMs,
      boolean mapped) {}

  /**
   * On an isolated engine whose spare is up, {@code kills} times: SIGKILL to an idle worker (not
   * the spare), the time until the pool is back to strength (the spare promoted, counted as
   * replaced), then the start time of the new spare once it is up.
   */
  private Replacement replacement(
      Imgd imgd, byte[] source, double engineStartMs, String label, Path archive) {
    double[] replaceMs = new double[kills];
    double[] spareMs = new double[kills];
    boolean mapped = false;
    IsolatedEngine engine = (IsolatedEngine) imgd.engine();
    for (int k = 0; k < kills; k++) {
      List<ProcessHandle> children = new ArrayList<>(workerProcesses());
      // The spare is the youngest worker: it starts after the others are up.
      children.sort(
          Comparator.comparing((ProcessHandle p) -> startTicks(p.pid()))
              .thenComparingLong(ProcessHandle::pid));
      if (children.size() != workers + 1) {
        throw new IllegalStateException(
            "expected %d workers and a spare, found %d".formatted(workers, children.size()));
      }
      ProcessHandle victim = children.getFirst();
      IsolatedEngine.Stats before = engine.stats();
      long t0 = System.nanoTime();
      victim.destroyForcibly();
      while (true) {
        IsolatedEngine.Stats s = engine.stats();
        if (s.replaced() > before.replaced() && s.live() == s.size()) {
          break;
        }
        if (System.nanoTime() - t0 > TIMEOUT_NANOS) {
          throw new IllegalStateException("the killed worker was not replaced");
        }
        LockSupport.parkNanos(100_000);
      }
      replaceMs[k] = (System.nanoTime() - t0) / 1e6;
      spareMs[k] =
          awaitChange(
              () -> engine.stats().lastStartMillis(), before.lastStartMillis(), "a new spare");
      imgd.process(source, imgproxyOptions); // the pool works at full strength again
      if (archive != null) {
        mapped |= mapsFile(children.getLast().pid(), archive);
      }
    }
    return new Replacement(label, engineStartMs, replaceMs, spareMs, mapped);
  }

  /** Waits until the supplier's value differs from {@code old}; returns the new value. */
  private static double awaitChange(DoubleSupplier value, double old, String what) {
    long t0 = System.nanoTime();
    double v;
    while ((v = value.getAsDouble()) == old) {
      if (System.nanoTime() - t0 > TIMEOUT_NANOS) {
        throw new IllegalStateException(what + " did not start within 60 s");
      }
      LockSupport.parkNanos(1_000_000);
    }
    return v;
  }

  /** When the process started, in clock ticks since boot (/proc/PID/stat field 22). */
  private static long startTicks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[19]);
    } catch (IOException e) {
      return Long.MAX_VALUE; // gone
    }
  }

  private static boolean mapsFile(long pid, Path file) {
    try {
      return Files.readString(Path.of("/proc", Long.toString(pid), "maps"))
          .contains(file.toAbsolutePath().toString());
    } catch (IOException e) {
      return false;
    }
  }

  private void printThroughput(double[][] rate, double[][] cpu) {
    double[] rateRatio = new double[rounds];
    double[] cpuRatio = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      rateRatio[r] = rate[1][r] / rate[0][r];
      cpuRatio[r] = cpu[1][r] / cpu[0][r];
    }
    System.out.println();
    System.out.printf(
        "| mode | images/s, median (min-max) | CPU ms/image, median (min-max) |%n|---|---|---|%n");
    for (int m = 0; m < 2; m++) {
      System.out.printf(
          "| %s | %s | %s |%n", MODES[m], spread(rate[m], "%.1f"), spread(cpu[m], "%.1f"));
    }
    System.out.printf(
        "| isolated / in-process | %s | %s |%n",
        spread(rateRatio, "%.3f"), spread(cpuRatio, "%.3f"));
    double rateMedian = median(rateRatio);
    double cpuMedian = median(cpuRatio);
    boolean met = cpuMedian <= 1.05 && rateMedian >= 1 / 1.05;
    System.out.printf(
        "goal (isolation costs at most 5%%): %s: CPU per image %+.1f%%, throughput %+.1f%%"
            + " (medians of per-round ratios)%n%n",
        met ? "met" : "NOT met", (cpuMedian - 1) * 100, (rateMedian - 1) * 100);
  }

  private void printReplacement(Replacement... runs) {
    System.out.printf(
        "%n| worker start-up | engine start (workers in parallel) | replaced after SIGKILL (spare promoted),"
            + " median (min-max) | new spare's start, median (min-max) |%n|---|---|---|---|%n");
    for (Replacement r : runs) {
      System.out.printf(
          "| %s | %.0f ms | %s ms | %s ms |%n",
          r.label, r.engineStartMs, spread(r.replaceMs, "%.1f"), spread(r.spareStartMs, "%.0f"));
    }
    System.out.printf(
        "%d kills per run; worker start-up with the archive / without: %.2f%n",
        kills, median(runs[1].spareStartMs) / median(runs[0].spareStartMs));
  }

  private static String spread(double[] values, String format) {
    double[] v = values.clone();
    Arrays.sort(v);
    return (format + " (" + format + "-" + format + ")")
        .formatted(median(v), v[0], v[v.length - 1]);
  }

  private static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }
}
