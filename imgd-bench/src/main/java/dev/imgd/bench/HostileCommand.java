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
      "Starts a server with isolated workers and sends it every file of the corpus,",
      "one at a time (GET local:///, and POST for every third file). Pass: the",
      "server stays up and /health answers after every file, every answer by the",
      "deadline + 1 s, no bad 200, RSS of the server and its workers under the",
      "budget. Exit 1 when a criterion fails."
    })
final class HostileCommand implements Callable<Integer> {
  static final String OPTIONS = "rs:fit:300:0";

  @Option(names = "--sample", description = "send only N files, spread over the corpus (0: all)")
  int sample = 0;

  @Option(names = "--timeout", description = "IMGD_TIMEOUT of the server, seconds")
  int timeout = 5;

  @Option(names = "--cuts", description = "truncations of each intact test image")
  int cuts = 12;

  @Option(names = "--workers", description = "IMGD_WORKERS of the server")
  int workers = 2;

  @Option(names = "--rss-budget", description = "bytes the server and its workers may reach")
  long rssBudget = 2L << 30;

  @Option(names = "--images", description = "the test images (controls and truncations)")
  Path images = Path.of("test-images");

  @Option(names = "--report", description = "write one line per request to this TSV file")
  Path reportFile;

  private record Result(
      Corpus.Item item, String method, Http.Answer answer, String verdict, long rss) {}

  @Override
  public Integer call() throws Exception {
    Report report = new Report(System.out);
    Path work = Files.createTempDirectory("imgd-hostile-");
    Path corpusDir = work.resolve("corpus");
    List<Corpus.Item> all = Corpus.build(images, cuts);
    Corpus.writeTo(corpusDir, all);
    List<Corpus.Item> items = Corpus.sample(all, sample);
    report.line(
        "imgd hostile: %d of %d corpus files, server timeout %d s, %d workers, RSS budget %s; %s",
        items.size(), all.size(), timeout, workers, Report.mib(rssBudget), ProcTree.load());

    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("IMGD_MODE", "isolated");
    settings.put("IMGD_LOCAL_ROOT", corpusDir.toString());
    settings.put("IMGD_TIMEOUT", Integer.toString(timeout));
    settings.put("IMGD_WORKERS", Integer.toString(workers));
    settings.put("IMGD_RSS_BUDGET", Long.toString(rssBudget));
    settings.put("IMGD_CACHE_MAX_BYTES", "0");
    settings.put("IMGD_DRAIN_TIMEOUT", "5");
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
        List<String> methods = n++ % 3 == 0 ? List.of("GET", "POST") : List.of("GET");
        for (String method : methods) {
          Http.Answer a = send(server.http, method, item, clientTimeout);
          String verdict = verdict(server.http, item, method, a, lateMs, references);
          results.add(new Result(item, method, a, verdict, server.sample().rss()));
          if (!verdict.equals("ok") && !verdict.startsWith("note:")) {
            report.fail(item.file() + " " + method + ": " + verdict);
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
    return method.equals("GET")
        ? http.get("/insecure/" + OPTIONS + "/plain/local:///" + item.file() + "@jpg", timeout)
        : http.post("/process?" + OPTIONS + "/f:png", item.bytes(), timeout);
  }

  static String options(String method) {
    return OPTIONS + (method.equals("GET") ? "/f:jpg" : "/f:png");
  }

  /** "ok", "note: ..." (reported, not a failure) or what failed. */
  private String verdict(
      Http http,
      Corpus.Item item,
      String method,
      Http.Answer a,
      long lateMs,
      Map<String, Http.Answer> references) {
    if (a.status() == 0) {
      return "no answer (" + a.error() + ") after " + Report.ms(a.ms());
    }
    if (a.ms() > lateMs) {
      return "answered after " + Report.ms(a.ms()) + ", over the deadline + 1 s";
    }
    if (a.status() != 200) {
      if (item.expect() == Corpus.Expect.CLEAN) {
        return "note: a clean file refused with " + a.label();
      }
      return a.status() >= 500 && a.status() != 503 && a.status() != 504
          ? "note: " + a.label() + " (a server error, not a refusal): " + Http.detail(a)
          : "ok";
    }
    String bad = BodyCheck.problem(item.bytes(), options(method), a);
    if (bad != null) {
      return bad;
    }
    if (item.expect() == Corpus.Expect.REFUSE) {
      return "200 for a file that must be refused";
    }
    if (item.expect() == Corpus.Expect.TRUNCATED && item.intact() != null) {
      Http.Answer ref =
          references.computeIfAbsent(
              item.intact() + " " + method,
              k -> {
                Corpus.Item intact =
                    new Corpus.Item(
                        item.intact(), "control", Corpus.Expect.CLEAN, bytes(item), null);
                return send(http, method, intact, Duration.ofSeconds(60));
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
    report.line("Slowest answers:");
    results.stream()
        .sorted(Comparator.comparingDouble((Result r) -> -r.answer().ms()))
        .limit(5)
        .forEach(r ->
            report.line(
                "  %s %s: %s in %s",
                r.method(), r.item().file(), r.answer().label(), Report.ms(r.answer().ms())));
    List<Result> notes = results.stream().filter(r -> r.verdict().startsWith("note:")).toList();
    if (!notes.isEmpty()) {
      report.line("Notes (not failures):");
      notes.forEach(r -> report.line("  %s %s: %s", r.method(), r.item().file(), r.verdict()));
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
        new StringBuilder("file\tgroup\texpect\tmethod\tstatus\tcode\tms\trss_mib\tverdict\n");
    for (Result r : results) {
      b.append(
          String.join(
                  "\t",
                  r.item().file(),
                  r.item().group(),
                  r.item().expect().name(),
                  r.method(),
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
