package dev.imgd.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Issue 5, item 6 (FM-04, FM-05, FM-25): mixed traffic for a long time, sampled at intervals: the
 * RSS of the server and its workers must reach a plateau, libvips' tracked memory must return to
 * its idle value once the traffic stops, open file descriptors and threads must stay flat.
 */
@Command(
    name = "soak",
    mixinStandardHelpOptions = true,
    description = {
      "Mixed traffic for a long time: plateaus and leaks (issue 5, item 6).",
      "",
      "Starts a server with isolated workers, a small result cache and a watermark",
      "image and sends it good images with every option group (resize, smart crop,",
      "trim, watermark, colour, animation and pages, chained pipelines) in every",
      "output format the server writes (GET and POST), bad requests and the hostile",
      "corpus; samples RSS, libvips memory, file descriptors and threads; judges",
      "the plateau (runs of 10 minutes or more), the return to idle and that no",
      "answer is a 500. Exit 1 when a criterion fails."
    })
final class SoakCommand implements Callable<Integer> {
  private static final int[] WIDTHS = {100, 160, 200, 240, 300, 360, 480, 600, 720, 800};

  /**
   * The output formats of the mix, by weight, in a fixed order (the seeded clients pick the same
   * sequence on every run); those the server does not write are left out.
   */
  private static final Map<String, Integer> FORMATS = new LinkedHashMap<>();

  static {
    FORMATS.put("jpg", 40);
    FORMATS.put("webp", 25);
    FORMATS.put("png", 15);
    FORMATS.put("avif", 5);
    FORMATS.put("gif", 5);
    FORMATS.put("tiff", 4);
    FORMATS.put("jxl", 3);
    FORMATS.put("heic", 3);
  }

  /**
   * One option group of the good traffic.
   *
   * @param group its name in the answers table
   * @param sources the file name prefixes of the images it applies to; empty: every still image
   * @param options the options, {@code %d} for a random width
   * @param sized whether the planner knows the result's size (a trim finds it in the pixels)
   * @param animated whether the output stays animated (then GIF or WebP only)
   */
  private record Recipe(
      String group, List<String> sources, String options, boolean sized, boolean animated) {
    Recipe(String group, String options) {
      this(group, List.of(), options, true, false);
    }
  }

  private static final List<Recipe> RECIPES =
      List.of(
          new Recipe("resize", "rs:fit:%d:0"),
          new Recipe("resize", "rs:fit:%1$d:%1$d/q:60"),
          new Recipe("smart crop", "rs:fill:%1$d:%1$d/g:sm"),
          new Recipe("smart crop", "rs:fill:%d:120/g:sm/el:1"),
          new Recipe("trim", List.of("imgproxy-trim"), "t:10/rs:fit:%d:0", false, false),
          new Recipe("trim", List.of(), "t:30:fff/rs:fit:%d:0", false, false),
          new Recipe("watermark", "rs:fit:%d:0/wm:0.5:soea:10:10:0.25"),
          new Recipe("watermark", "rs:fill:%1$d:%1$d/wm:0.8:ce:0:0:0.5/wmsh:2"),
          new Recipe("colour", "rs:fit:%d:0/a:-20:1.5:0.5"),
          new Recipe("colour", "rs:fit:%d:0/mc:0.8:704214"),
          new Recipe("colour", "rs:fit:%d:0/dt:1:000080:ffd700"),
          new Recipe("colour", "rs:fit:%d:0/col:0.3:ff0000:1/bl:1/sh:0.5"),
          new Recipe("animation", List.of("animated-", "rotating-"), "rs:fit:%d:0", true, true),
          new Recipe(
              "animation", List.of("animated-", "rotating-"), "rs:fit:%d:0/pg:1", true, false),
          new Recipe("animation", List.of("animated-"), "rs:fit:%d:0/pgs:2", true, false),
          new Recipe(
              "animation", List.of("animated-", "rotating-"), "rs:fit:%d:0/da:1", true, false),
          new Recipe("chained", "rs:fit:%d:0/bl:1/-/rs:fill:100:100/g:sm/q:70"),
          new Recipe("chained", "rs:fill:%1$d:%1$d/-/mc:0.5/-/wm:0.5:nowe:5:5:0.3"));

  @Option(names = "--minutes", description = "minutes of traffic")
  double minutes = 20;

  @Option(names = "--concurrency", description = "clients, each sending as soon as answered")
  int concurrency = 2;

  @Option(names = "--interval", description = "seconds between samples (less for short runs)")
  int interval = 10;

  @Option(names = "--workers", description = "IMGD_WORKERS of the server")
  int workers = 2;

  @Option(names = "--timeout", description = "IMGD_TIMEOUT of the server, seconds")
  int timeout = 10;

  @Option(names = "--rss-budget", description = "bytes the server and its workers may reach")
  long rssBudget = 2L << 30;

  @Option(names = "--cache-bytes", description = "IMGD_CACHE_MAX_BYTES of the server")
  long cacheBytes = 32L << 20;

  @Option(names = "--cuts", description = "truncations of each intact test image")
  int cuts = 6;

  @Option(names = "--images", description = "the test images")
  Path images = Path.of("test-images");

  /** One sample of the tree and the server's own gauges. */
  private record Point(
      double t,
      long rss,
      long serverRss,
      long libvips,
      int fds,
      int threads,
      int processes,
      long requests) {}

  private final Map<String, Map<String, Integer>> answers = new ConcurrentHashMap<>();
  private final Map<String, Double> worst = new ConcurrentHashMap<>();
  private final List<String> failures = new ArrayList<>();
  private final List<String> serverErrors = new ArrayList<>();
  private final AtomicLong failureCount = new AtomicLong();
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong serverErrorCount = new AtomicLong();
  private Map<String, Integer> formats = FORMATS;

  @Override
  public Integer call() throws Exception {
    Report report = new Report(System.out);
    Path work = Files.createTempDirectory("imgd-soak-");
    Path corpusDir = work.resolve("corpus");
    List<Corpus.Item> all = Corpus.build(images, cuts);
    Corpus.writeTo(corpusDir, all);
    List<Corpus.Item> good =
        all.stream()
            .filter(i -> i.group().equals("control") && i.expect() == Corpus.Expect.CLEAN)
            .toList();
    List<Corpus.Item> hostile = all.stream().filter(i -> !i.group().equals("control")).toList();
    int every = (int) Math.max(1, Math.min(interval, Math.round(minutes * 60 / 12)));
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("IMGD_MODE", "isolated");
    settings.put("IMGD_LOCAL_ROOT", corpusDir.toString());
    settings.put("IMGD_WORKERS", Integer.toString(workers));
    settings.put("IMGD_TIMEOUT", Integer.toString(timeout));
    settings.put("IMGD_RSS_BUDGET", Long.toString(rssBudget));
    settings.put("IMGD_CACHE_MAX_BYTES", Long.toString(cacheBytes));
    settings.put("IMGD_DRAIN_TIMEOUT", "5");
    settings.put(
        "IMGD_WATERMARK_PATH",
        images.resolve(HostileCommand.WATERMARK).toAbsolutePath().toString());
    report.line(
        "imgd soak: %.1f min, %d clients, samples every %d s; %d workers, timeout %d s, cache %s,"
            + " RSS budget %s; %d good images, %d hostile files; %s",
        minutes,
        concurrency,
        every,
        workers,
        timeout,
        Report.mib(cacheBytes),
        Report.mib(rssBudget),
        good.size(),
        hostile.size(),
        ProcTree.load());
    try (ServerProcess server = ServerProcess.start(settings, work.resolve("server.log"))) {
      Http http = server.http;
      formats = written(http);
      report.line(
          "allocator: %s; output formats of the mix (those the server writes): %s",
          allocator(server.process.toHandle()), String.join(", ", formats.keySet()));
      Thread.sleep(6000); // the health prober's first render in every worker pool
      Point idleBefore = point(server, 0);
      report.line(
          "idle before: RSS %s, libvips %s, %d fds, %d threads, %d processes",
          Report.mib(idleBefore.rss()),
          kib(idleBefore.libvips()),
          idleBefore.fds(),
          idleBefore.threads(),
          idleBefore.processes());
      report.line(
          "%7s %9s %9s %9s %6s %8s %6s %9s",
          "t (s)", "RSS MiB", "server", "libvips", "fds", "threads", "procs", "requests");
      long start = System.nanoTime();
      long end = start + (long) (minutes * 60e9);
      List<Thread> clients = new ArrayList<>();
      for (int c = 0; c < concurrency; c++) {
        Random random = new Random(20261122L + c);
        clients.add(
            Thread.ofVirtual()
                .start(() -> {
                  while (System.nanoTime() < end && server.alive()) {
                    try {
                      one(http, random, good, hostile);
                    } catch (RuntimeException e) {
                      failureCount.incrementAndGet();
                      synchronized (failures) {
                        if (failures.size() < 10) {
                          failures.add("the client failed: " + e);
                        }
                      }
                    }
                  }
                }));
      }
      List<Point> points = new ArrayList<>();
      long peak = 0;
      while (System.nanoTime() < end && server.alive()) {
        long next = System.nanoTime() + every * 1_000_000_000L;
        while (System.nanoTime() < Math.min(next, end)) {
          peak = Math.max(peak, server.sample().rss());
          Thread.sleep(200);
        }
        Point p = point(server, (System.nanoTime() - start) / 1e9);
        peak = Math.max(peak, p.rss());
        points.add(p);
        print(report, p);
      }
      for (Thread t : clients) {
        t.join();
      }
      boolean alive = server.alive();
      // Idle: wait for libvips' memory to come back (the health prober keeps rendering).
      Point idleAfter = alive ? point(server, (System.nanoTime() - start) / 1e9) : null;
      for (int i = 0;
          alive && i < 30 && idleAfter.libvips() > idleBefore.libvips() + (1 << 20);
          i++) {
        Thread.sleep(2000);
        idleAfter = point(server, (System.nanoTime() - start) / 1e9);
      }
      Map<String, Double> metrics = alive ? http.metrics() : Map.of();

      report.line("");
      List<List<String>> rows = new ArrayList<>();
      answers.forEach((kind, labels) ->
          rows.add(
              List.of(
                  kind,
                  Integer.toString(labels.values().stream().mapToInt(Integer::intValue).sum()),
                  Report.counts(labels),
                  Report.ms(worst.getOrDefault(kind, 0.0)))));
      rows.sort((a, b) -> a.getFirst().compareTo(b.getFirst()));
      report.table(List.of("traffic", "requests", "answers", "worst"), rows);
      report.line("");
      int n = points.size();
      List<Point> middle = points.subList(n / 3, Math.max(n / 3, 2 * n / 3));
      List<Point> last = points.subList(2 * n / 3, n);
      List<List<String>> series = new ArrayList<>();
      series.add(series("RSS (tree)", points, middle, last, p -> p.rss(), true));
      series.add(series("RSS (server)", points, middle, last, p -> p.serverRss(), true));
      series.add(series("libvips tracked", points, middle, last, p -> p.libvips(), true));
      series.add(series("open fds", points, middle, last, p -> p.fds(), false));
      series.add(series("threads", points, middle, last, p -> p.threads(), false));
      report.table(
          List.of(
              "measure",
              "idle before",
              "first",
              "max, middle third",
              "max, last third",
              "max",
              "idle after"),
          withIdle(series, idleBefore, idleAfter));
      report.line(
          "Requests: %d; workers killed: %s; replaced: %.0f",
          requests.get(),
          HostileCommand.killed(metrics),
          Http.sum(metrics, "imgd_workers_replaced_total"));
      if (!serverErrors.isEmpty()) {
        report.line("Server errors (500, untyped 5xx), first ones:");
        serverErrors.forEach(f -> report.line("  %s", f));
      }
      if (!failures.isEmpty()) {
        report.line("Failures, first ones:");
        failures.forEach(f -> report.line("  %s", f));
      }

      report.line("");
      report.line("Criteria:");
      report.criterion(alive, "the server stayed up");
      report.criterion(
          serverErrorCount.get() == 0,
          "no 500: every error a 4xx or a typed 502, 503 with Retry-After, 504 (%d server errors)"
              .formatted(serverErrorCount.get()));
      report.criterion(
          failureCount.get() == 0,
          "every request answered by the deadline + 1 s, no bad 200, no 200 for bad or hostile"
              + " input (%d failures)".formatted(failureCount.get()));
      report.criterion(
          peak > 0 && peak <= rssBudget,
          "peak RSS %s under the budget %s".formatted(Report.mib(peak), Report.mib(rssBudget)));
      if (idleAfter != null) {
        report.criterion(
            idleAfter.libvips() <= idleBefore.libvips() + (1 << 20),
            "libvips tracked memory back to its idle value: %s after, %s before (1 MiB slack)"
                .formatted(kib(idleAfter.libvips()), kib(idleBefore.libvips())));
      }
      String rssWhat = plateau("RSS", middle, last, p -> p.rss(), 0.05, 0, true);
      String fdWhat = plateau("open fds", middle, last, p -> p.fds(), 0.05, 10, false);
      String threadWhat = plateau("threads", middle, last, p -> p.threads(), 0.05, 10, false);
      if (minutes >= 10 && n >= 6) {
        report.criterion(rssWhat.startsWith("flat"), rssWhat);
        report.criterion(fdWhat.startsWith("flat"), fdWhat);
        report.criterion(threadWhat.startsWith("flat"), threadWhat);
      } else {
        String why = " - not judged: a plateau needs a run of 10 minutes or more";
        report.unjudged(rssWhat + why);
        report.unjudged(fdWhat + why);
        report.unjudged(threadWhat + why);
      }
      if (!alive) {
        report.line("server log:%n%s", server.logTail(30));
      }
    }
    HostileCommand.deleteTree(work);
    return report.verdict("imgd soak");
  }

  /** One request of the mix: 50% good GET, 10% good POST, 15% bad, 25% hostile. */
  private void one(Http http, Random random, List<Corpus.Item> good, List<Corpus.Item> hostile) {
    Duration clientTimeout = Duration.ofSeconds(timeout + 10L);
    int dice = random.nextInt(100);
    String kind;
    Http.Answer a;
    String check = null; // the options a 200 must answer, or null when a 200 is a failure
    boolean sized = true;
    byte[] source = null;
    String what;
    if (dice < 60) {
      Recipe recipe = RECIPES.get(random.nextInt(RECIPES.size()));
      List<Corpus.Item> sources =
          good.stream()
              .filter(i ->
                  recipe.sources().isEmpty()
                      ? !i.file().startsWith("animated-") && !i.file().startsWith("rotating-")
                      : recipe.sources().stream().anyMatch(i.file()::startsWith))
              .toList();
      Corpus.Item item = sources.get(random.nextInt(sources.size()));
      String options = recipe.options().formatted(WIDTHS[random.nextInt(WIDTHS.length)]);
      String format = recipe.animated() ? (random.nextBoolean() ? "gif" : "webp") : pick(random);
      check = options + "/f:" + format;
      sized = recipe.sized();
      source = item.bytes();
      what = item.file() + " " + check;
      if (dice < 50) {
        kind = recipe.group() + " GET";
        a =
            http.get(
                "/insecure/" + options + "/plain/local:///" + item.file() + "@" + format,
                clientTimeout);
      } else {
        kind = recipe.group() + " POST";
        a = http.post("/process?" + check, source, clientTimeout);
      }
    } else if (dice < 75) {
      kind = "bad request";
      int which = random.nextInt(6);
      what = "bad request " + which;
      a =
          switch (which) {
            case 0 ->
                http.get(
                    "/insecure/rs:fit:300:0/plain/local:///missing-"
                        + random.nextInt(1000)
                        + ".jpg@jpg",
                    clientTimeout);
            case 1 ->
                http.get("/insecure/rs:fit:abc/plain/local:///Landscape_1.jpg@jpg", clientTimeout);
            case 2 ->
                http.get(
                    "/insecure/rs:fit:300:0/plain/local:///..%2F..%2Fetc%2Fpasswd@jpg",
                    clientTimeout);
            case 3 ->
                http.get(
                    "/insecure/rs:fit:300:0/plain/local:///Landscape_2.jpg@tga", clientTimeout);
            case 4 -> http.post("/process?rs:fit:300:0/f:jpg", new byte[0], clientTimeout);
            default -> {
              byte[] noise = new byte[2048];
              random.nextBytes(noise);
              yield http.post("/process?rs:fit:300:0/f:jpg", noise, clientTimeout);
            }
          };
    } else {
      Corpus.Item item = hostile.get(random.nextInt(hostile.size()));
      source = item.bytes();
      boolean post = random.nextInt(5) == 0;
      kind = "hostile " + (post ? "POST" : "GET");
      what = item.file();
      a = HostileCommand.send(http, post ? "POST" : "GET", item, clientTimeout);
      check =
          item.expect() == Corpus.Expect.REFUSE
              ? null
              : HostileCommand.options(post ? "POST" : "GET");
    }
    requests.incrementAndGet();
    answers.computeIfAbsent(kind, k -> new ConcurrentHashMap<>()).merge(a.label(), 1, Integer::sum);
    worst.merge(kind, a.ms(), Math::max);
    if (HostileCommand.serverError(a)) {
      serverErrorCount.incrementAndGet();
      String detail = Http.detail(a);
      synchronized (serverErrors) {
        if (serverErrors.size() < 10) {
          serverErrors.add(kind + " " + what + ": " + a.label() + " (" + detail + ")");
        }
      }
    }
    String bad = null;
    if (a.status() == 0) {
      bad = "no answer (" + a.error() + ")";
    } else if (a.ms() > (timeout + 1) * 1000.0) {
      bad = "answered after " + Report.ms(a.ms());
    } else if (a.status() == 200) {
      bad =
          check == null
              ? "200 for input that must be refused"
              : BodyCheck.problem(source, check, a, sized);
    }
    if (bad != null) {
      failureCount.incrementAndGet();
      synchronized (failures) {
        if (failures.size() < 10) {
          failures.add(kind + " " + what + ": " + bad);
        }
      }
    }
  }

  /** An output format of the mix, by its weight. */
  private String pick(Random random) {
    int total = formats.values().stream().mapToInt(Integer::intValue).sum();
    int r = random.nextInt(total);
    for (Map.Entry<String, Integer> e : formats.entrySet()) {
      r -= e.getValue();
      if (r < 0) {
        return e.getKey();
      }
    }
    return "jpg";
  }

  /** The formats of the mix that /health says the server (any of its pools) writes. */
  private static Map<String, Integer> written(Http http) {
    String health = new String(http.get("/health", Duration.ofSeconds(10)).body(), UTF_8);
    Map<String, Integer> out = new LinkedHashMap<>();
    FORMATS.forEach((f, w) -> {
      if (health.contains("\"" + f + "\"")) {
        out.put(f, w);
      }
    });
    return out.isEmpty() ? Map.of("jpg", 1) : out;
  }

  /** Which malloc the server process runs on: jemalloc when the library is mapped into it. */
  static String allocator(ProcessHandle server) {
    try {
      String maps = Files.readString(Path.of("/proc", Long.toString(server.pid()), "maps"));
      return maps.contains("libjemalloc")
          ? "jemalloc (mapped into the server)"
          : "glibc malloc" + arenas(server);
    } catch (java.io.IOException e) {
      return "unknown (" + e.getMessage() + ")";
    }
  }

  private static String arenas(ProcessHandle server) {
    try {
      String env = Files.readString(Path.of("/proc", Long.toString(server.pid()), "environ"));
      for (String v : env.split("\0")) {
        if (v.startsWith("MALLOC_ARENA_MAX=")) {
          return ", " + v;
        }
      }
    } catch (java.io.IOException e) {
      // not readable: the arena limit is not known
    }
    return "";
  }

  private Point point(ServerProcess server, double t) {
    ProcTree.Sample s = server.sample();
    Map<String, Double> m = server.http.metrics();
    return new Point(
        t,
        s.rss(),
        s.rootRss(),
        m.getOrDefault("imgd_memory_libvips_bytes", -1.0).longValue(),
        s.fds(),
        s.threads(),
        s.processes(),
        requests.get());
  }

  private static void print(Report report, Point p) {
    report.line(
        "%7.0f %9d %9d %9s %6d %8d %6d %9d",
        p.t(),
        p.rss() >> 20,
        p.serverRss() >> 20,
        kib(p.libvips()),
        p.fds(),
        p.threads(),
        p.processes(),
        p.requests());
  }

  private static String kib(long bytes) {
    return bytes < 0 ? "n/a" : bytes < (1 << 20) ? (bytes >> 10) + " KiB" : Report.mib(bytes);
  }

  private static List<String> series(
      String name,
      List<Point> all,
      List<Point> middle,
      List<Point> last,
      ToDoubleFunction<Point> f,
      boolean bytes) {
    List<String> r = new ArrayList<>();
    r.add(name);
    r.add(""); // idle before, filled in later
    r.add(all.isEmpty() ? "-" : fmt(f.applyAsDouble(all.getFirst()), bytes));
    r.add(fmt(max(middle, f), bytes));
    r.add(fmt(max(last, f), bytes));
    r.add(fmt(max(all, f), bytes));
    r.add(""); // idle after
    return r;
  }

  private static List<List<String>> withIdle(List<List<String>> rows, Point before, Point after) {
    List<ToDoubleFunction<Point>> fs =
        List.of(p -> p.rss(), p -> p.serverRss(), p -> p.libvips(), p -> p.fds(), p -> p.threads());
    List<List<String>> out = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      List<String> r = new ArrayList<>(rows.get(i));
      boolean bytes = i < 3;
      r.set(1, fmt(fs.get(i).applyAsDouble(before), bytes));
      r.set(6, after == null ? "-" : fmt(fs.get(i).applyAsDouble(after), bytes));
      out.add(r);
    }
    return out;
  }

  private static String fmt(double v, boolean bytes) {
    return bytes ? kib((long) v) : Long.toString((long) v);
  }

  private static double max(List<Point> points, ToDoubleFunction<Point> f) {
    return points.stream().mapToDouble(f).max().orElse(0);
  }

  /** "flat: ..." when the last third's max is within the slack of the middle third's max. */
  private static String plateau(
      String name,
      List<Point> middle,
      List<Point> last,
      ToDoubleFunction<Point> f,
      double ratio,
      double absolute,
      boolean bytes) {
    double m = max(middle, f);
    double l = max(last, f);
    double allowed = Math.max(m * (1 + ratio), m + absolute);
    boolean flat = !middle.isEmpty() && !last.isEmpty() && l <= allowed;
    return "%s: %s, last third's max %s, middle third's max %s (allowed %s)"
        .formatted(
            flat ? "flat" : "growing", name, fmt(l, bytes), fmt(m, bytes), fmt(allowed, bytes));
  }
}
