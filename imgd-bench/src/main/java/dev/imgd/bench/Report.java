package dev.imgd.bench;

import java.io.PrintStream;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Figures and Markdown tables for the runners' reports, and the list of failed criteria. */
final class Report {
  private final PrintStream out;
  private final List<String> failures = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private final long started = System.nanoTime();

  Report(PrintStream out) {
    this.out = out;
  }

  void line(String format, Object... args) {
    out.println(args.length == 0 ? format : format.formatted(args));
    out.flush();
  }

  /** A pass criterion: recorded as failed unless {@code ok}. */
  boolean criterion(boolean ok, String what) {
    line("  %s %s", ok ? "PASS" : "FAIL", what);
    if (!ok) {
      failures.add(what);
    }
    return ok;
  }

  /** A criterion reported but not judged (why is in {@code what}). */
  void unjudged(String what) {
    line("  ---- %s", what);
    notes.add(what);
  }

  void fail(String what) {
    failures.add(what);
  }

  List<String> failures() {
    return failures;
  }

  /** Prints the verdict; the exit code: 0 when every criterion passed, else 1. */
  int verdict(String command) {
    line("");
    if (failures.isEmpty()) {
      line("%s: every criterion passed (%s)", command, context());
      return 0;
    }
    line("%s: %d criteria failed (%s):", command, failures.size(), context());
    failures.forEach(f -> line("  - %s", f));
    return 1;
  }

  private String context() {
    return "%s, %s, %.0f s in all"
        .formatted(ProcTree.load(), today(), (System.nanoTime() - started) / 1e9);
  }

  static String today() {
    return LocalDate.now(ZoneOffset.UTC).toString();
  }

  void table(List<String> header, List<List<String>> rows) {
    line("| " + String.join(" | ", header) + " |");
    line("|" + "---|".repeat(header.size()));
    for (List<String> r : rows) {
      line("| " + String.join(" | ", r) + " |");
    }
  }

  /** Nearest-rank percentile (p in 0..100) of the values; 0 when there are none. */
  static double percentile(double[] values, double p) {
    if (values.length == 0) {
      return 0;
    }
    double[] v = values.clone();
    Arrays.sort(v);
    int rank = (int) Math.ceil(p / 100 * v.length);
    return v[Math.max(0, Math.min(v.length - 1, rank - 1))];
  }

  static double max(double[] values) {
    return Arrays.stream(values).max().orElse(0);
  }

  static String mib(long bytes) {
    return "%.0f MiB".formatted(bytes / 1048576.0);
  }

  static String ms(double ms) {
    return ms >= 100 ? "%.0f ms".formatted(ms) : "%.1f ms".formatted(ms);
  }

  /** "200:12 422 corrupt_image:3" from label counts, sorted by label. */
  static String counts(Map<String, Integer> byLabel) {
    StringBuilder b = new StringBuilder();
    new TreeMap<>(byLabel)
        .forEach((k, v) -> b.append(b.isEmpty() ? "" : ", ").append(k).append(": ").append(v));
    return b.isEmpty() ? "-" : b.toString();
  }
}
