package dev.imgd.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Issue 5, item 1: the hostile-input corpus against a running server, one file at a time. Pass: the
 * server never dies and /health answers after every file, every answer arrives by the deadline + 1
 * s, no 200 carries a bad body (or answers a file that must be refused), and the tree's RSS stays
 * under the budget.
 */
@Command(
    name = "hostile",
    mixinStandardHelpOptions = true,
    description = {
      "The hostile corpus against a fresh server over HTTP (issue 5, item 1).",
      "",
      "Starts a server (isolated workers, or --mode in-process) and sends it every",
      "file of the corpus, one at a time (GET local:///, and POST for every third",
      "file), and the fuzzers' URL paths. Pass: the server stays up and /health",
      "answers after every file, every answer by the deadline + 1 s, no 500 (an",
      "error is a 4xx or a typed 502, 503 with Retry-After, 504), no bad 200, RSS of",
      "the server and its workers under the budget. Prints the answers by status",
      "and code. Exit 1 when a criterion fails."
    })
final class HostileCommand implements Callable<Integer> {
  static final String OPTIONS = "rs:fit:300:0";

  /**
   * The options of the requests, one group after the other from file to file: a decoder's failure
   * surfaces in whichever operation pulls the pixels first (trim, smart crop, the encoder).
   */
  static final List<String> OPTION_GROUPS =
      List.of(
          OPTIONS,
          "t:10/" + OPTIONS,
          "rs:fill:200:200/g:sm",
          OPTIONS + "/wm:0.5:soea:5:5:0.3",
          OPTIONS + "/mc:0.8:704214",
          OPTIONS + "/a:-20:1.5:0.5/bl:1");

  /** The watermark image the server is started with (IMGD_WATERMARK_PATH), a test image. */
  static final String WATERMARK = "with-alpha.png";

  @Option(names = "--sample", description = "send only N files, spread over the corpus (0: all)")
  int sample = 0;

  @Option(names = "--timeout", description = "IMGD_TIMEOUT of the server, seconds")
  int timeout = 5;

  @Option(names = "--cuts", description = "truncations of each intact test image")
  int cuts = 12;

  @Option(names = "--workers", description = "IMGD_WORKERS of the server")
  int workers = 2;

  @Option(names = "--mode", description = "IMGD_MODE of the server: isolated or in-process")
  String mode = "isolated";

  @Option(names = "--rss-budget", description = "bytes the server and its workers may reach")
  long rssBudget = 2L << 30;

  @Option(names = "--images", description = "the test images (controls and truncations)")
  Path images = Path.of("test-images");

  @Option(names = "--report", description = "write one line per request to this TSV file")
  Path reportFile;

  private record Result(
      Corpus.Item item,
      String method,
      String options,
      Http.Answer answer,
      String verdict,
      long rss) {}

  @Override
  public Integer call() throws Exception {
    Report report = new Report(System.out);
    Path work = Files.createTempDirectory("imgd-hostile-");
    Path corpusDir = work.resolve("corpus");
    List<Corpus.Item> all = Corpus.build(images, cuts);
    Corpus.writeTo(corpusDir, all);
    List<Corpus.Item> everything = new ArrayList<>(all);
    everything.addAll(Corpus.fuzzPaths());
    List<Corpus.Item> items = Corpus.sample(everything, sample);
    report.line(
        "imgd hostile: %d of %d corpus files and URL paths, %s server, timeout %d s, %d workers,"
            + " RSS budget %s; %s",
        items.size(),
        everything.size(),
        mode,
        timeout,
        workers,
        Report.mib(rssBudget),
        ProcTree.load());

    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("IMGD_MODE", mode);
    settings.put("IMGD_LOCAL_ROOT", corpusDir.toString());
    settings.put("IMGD_TIMEOUT", Integer.toString(timeout));
    settings.put("IMGD_WORKERS", Integer.toString(workers));
    settings.put("IMGD_RSS_BUDGET", Long.toString(rssBudget));
    settings.put("IMGD_CACHE_MAX_BYTES", "0");
    settings.put("IMGD_DRAIN_TIMEOUT", "5");
    settings.put("IMGD_WATERMARK_PATH", images.resolve(WATERMARK).toAbsolutePath().toString());
    List<Result> results = new ArrayList<>();
    AtomicLong peak = new AtomicLong();
    Duration clientTimeout = Duration.ofSeconds(timeout + 10L);
    long lateMs = (timeout + 1L) * 1000;
    Map<String, Double> metrics;
    try (ServerProcess server = ServerProcess.start(settings, work.resolve("server.log"))) {
      Thread sampler =
          Thread.ofPlatform()
              .daemon()
              .start(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                  peak.accumulateAndGet(server.sample().rss(), Math::max);
                  try {
                    Thread.sleep(100);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              });
      report.line(
          "warm-up (not counted; each worker's first image is slow): %s",
          warmUp(server.http, all, workers));
      Map<String, Http.Answer> references = new HashMap<>();
      double worstHealth = 0;
      int n = 0;
      boolean died = false;
      for (Corpus.Item item : items) {
        String options = OPTION_GROUPS.get(n % OPTION_GROUPS.size());
        boolean post = n++ % 3 == 0 && !item.group().equals(Corpus.URL_GROUP);
        List<String> methods = post ? List.of("GET", "POST") : List.of("GET");
        for (String method : methods) {
          Http.Answer a = send(server.http, method, item, options, clientTimeout);
          String verdict = verdict(server.http, item, method, options, a, lateMs, references);
          results.add(new Result(item, method, options, a, verdict, server.sample().rss()));
          if (!verdict.equals("ok") && !verdict.startsWith("note:")) {
            report.fail(item.file() + " " + method + " " + options + ": " + verdict);
          }
        }
        if (!server.alive()) {
          report.fail("the server died after " + item.file());
          report.line("server log:%n%s", server.logTail(30));
          died = true;
          break;
        }
        Http.Answer h = server.http.get("/health", Duration.ofSeconds(5));
        worstHealth = Math.max(worstHealth, h.ms());
        if (h.status() != 200) {
          report.fail("/health answered " + h.label() + " after " + item.file());
        }
      }
      metrics = died ? Map.of() : server.http.metrics();
      sampler.interrupt();
      report.line("");
      summary(report, results, peak.get(), worstHealth, metrics, lateMs, died);
    }
    if (reportFile != null) {
      writeReport(reportFile, results);
    }
    deleteTree(work);
    return report.verdict("imgd hostile");
  }

  /**
   * Two rounds of {@code workers} requests at once for a clean control image, so that every worker
   * has made an image before the measured requests; returns what they took.
   */
  static String warmUp(Http http, List<Corpus.Item> items, int workers)
      throws InterruptedException {
    Corpus.Item clean =
        items.stream()
            .filter(i -> i.file().startsWith("Landscape_"))
            .findFirst()
            .orElse(items.getFirst());
    List<String> took = new ArrayList<>();
    for (int round = 0; round < 2; round++) {
      List<Thread> threads = new ArrayList<>();
      for (int w = 0; w < workers; w++) {
        threads.add(
            Thread.ofVirtual()
                .start(() -> {
                  Http.Answer a = send(http, "GET", clean, Duration.ofSeconds(60));
                  synchronized (took) {
                    took.add(a.label() + " in " + Report.ms(a.ms()));
                  }
                }));
      }
      for (Thread t : threads) {
        t.join();
      }
    }
    return clean.file() + ": " + String.join(", ", took);
  }

  static Http.Answer send(Http http, String method, Corpus.Item item, Duration timeout) {
    return send(http, method, item, OPTIONS, timeout);
  }

  /** GET of the corpus file as JPEG or POST of its bytes for PNG, with these options. */
  static Http.Answer send(
      Http http, String method, Corpus.Item item, String options, Duration timeout) {
    if (item.group().equals(Corpus.URL_GROUP)) {
      return http.get("/insecure/" + pathEncoded(item.bytes()), timeout);
    }
    return method.equals("GET")
        ? http.get("/insecure/" + options + "/plain/local:///" + item.file() + "@jpg", timeout)
        : http.post("/process?" + options(method, options), item.bytes(), timeout);
  }

  /** The bytes as a request path: '/' and ':' as they are, the rest percent-encoded. */
  static String pathEncoded(byte[] path) {
    StringBuilder b = new StringBuilder();
    for (byte x : path) {
      char c = (char) (x & 0xff);
      if (c < 0x80 && (Character.isLetterOrDigit(c) || "/:-_.~,".indexOf(c) >= 0)) {
        b.append(c);
      } else {
        b.append('%').append("%02X".formatted(x & 0xff));
      }
    }
    return b.toString();
  }

  /**
   * A 500 (imgd does not know what happened), a 5xx without a problem code, or a 503 without
   * Retry-After. imgd's typed 5xx are no such error: 502 source_failed (the source's server), 503
   * overloaded with Retry-After, 504 deadline_exceeded.
   */
  static boolean serverError(Http.Answer a) {
    return a.status() == 500
        || a.status() > 500 && a.code().equals("-")
        || a.status() == 503 && a.retryAfter() == null;
  }

  static String options(String method) {
    return options(method, OPTIONS);
  }

  /** The options with the output format of the method: JPEG for a GET, PNG for a POST. */
  static String options(String method, String options) {
    return options + (method.equals("GET") ? "/f:jpg" : "/f:png");
  }

  /** "ok", "note: ..." (reported, not a failure) or what failed. */
  private String verdict(
      Http http,
      Corpus.Item item,
      String method,
      String options,
      Http.Answer a,
      long lateMs,
      Map<String, Http.Answer> references) {
    if (a.status() == 0) {
      return "no answer (" + a.error() + ") after " + Report.ms(a.ms());
    }
    if (a.ms() > lateMs) {
      return "answered after " + Report.ms(a.ms()) + ", over the deadline + 1 s";
    }
    if (serverError(a)) {
      return a.label() + " (a server error, not a typed answer): " + Http.detail(a);
    }
    if (a.status() != 200) {
      return item.expect() == Corpus.Expect.CLEAN
          ? "note: a clean file refused with " + a.label()
          : "ok";
    }
    if (item.group().equals(Corpus.URL_GROUP)) {
      return a.body().length > 0 && a.contentType().startsWith("image/")
          ? "ok"
          : "200 without an image: '" + a.contentType() + "'";
    }
    // A trim finds the result's size in the pixels: the planner cannot know it.
    String bad =
        BodyCheck.problem(item.bytes(), options(method, options), a, !options.startsWith("t:"));
    if (bad != null) {
      return bad;
    }
    if (item.expect() == Corpus.Expect.REFUSE) {
      return "200 for a file that must be refused";
    }
    if (item.expect() == Corpus.Expect.TRUNCATED && item.intact() != null) {
      Http.Answer ref =
          references.computeIfAbsent(
              item.intact() + " " + method + " " + options,
              k -> {
                Corpus.Item intact =
                    new Corpus.Item(
                        item.intact(), "control", Corpus.Expect.CLEAN, bytes(item), null);
                return send(http, method, intact, options, Duration.ofSeconds(60));
              });
      if (ref.status() != 200 || !Arrays.equals(ref.body(), a.body())) {
        return "200 for a cut file whose image differs from the intact file's (filled-in pixels)";
      }
      return "note: 200, identical to the intact file's image (only the end was cut)";
    }
    return "ok";
  }

  /** The intact file's bytes for a cut item (needed only to POST the reference). */
  private byte[] bytes(Corpus.Item cut) {
    try {
      return Files.readAllBytes(images.resolve(cut.intact()));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private void summary(
      Report report,
      List<Result> results,
      long peakRss,
      double worstHealth,
      Map<String, Double> metrics,
      long lateMs,
      boolean died) {
    Map<String, List<Result>> byGroup =
        new TreeMap<>(
            Comparator.comparing((String g) -> !g.equals("control"))
                .thenComparing(Comparator.naturalOrder()));
    for (Result r : results) {
      byGroup.computeIfAbsent(r.item().group(), k -> new ArrayList<>()).add(r);
    }
    List<List<String>> rows = new ArrayList<>();
    for (var e : byGroup.entrySet()) {
      Map<String, Integer> statuses = new HashMap<>();
      double worst = 0;
      int failed = 0;
      for (Result r : e.getValue()) {
        statuses.merge(r.answer().label(), 1, Integer::sum);
        worst = Math.max(worst, r.answer().ms());
        if (!r.verdict().equals("ok") && !r.verdict().startsWith("note:")) {
          failed++;
        }
      }
      rows.add(
          List.of(
              e.getKey(),
              Long.toString(e.getValue().stream().map(r -> r.item().file()).distinct().count()),
              Integer.toString(e.getValue().size()),
              Report.counts(statuses),
              Report.ms(worst),
              Integer.toString(failed)));
    }
    report.table(List.of("group", "files", "requests", "answers", "worst", "failed"), rows);
    report.line("");
    Map<String, Integer> all = new HashMap<>();
    results.forEach(r -> all.merge(r.answer().label(), 1, Integer::sum));
    report.line("Answers by status and code (%d requests):", results.size());
    new TreeMap<>(all).forEach((label, count) -> report.line("  %6d  %s", count, label));
    report.line("");
    report.line("Slowest answers:");
    results.stream()
        .sorted(Comparator.comparingDouble((Result r) -> -r.answer().ms()))
        .limit(5)
        .forEach(r ->
            report.line(
                "  %s %s: %s in %s",
                r.method() + " " + r.options(),
                r.item().file(),
                r.answer().label(),
                Report.ms(r.answer().ms())));
    List<Result> notes = results.stream().filter(r -> r.verdict().startsWith("note:")).toList();
    if (!notes.isEmpty()) {
      report.line("Notes (not failures):");
      notes.forEach(r ->
          report.line("  %s %s %s: %s", r.method(), r.options(), r.item().file(), r.verdict()));
    }
    report.line(
        "Workers killed: %s; replaced: %.0f",
        killed(metrics), Http.sum(metrics, "imgd_workers_replaced_total"));
    report.line("");
    report.line("Criteria:");
    report.criterion(!died, "the server stayed up; /health answered 200 after every file");
    long late =
        results.stream().filter(r -> r.answer().status() == 0 || r.answer().ms() > lateMs).count();
    report.criterion(
        late == 0,
        "every answer by the deadline + 1 s (%d ms): %d late or missing; worst %s; worst /health %s"
            .formatted(
                lateMs,
                late,
                Report.ms(results.stream().mapToDouble(r -> r.answer().ms()).max().orElse(0)),
                Report.ms(worstHealth)));
    long bad =
        results.stream()
            .filter(r -> r.answer().status() == 200)
            .filter(r -> !r.verdict().equals("ok") && !r.verdict().startsWith("note:"))
            .count();
    long ok200 = results.stream().filter(r -> r.answer().status() == 200).count();
    report.criterion(
        bad == 0, "no bad 200: %d bad of %d answers that were 200".formatted(bad, ok200));
    List<Result> errors = results.stream().filter(r -> serverError(r.answer())).toList();
    report.criterion(
        errors.isEmpty(),
        "no 500: every error a 4xx or a typed 502, 503 with Retry-After, 504: %d server errors"
            .formatted(errors.size()));
    report.criterion(
        peakRss > 0 && peakRss <= rssBudget,
        "peak RSS of the server and its workers %s, budget %s"
            .formatted(Report.mib(peakRss), Report.mib(rssBudget)));
  }

  static String killed(Map<String, Double> metrics) {
    StringBuilder b = new StringBuilder();
    for (String cause : List.of("deadline", "memory", "oom", "crash")) {
      double v = metrics.getOrDefault("imgd_workers_killed_total{cause=\"" + cause + "\"}", 0.0);
      b.append(b.isEmpty() ? "" : ", ").append(cause).append(' ').append((long) v);
    }
    return b.toString();
  }

  private static void writeReport(Path file, List<Result> results) throws java.io.IOException {
    StringBuilder b =
        new StringBuilder(
            "file\tgroup\texpect\tmethod\toptions\tstatus\tcode\tms\trss_mib\tverdict\n");
    for (Result r : results) {
      b.append(
          String.join(
                  "\t",
                  r.item().file(),
                  r.item().group(),
                  r.item().expect().name(),
                  r.method(),
                  r.options(),
                  Integer.toString(r.answer().status()),
                  r.answer().code(),
                  "%.1f".formatted(r.answer().ms()),
                  Long.toString(r.rss() >> 20),
                  r.verdict())
              + "\n");
    }
    Files.writeString(file, b);
  }

  static void deleteTree(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (java.io.IOException e) {
      // a temporary folder left behind
    }
  }
}
