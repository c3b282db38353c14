package dev.imgd.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.imgd.cli.CompareSide.Attempt;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.ToDoubleFunction;
import org.jspecify.annotations.Nullable;

/**
 * What {@code imgd compare} found: a row per file and operation, a summary per operation, the gates
 * and whether each was crossed; printed as a table, written as JSON (and as HTML by {@link
 * CompareHtml}).
 */
final class CompareReport {
  /**
   * An operation of the comparison.
   *
   * @param options imgproxy's processing options
   * @param animatedOnly applies only to an animated input (a still is skipped, visibly)
   */
  record Operation(String name, String options, boolean animatedOnly) {}

  /** What a row says about build B against build A. */
  enum Classification {
    OK("ok"),
    NEW_FAILURE("new failure"),
    NEW_CRASH("new crash"),
    FIXED("fixed"),
    BOTH_FAIL("both fail"),
    SKIPPED("skipped");

    final String label;

    Classification(String label) {
      this.label = label;
    }

    static Classification of(Attempt a, Attempt b) {
      if (a.status() == CompareSide.Status.SKIPPED) {
        return SKIPPED;
      }
      if (b.status() == CompareSide.Status.CRASHED && a.status() != CompareSide.Status.CRASHED) {
        return NEW_CRASH;
      }
      if (a.ok()) {
        return b.ok() ? OK : NEW_FAILURE;
      }
      return b.ok() ? FIXED : BOTH_FAIL;
    }
  }

  /**
   * One file through one operation on both builds.
   *
   * @param deltaE null when either side failed, or it could not be computed ({@code diffNote} says
   *     why)
   */
  record Row(
      String file,
      Operation operation,
      Attempt a,
      Attempt b,
      Classification classification,
      PixelDiff.@Nullable DeltaE deltaE,
      String diffNote) {

    /** B's output bytes over A's; NaN unless both made one. */
    double sizeRatio() {
      return both() ? ratio(b.size(), a.size()) : Double.NaN;
    }

    /** B's median time over A's; NaN unless both made an image. */
    double timeRatio() {
      return both() ? ratio(b.medianNanos(), a.medianNanos()) : Double.NaN;
    }

    /** B's peak worker RSS over A's; NaN unless both were read. */
    double memoryRatio() {
      return both() ? ratio(b.peakRss(), a.peakRss()) : Double.NaN;
    }

    boolean sizesDiffer() {
      return both() && (a.width() != b.width() || a.height() != b.height());
    }

    private boolean both() {
      return a.ok() && b.ok();
    }

    private static double ratio(long x, long y) {
      return x > 0 && y > 0 ? (double) x / y : Double.NaN;
    }
  }

  /**
   * The limits a comparison must stay within.
   *
   * @param maxNewFailures new failures and new crashes allowed
   * @param maxDeltaE the largest ΔE2000 of any pixel of any row
   * @param maxTimeRatio each operation's geometric mean of B's time over A's
   * @param maxMemoryRatio each operation's geometric mean of B's peak worker RSS over A's
   */
  record Gates(int maxNewFailures, double maxDeltaE, double maxTimeRatio, double maxMemoryRatio) {}

  /** A gate with what was measured against it. */
  record Gate(String name, String limit, String value, boolean crossed) {}

  /**
   * One operation over the corpus.
   *
   * @param counts rows by classification
   * @param meanDeltaE the mean of the rows' mean ΔE (NaN when no row has one)
   * @param maxDeltaE the worst pixel's ΔE of any row
   * @param sizeRatio the geometric mean of the rows' output size ratios (B over A)
   * @param timeRatio the same of the time ratios
   * @param memoryRatio the same of the peak worker RSS ratios
   */
  record Summary(
      String operation,
      Map<Classification, Integer> counts,
      double meanDeltaE,
      double maxDeltaE,
      double sizeRatio,
      double timeRatio,
      double memoryRatio) {
    int count(Classification c) {
      return counts.getOrDefault(c, 0);
    }
  }

  final CompareSide.Build a;
  final CompareSide.Build b;
  final int runs;
  final List<Operation> operations;
  final List<Row> rows;
  final List<Summary> summaries;
  final List<Gate> gates;

  CompareReport(
      CompareSide.Build a,
      CompareSide.Build b,
      int runs,
      List<Operation> operations,
      List<Row> rows,
      Gates limits) {
    this.a = a;
    this.b = b;
    this.runs = runs;
    this.operations = List.copyOf(operations);
    this.rows = List.copyOf(rows);
    this.summaries = operations.stream().map(this::summary).toList();
    this.gates = gates(limits);
  }

  boolean crossed() {
    return gates.stream().anyMatch(Gate::crossed);
  }

  private Summary summary(Operation op) {
    List<Row> of = rows.stream().filter(r -> r.operation().equals(op)).toList();
    Map<Classification, Integer> counts = new EnumMap<>(Classification.class);
    for (Classification c : Classification.values()) {
      counts.put(c, (int) of.stream().filter(r -> r.classification() == c).count());
    }
    List<PixelDiff.DeltaE> des = of.stream().map(Row::deltaE).filter(Objects::nonNull).toList();
    return new Summary(
        op.name(),
        counts,
        des.stream().mapToDouble(PixelDiff.DeltaE::mean).average().orElse(Double.NaN),
        des.stream().mapToDouble(PixelDiff.DeltaE::max).max().orElse(Double.NaN),
        geomean(of, Row::sizeRatio),
        geomean(of, Row::timeRatio),
        geomean(of, Row::memoryRatio));
  }

  private static double geomean(List<Row> rows, ToDoubleFunction<Row> ratio) {
    return rows.stream()
        .mapToDouble(ratio)
        .filter(x -> x > 0 && Double.isFinite(x))
        .map(Math::log)
        .average()
        .stream()
        .map(Math::exp)
        .findFirst()
        .orElse(Double.NaN);
  }

  private List<Gate> gates(Gates limits) {
    List<Gate> g = new ArrayList<>();
    long fresh =
        rows.stream()
            .filter(r ->
                r.classification() == Classification.NEW_FAILURE
                    || r.classification() == Classification.NEW_CRASH)
            .count();
    g.add(
        new Gate(
            "new failures and crashes",
            "<= " + limits.maxNewFailures(),
            Long.toString(fresh),
            fresh > limits.maxNewFailures()));
    double worst =
        rows.stream()
            .map(Row::deltaE)
            .filter(Objects::nonNull)
            .mapToDouble(PixelDiff.DeltaE::max)
            .max()
            .orElse(0);
    long resized = rows.stream().filter(Row::sizesDiffer).count();
    g.add(
        new Gate(
            "ΔE2000 max",
            "<= " + num(limits.maxDeltaE()),
            num(worst) + (resized > 0 ? ", " + resized + " outputs of another size" : ""),
            worst > limits.maxDeltaE() || resized > 0));
    g.add(worstRatio("time ratio", limits.maxTimeRatio(), Summary::timeRatio));
    g.add(worstRatio("memory ratio", limits.maxMemoryRatio(), Summary::memoryRatio));
    return g;
  }

  /** The operation whose geometric mean ratio is the largest, against the limit. */
  private Gate worstRatio(String name, double limit, ToDoubleFunction<Summary> ratio) {
    Summary worst = null;
    for (Summary s : summaries) {
      double r = ratio.applyAsDouble(s);
      if (Double.isFinite(r) && (worst == null || r > ratio.applyAsDouble(worst))) {
        worst = s;
      }
    }
    if (worst == null) {
      return new Gate(name, "<= " + num(limit) + "x", "no rows to compare", false);
    }
    double r = ratio.applyAsDouble(worst);
    return new Gate(
        name, "<= " + num(limit) + "x", num(r) + "x (" + worst.operation() + ")", r > limit);
  }

  /** The summary per operation and the gates, as a table. */
  void print(PrintWriter out) {
    out.printf("a: libvips %s (%s)%n", a.version(), a.library());
    out.printf("b: libvips %s (%s)%n", b.version(), b.library());
    out.printf(
        "%d files x %d operations, %d run(s) each; ratios are b/a, geometric means%n",
        rows.stream().map(Row::file).distinct().count(), operations.size(), runs);
    String format = "%-14s %4s %4s %5s %5s %5s %5s %5s %8s %8s %7s %7s %7s%n";
    out.printf(
        format,
        "operation",
        "rows",
        "ok",
        "nfail",
        "crash",
        "fixed",
        "both",
        "skip",
        "ΔE mean",
        "ΔE max",
        "size",
        "time",
        "memory");
    for (Summary s : summaries) {
      out.printf(
          format,
          s.operation(),
          s.counts().values().stream().mapToInt(Integer::intValue).sum(),
          s.count(Classification.OK),
          s.count(Classification.NEW_FAILURE),
          s.count(Classification.NEW_CRASH),
          s.count(Classification.FIXED),
          s.count(Classification.BOTH_FAIL),
          s.count(Classification.SKIPPED),
          num(s.meanDeltaE()),
          num(s.maxDeltaE()),
          num(s.sizeRatio()),
          num(s.timeRatio()),
          num(s.memoryRatio()));
    }
    for (Row r : rows) {
      if (r.classification() == Classification.NEW_FAILURE
          || r.classification() == Classification.NEW_CRASH) {
        out.printf(
            "%s: %s %s: %s%n",
            r.classification().label, r.file(), r.operation().name(), detail(r.b()));
      }
    }
    for (Gate g : gates) {
      out.printf(
          "gate %-25s %s (limit %s)%s%n",
          g.name() + ":", g.value(), g.limit(), g.crossed() ? ": CROSSED" : ": ok");
    }
  }

  /** The status of a side in words: "ok", the error code and its message, or "skipped: why". */
  static String detail(Attempt at) {
    return switch (at.status()) {
      case OK -> "ok";
      case SKIPPED -> "skipped: " + at.message();
      case FAILED, CRASHED -> at.code() + ": " + at.message();
    };
  }

  /** The whole report as JSON: builds, gates, summaries and every row. */
  String json() {
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode root = mapper.createObjectNode();
    root.set("a", build(root, a));
    root.set("b", build(root, b));
    root.put("runs", runs);
    root.put("rssSampleMillis", CompareSide.RSS_SAMPLE.toMillis());
    root.put("crossed", crossed());
    ArrayNode ops = root.putArray("operations");
    operations.forEach(o ->
        ops.addObject()
            .put("name", o.name())
            .put("options", o.options())
            .put("animatedOnly", o.animatedOnly()));
    ArrayNode gs = root.putArray("gates");
    gates.forEach(g ->
        gs.addObject()
            .put("name", g.name())
            .put("limit", g.limit())
            .put("value", g.value())
            .put("crossed", g.crossed()));
    ArrayNode sums = root.putArray("summary");
    for (Summary s : summaries) {
      ObjectNode n = sums.addObject().put("operation", s.operation());
      ObjectNode counts = n.putObject("rows");
      s.counts().forEach((c, k) -> counts.put(c.label, k));
      number(n, "deltaEMean", s.meanDeltaE());
      number(n, "deltaEMax", s.maxDeltaE());
      number(n, "sizeRatio", s.sizeRatio());
      number(n, "timeRatio", s.timeRatio());
      number(n, "memoryRatio", s.memoryRatio());
    }
    ArrayNode rs = root.putArray("rows");
    for (Row r : rows) {
      ObjectNode n =
          rs.addObject()
              .put("file", r.file())
              .put("operation", r.operation().name())
              .put("classification", r.classification().label);
      n.set("a", side(n, r.a()));
      n.set("b", side(n, r.b()));
      if (r.deltaE() != null) {
        n.putObject("deltaE").put("mean", r.deltaE().mean()).put("max", r.deltaE().max());
      } else {
        n.putNull("deltaE");
      }
      if (!r.diffNote().isEmpty()) {
        n.put("diffNote", r.diffNote());
      }
      number(n, "sizeRatio", r.sizeRatio());
      number(n, "timeRatio", r.timeRatio());
      number(n, "memoryRatio", r.memoryRatio());
    }
    try {
      return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ObjectNode build(ObjectNode root, CompareSide.Build build) {
    return root.objectNode()
        .put("library", build.library().toString())
        .put("version", build.version());
  }

  private static ObjectNode side(ObjectNode row, Attempt at) {
    ObjectNode n = row.objectNode().put("status", at.status().name().toLowerCase(Locale.ROOT));
    if (at.code() != null) {
      n.put("code", at.code());
    }
    if (at.message() != null) {
      n.put("message", at.message());
    }
    if (at.ok()) {
      n.put("format", Objects.requireNonNull(at.format()).extension())
          .put("width", at.width())
          .put("height", at.height())
          .put("bytes", at.size());
    }
    if (at.medianNanos() >= 0) {
      n.put("millis", at.medianNanos() / 1e6);
      ArrayNode runs = n.putArray("runMillis");
      at.nanos().forEach(t -> runs.add(t / 1e6));
    }
    if (at.peakRss() > 0) {
      n.put("peakWorkerRssBytes", at.peakRss());
    }
    return n;
  }

  private static void number(ObjectNode n, String name, double value) {
    if (Double.isFinite(value)) {
      n.put(name, value);
    } else {
      n.putNull(name);
    }
  }

  /** Two decimals, or "-" for none. */
  static String num(double x) {
    return Double.isFinite(x) ? String.format(Locale.ROOT, "%.2f", x) : "-";
  }
}
