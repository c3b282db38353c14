package dev.imgd.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Issue 5, item 5 (FM-16, FM-24): requests arriving at {@code factor} times what the server can
 * finish, a mix of large and small images, the result cache off. Capacity is measured first: the
 * throughput of closed-loop clients enough to keep every worker busy (one request in work and one
 * waiting per worker), after a warm-up. The overload is open-loop (arrivals do not wait for
 * answers, as real clients do not), so the excess must be shed.
 */
@Command(
    name = "overload",
    mixinStandardHelpOptions = true,
    description = {
      "A fresh server at 4x its measured capacity (issue 5, item 5).",
      "",
      "Starts a server with isolated workers and the result cache off, measures its",
      "capacity, sends requests at --factor times that rate for --seconds while",
      "another client polls /health every 100 ms, then measures how soon one client",
      "gets its pre-load throughput again. Exit 1 when a criterion fails."
    })
final class OverloadCommand implements Callable<Integer> {
  static final String LARGE = "2569067123_aca715a2ee_o.jpg";
  static final String LARGE_OPTIONS = "rs:fit:720:0/f:jpg";
  static final String SMALL_OPTIONS = "rs:fit:200:0/f:jpg";

  @Option(names = "--seconds", description = "length of the overload")
  int seconds = 60;

  @Option(names = "--factor", description = "arrival rate as a multiple of the measured capacity")
  double factor = 4;

  @Option(names = "--workers", description = "IMGD_WORKERS of the server")
  int workers = 2;

  @Option(names = "--queue", description = "IMGD_QUEUE_SIZE of the server")
  int queue = 4;

  @Option(names = "--queue-timeout", description = "IMGD_QUEUE_TIMEOUT of the server, seconds")
  int queueTimeout = 2;

  @Option(names = "--timeout", description = "IMGD_TIMEOUT of the server, seconds")
  int timeout = 10;

  @Option(names = "--measure", description = "seconds of each measurement before the overload")
  int measure = 10;

  @Option(names = "--rss-budget", description = "bytes the server and its workers may reach")
  long rssBudget = 2L << 30;

  @Option(names = "--health-p99-ms", description = "bound on /health's p99 during the overload")
  double healthBound = 50;

  @Option(names = "--recovery-seconds", description = "bound on the time to full throughput")
  double recoveryBound = 10;

  @Option(
      names = "--strict-timing",
      description = "judge the timing criteria even when the machine was busy before the run")
  boolean strictTiming;

  @Option(names = "--images", description = "folder with the large and Landscape_* images")
  Path images = Path.of("test-images");

  /** One finished request. */
  private record Rec(boolean large, Http.Answer answer, String bad) {}

  private final Map<String, byte[]> sources = new HashMap<>();
  private final List<String> small = new ArrayList<>();
  private final AtomicLong bad200 = new AtomicLong();
  private final List<String> badExamples = new ArrayList<>();
  private Duration clientTimeout;

  @Override
  public Integer call() throws Exception {
    Report report = new Report(System.out);
    double loadBefore = ProcTree.loadAverage();
    int cores = Runtime.getRuntime().availableProcessors();
    boolean judgeTiming = strictTiming || (loadBefore >= 0 && loadBefore <= cores);
    sources.put(LARGE, Files.readAllBytes(images.resolve(LARGE)));
    for (int i = 1; i <= 8; i++) {
      String name = "Landscape_" + i + ".jpg";
      sources.put(name, Files.readAllBytes(images.resolve(name)));
      small.add(name);
    }
    clientTimeout = Duration.ofSeconds(timeout + 5L);
    Path work = Files.createTempDirectory("imgd-overload-");
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("IMGD_MODE", "isolated");
    settings.put("IMGD_LOCAL_ROOT", images.toAbsolutePath().toString());
    settings.put("IMGD_WORKERS", Integer.toString(workers));
    settings.put("IMGD_QUEUE_SIZE", Integer.toString(queue));
    settings.put("IMGD_QUEUE_TIMEOUT", Integer.toString(queueTimeout));
    settings.put("IMGD_TIMEOUT", Integer.toString(timeout));
    settings.put("IMGD_RSS_BUDGET", Long.toString(rssBudget));
    settings.put("IMGD_CACHE_MAX_BYTES", "0");
    settings.put("IMGD_DRAIN_TIMEOUT", "5");
    report.line(
        "imgd overload: x%s for %d s; %d workers, queue %d (wait %d s), timeout %d s, cache off,"
            + " RSS budget %s; half %s to 720 px, half Landscape_1-8 to 200 px; %s",
        factor,
        seconds,
        workers,
        queue,
        queueTimeout,
        timeout,
        Report.mib(rssBudget),
        LARGE,
        ProcTree.load());
    try (ServerProcess server = ServerProcess.start(settings, work.resolve("server.log"))) {
      Http http = server.http;
      AtomicLong peakRss = new AtomicLong();
      AtomicInteger peakProcesses = new AtomicInteger();
      AtomicLong maxTier = new AtomicLong();
      Thread sampler =
          Thread.ofPlatform()
              .daemon()
              .start(() -> {
                for (long tick = 0; !Thread.currentThread().isInterrupted(); tick++) {
                  ProcTree.Sample s = server.sample();
                  peakRss.accumulateAndGet(s.rss(), Math::max);
                  peakProcesses.accumulateAndGet(s.processes(), Math::max);
                  if (tick % 20 == 0) {
                    double tier = http.metrics().getOrDefault("imgd_memory_tier", 0.0);
                    maxTier.accumulateAndGet((long) tier, Math::max);
                  }
                  try {
                    Thread.sleep(100);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              });

      closedLoop(http, workers, measure, new ConcurrentLinkedQueue<>()); // warm-up
      ConcurrentLinkedQueue<Rec> capacityRecs = new ConcurrentLinkedQueue<>();
      // One request in work and one waiting per worker: no worker idles between requests.
      int feeders = workers + Math.min(workers, queue);
      double capacity = ok(closedLoop(http, feeders, measure, capacityRecs)) / (double) measure;
      ConcurrentLinkedQueue<Rec> baselineRecs = new ConcurrentLinkedQueue<>();
      double baseline = ok(closedLoop(http, 1, measure, baselineRecs)) / (double) measure;
      double rate = Math.max(1, capacity * factor);
      report.line(
          "capacity (%d clients): %.1f images/s; one client: %.1f images/s; overload: %.1f/s",
          feeders, capacity, baseline, rate);

      Map<String, Double> before = http.metrics();
      ConcurrentLinkedQueue<Rec> overload = new ConcurrentLinkedQueue<>();
      List<Double> health = new ArrayList<>();
      AtomicInteger healthFailed = new AtomicInteger();
      Thread poller;
      try (Http healthClient = new Http(java.net.URI.create("http://127.0.0.1:" + server.port))) {
        healthClient.get("/health", Duration.ofSeconds(5)); // its own connection, opened first
        CountDownLatch stop = new CountDownLatch(1);
        poller =
            Thread.ofPlatform()
                .start(() -> {
                  while (stop.getCount() > 0) {
                    long t0 = System.nanoTime();
                    Http.Answer a = healthClient.get("/health", Duration.ofSeconds(5));
                    synchronized (health) {
                      health.add(a.ms());
                    }
                    if (a.status() != 200) {
                      healthFailed.incrementAndGet();
                    }
                    long left = 100_000_000 - (System.nanoTime() - t0);
                    if (left > 0) {
                      LockSupport.parkNanos(left);
                    }
                  }
                });
        long drops = ProcTree.listenDrops();
        double serverCpu = server.sample().cpuSeconds();
        double selfCpu = selfCpuSeconds();
        long[] sent = openLoop(http, rate, seconds, overload);
        serverCpu = server.sample().cpuSeconds() - serverCpu;
        selfCpu = selfCpuSeconds() - selfCpu;
        long stoppedAt = System.nanoTime();
        stop.countDown();
        poller.join();
        double recovery = recovery(http, baseline, stoppedAt);
        awaitAll(overload, sent[0]);
        Map<String, Double> after = http.metrics();
        drops = drops < 0 ? -1 : ProcTree.listenDrops() - drops;
        sampler.interrupt();
        boolean alive = server.alive();

        report.line("");
        phases(report, capacityRecs, baselineRecs, overload, sent, rate);
        double[] h = health.stream().mapToDouble(Double::doubleValue).toArray();
        report.line("");
        report.line(
            "/health during the overload: %d polls, %d not 200; p50 %s, p99 %s, max %s",
            h.length,
            healthFailed.get(),
            Report.ms(Report.percentile(h, 50)),
            Report.ms(Report.percentile(h, 99)),
            Report.ms(Report.max(h)));
        String name = "imgd_request_duration_seconds";
        report.line(
            "Server-side durations of the same requests (its histogram's bucket bounds, recovery"
                + " phase included): 200 p50 %s, p99 %s; 503 p50 %s, p99 %s",
            bound(Http.quantile(before, after, name, "status=\"200\"", 0.5)),
            bound(Http.quantile(before, after, name, "status=\"200\"", 0.99)),
            bound(Http.quantile(before, after, name, "status=\"503\"", 0.5)),
            bound(Http.quantile(before, after, name, "status=\"503\"", 0.99)));
        report.line(
            "Client side: arrivals ran up to %s behind schedule; connection attempts dropped by"
                + " full listen queues on this machine meanwhile (all processes): %s",
            Report.ms(sent[2] / 1e6), drops < 0 ? "unknown" : Long.toString(drops));
        report.line(
            "CPU during the overload (%d s x %d cores = %d CPU-s): server and workers %.0f CPU-s,"
                + " this load generator %.0f CPU-s; the rest went to other processes or idle",
            seconds, cores, seconds * cores, serverCpu, selfCpu);
        report.line(
            "Peak RSS of the server and its workers: %s (%d processes at most); highest memory"
                + " tier: %d (0 normal, 1 reduced, 2 shedding)",
            Report.mib(peakRss.get()), peakProcesses.get(), maxTier.get());
        report.line(
            "Workers killed during the overload: %s",
            delta(before, after, "imgd_workers_killed_total"));
        report.line(
            "Back to one client's throughput (>= 90%% of %.1f/s over 2 s): %s",
            baseline,
            recovery < 0 ? "not within 60 s" : "%.1f s after the load stopped".formatted(recovery));
        if (!badExamples.isEmpty()) {
          report.line("Bad 200 answers, first ones: %s", badExamples);
        }

        double[] admitted =
            overload.stream()
                .filter(r -> r.answer().status() == 200)
                .mapToDouble(r -> r.answer().ms())
                .toArray();
        long noAnswer = overload.stream().filter(r -> r.answer().status() == 0).count();
        report.line("");
        report.line("Criteria:");
        report.criterion(
            alive && noAnswer == 0,
            "the server stayed up and answered every request (%d without an answer)"
                .formatted(noAnswer));
        double oom = after.getOrDefault("imgd_workers_killed_total{cause=\"oom\"}", 0.0);
        report.criterion(oom == 0, "no worker killed by the OOM killer (%.0f)".formatted(oom));
        report.criterion(
            peakRss.get() > 0 && peakRss.get() <= rssBudget,
            "peak RSS %s under the budget %s"
                .formatted(Report.mib(peakRss.get()), Report.mib(rssBudget)));
        report.criterion(
            admitted.length > 0 && Report.percentile(admitted, 99) <= (timeout + 1) * 1000.0,
            "admitted requests' p99 %s within the deadline + 1 s (%d ms)"
                .formatted(Report.ms(Report.percentile(admitted, 99)), (timeout + 1) * 1000));
        report.criterion(bad200.get() == 0, "no bad 200 (%d)".formatted(bad200.get()));
        String healthWhat =
            "/health p99 %s under %s"
                .formatted(Report.ms(Report.percentile(h, 99)), Report.ms(healthBound));
        String recoveryWhat =
            "full throughput again within %.0f s (%s)"
                .formatted(
                    recoveryBound, recovery < 0 ? "not within 60 s" : "%.1f s".formatted(recovery));
        if (judgeTiming) {
          report.criterion(h.length > 0 && Report.percentile(h, 99) < healthBound, healthWhat);
          report.criterion(recovery >= 0 && recovery <= recoveryBound, recoveryWhat);
        } else {
          String why =
              " - not judged: the machine was busy before the run (load average %.1f on %d cores)"
                  .formatted(loadBefore, cores);
          report.unjudged(healthWhat + why);
          report.unjudged(recoveryWhat + why);
        }
        if (!alive) {
          report.line("server log:%n%s", server.logTail(30));
        }
      }
    }
    HostileCommand.deleteTree(work);
    return report.verdict("imgd overload");
  }

  /** Request i of a mix: even ones large, odd ones one of the eight small ones. */
  private Rec request(Http http, long i) {
    boolean large = i % 2 == 0;
    String file = large ? LARGE : small.get((int) ((i / 2) % small.size()));
    String options = large ? LARGE_OPTIONS : SMALL_OPTIONS;
    String ext = options.substring(options.lastIndexOf(':') + 1);
    String base = options.substring(0, options.lastIndexOf('/'));
    Http.Answer a =
        http.get("/insecure/" + base + "/plain/local:///" + file + "@" + ext, clientTimeout);
    String bad;
    try {
      bad = a.status() == 200 ? BodyCheck.problem(sources.get(file), options, a) : null;
    } catch (RuntimeException e) {
      bad = "the check failed: " + e;
    }
    if (bad != null) {
      bad200.incrementAndGet();
      synchronized (badExamples) {
        if (badExamples.size() < 5) {
          badExamples.add(file + ": " + bad);
        }
      }
    }
    return new Rec(
        large,
        new Http.Answer(
            a.status(),
            a.code(),
            a.contentType(),
            new byte[0],
            a.nanos(),
            a.retryAfter(),
            a.error()),
        bad);
  }

  /** {@code clients} clients, each sending its next request when its last was answered. */
  private ConcurrentLinkedQueue<Rec> closedLoop(
      Http http, int clients, double secs, ConcurrentLinkedQueue<Rec> into)
      throws InterruptedException {
    long end = System.nanoTime() + (long) (secs * 1e9);
    AtomicLong counter = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      threads.add(
          Thread.ofVirtual()
              .start(() -> {
                while (System.nanoTime() < end) {
                  into.add(request(http, counter.getAndIncrement()));
                }
              }));
    }
    for (Thread t : threads) {
      t.join();
    }
    return into;
  }

  private static long ok(ConcurrentLinkedQueue<Rec> recs) {
    return recs.stream().filter(r -> r.answer().status() == 200).count();
  }

  /**
   * Arrivals at {@code rate} per second for {@code secs}; returns {sent, skipped, the most
   * nanoseconds an arrival started behind its schedule}.
   */
  private long[] openLoop(Http http, double rate, int secs, ConcurrentLinkedQueue<Rec> into) {
    long interval = (long) (1e9 / rate);
    long start = System.nanoTime();
    long end = start + secs * 1_000_000_000L;
    AtomicInteger inFlight = new AtomicInteger();
    int cap = 2000;
    long sent = 0;
    long skipped = 0;
    long lag = 0;
    for (long i = 0; ; i++) {
      long at = start + i * interval;
      if (at >= end) {
        break;
      }
      long wait = at - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      lag = Math.max(lag, System.nanoTime() - at);
      if (inFlight.get() >= cap) {
        skipped++;
        continue;
      }
      long n = i;
      inFlight.incrementAndGet();
      sent++;
      Thread.ofVirtual()
          .start(() -> {
            try {
              into.add(request(http, n));
            } finally {
              inFlight.decrementAndGet();
            }
          });
    }
    return new long[] {sent, skipped, lag};
  }

  /** Waits for the answers to the requests sent (each has a client timeout, so they end). */
  private void awaitAll(ConcurrentLinkedQueue<Rec> recs, long sent) throws InterruptedException {
    long until = System.nanoTime() + clientTimeout.plusSeconds(30).toNanos();
    while (recs.size() < sent && System.nanoTime() < until) {
      Thread.sleep(50);
    }
  }

  /**
   * One client from the moment the load stopped: seconds until a 2 s window in which it finished at
   * least 90% of its pre-load throughput (the window's end), or -1 if none within 60 s.
   */
  private double recovery(Http http, double baseline, long stoppedAt) {
    long window = 2_000_000_000L;
    long windowStart = stoppedAt;
    int done = 0;
    for (long i = 0; System.nanoTime() - stoppedAt < 60_000_000_000L; i++) {
      Rec r = request(http, i);
      if (r.answer().status() == 200) {
        done++;
      }
      long now = System.nanoTime();
      if (now - windowStart >= window) {
        double rate = done / ((now - windowStart) / 1e9);
        if (rate >= 0.9 * baseline) {
          return (now - stoppedAt) / 1e9;
        }
        windowStart = now;
        done = 0;
      }
    }
    return -1;
  }

  private void phases(
      Report report,
      ConcurrentLinkedQueue<Rec> capacity,
      ConcurrentLinkedQueue<Rec> baseline,
      ConcurrentLinkedQueue<Rec> overload,
      long[] sent,
      double rate) {
    List<List<String>> rows = new ArrayList<>();
    int feeders = workers + Math.min(workers, queue);
    rows.add(row("capacity, %d clients, %d s".formatted(feeders, measure), capacity, measure));
    rows.add(row("one client, %d s".formatted(measure), baseline, measure));
    rows.add(row("overload %.1f/s, %d s".formatted(rate, seconds), overload, seconds));
    report.table(
        List.of(
            "phase", "requests", "answers", "200/s", "200 p50", "200 p99", "200 max", "503 p99"),
        rows);
    if (sent[1] > 0) {
      report.line("(%d arrivals not sent: 2000 requests were already waiting)", sent[1]);
    }
    long large503 = overload.stream().filter(r -> r.large() && r.answer().status() == 503).count();
    long retryAfter =
        overload.stream()
            .filter(r -> r.answer().status() == 503 && r.answer().retryAfter() != null)
            .count();
    long all503 = overload.stream().filter(r -> r.answer().status() == 503).count();
    report.line(
        "503 during the overload: %d (%d for large images), %d with Retry-After",
        all503, large503, retryAfter);
  }

  private static List<String> row(String phase, ConcurrentLinkedQueue<Rec> recs, double secs) {
    Map<String, Integer> labels = new HashMap<>();
    recs.forEach(r -> labels.merge(r.answer().label(), 1, Integer::sum));
    double[] ok =
        recs.stream()
            .filter(r -> r.answer().status() == 200)
            .mapToDouble(r -> r.answer().ms())
            .toArray();
    double[] shed =
        recs.stream()
            .filter(r -> r.answer().status() == 503)
            .mapToDouble(r -> r.answer().ms())
            .toArray();
    return List.of(
        phase,
        Integer.toString(recs.size()),
        Report.counts(labels),
        "%.1f".formatted(ok.length / secs),
        Report.ms(Report.percentile(ok, 50)),
        Report.ms(Report.percentile(ok, 99)),
        Report.ms(Report.max(ok)),
        shed.length == 0 ? "-" : Report.ms(Report.percentile(shed, 99)));
  }

  private static double selfCpuSeconds() {
    var os =
        (com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    return os.getProcessCpuTime() / 1e9;
  }

  private static String bound(double seconds) {
    return seconds < 0
        ? "-"
        : Double.isInfinite(seconds) ? "> max bucket" : "<= " + Report.ms(seconds * 1000);
  }

  private static String delta(Map<String, Double> before, Map<String, Double> after, String name) {
    StringBuilder b = new StringBuilder();
    for (String cause : List.of("deadline", "memory", "oom", "crash")) {
      String k = name + "{cause=\"" + cause + "\"}";
      long d = (long) (after.getOrDefault(k, 0.0) - before.getOrDefault(k, 0.0));
      b.append(b.isEmpty() ? "" : ", ").append(cause).append(' ').append(d);
    }
    return b.toString();
  }
}
