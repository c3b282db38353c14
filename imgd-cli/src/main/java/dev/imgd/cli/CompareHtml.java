package dev.imgd.cli;

import dev.imgd.cli.CompareReport.Classification;
import dev.imgd.cli.CompareReport.Gate;
import dev.imgd.cli.CompareReport.Row;
import dev.imgd.cli.CompareReport.Summary;
import dev.imgd.cli.CompareSide.Attempt;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The comparison as one self-contained HTML file: the gates, the summary per operation, the worst
 * differences side by side (A, B and the ΔE per pixel as heat, PNGs in data: URIs), the new
 * failures and every row.
 */
final class CompareHtml {
  private CompareHtml() {}

  /**
   * @param worst the rows to show as images, worst first, with the previews made for each
   */
  static String of(CompareReport report, Map<Row, PixelDiff.Previews> worst) {
    StringBuilder h = new StringBuilder();
    h.append(
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>imgd compare</title>
        <style>
        body{font:14px system-ui,sans-serif;margin:1.5em;color:#222}
        table{border-collapse:collapse;margin:.5em 0 1.5em}
        td,th{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top}
        td.n{text-align:right;font-variant-numeric:tabular-nums}
        .crossed{background:#fdd;font-weight:bold}.pass{background:#dfd}
        .new-failure,.new-crash{background:#fdd}.fixed{background:#dfd}.skipped{color:#888}
        figure{display:inline-block;margin:0 .5em .5em 0}figcaption{font-size:12px}
        img{max-width:480px;border:1px solid #ccc;background:repeating-conic-gradient(#eee 0 25%,#fff 0 50%) 0 0/16px 16px}
        </style></head><body>
        <h1>imgd compare</h1>
        """);
    h.append("<p>a: libvips ")
        .append(esc(report.a.version()))
        .append(" (")
        .append(esc(report.a.library().toString()))
        .append(")<br>b: libvips ")
        .append(esc(report.b.version()))
        .append(" (")
        .append(esc(report.b.library().toString()))
        .append(")<br>")
        .append(report.runs)
        .append(
            " run(s) per file and operation; time is the median worker round trip, memory the peak"
                + " worker RSS sampled every ")
        .append(CompareSide.RSS_SAMPLE.toMillis())
        .append(" ms; ratios are b/a; ΔE2000 by libvips' dE00 in the comparing process.</p>\n");

    h.append(
        "<h2>Gates</h2>\n<table><tr><th>gate</th><th>limit</th><th>value</th><th></th></tr>\n");
    for (Gate g : report.gates) {
      h.append("<tr class=\"")
          .append(g.crossed() ? "crossed" : "pass")
          .append("\"><td>")
          .append(esc(g.name()))
          .append("</td><td>")
          .append(esc(g.limit()))
          .append("</td><td>")
          .append(esc(g.value()))
          .append("</td><td>")
          .append(g.crossed() ? "crossed" : "ok")
          .append("</td></tr>\n");
    }
    h.append("</table>\n");

    h.append("<h2>By operation</h2>\n<table><tr><th>operation</th><th>options</th>");
    for (Classification c : Classification.values()) {
      h.append("<th>").append(c.label).append("</th>");
    }
    h.append("<th>ΔE mean</th><th>ΔE max</th><th>size</th><th>time</th><th>memory</th></tr>\n");
    for (int i = 0; i < report.summaries.size(); i++) {
      Summary s = report.summaries.get(i);
      h.append("<tr><td>")
          .append(esc(s.operation()))
          .append("</td><td><code>")
          .append(esc(report.operations.get(i).options()))
          .append("</code></td>");
      for (Classification c : Classification.values()) {
        h.append(cell(Integer.toString(s.count(c))));
      }
      h.append(cell(CompareReport.num(s.meanDeltaE())))
          .append(cell(CompareReport.num(s.maxDeltaE())))
          .append(cell(CompareReport.num(s.sizeRatio())))
          .append(cell(CompareReport.num(s.timeRatio())))
          .append(cell(CompareReport.num(s.memoryRatio())))
          .append("</tr>\n");
    }
    h.append("</table>\n");

    h.append("<h2>Worst differences</h2>\n");
    if (worst.isEmpty()) {
      h.append("<p>No row has a pixel difference to show.</p>\n");
    }
    for (var e : worst.entrySet()) {
      Row r = e.getKey();
      PixelDiff.DeltaE de = Objects.requireNonNull(r.deltaE(), "a shown row has a difference");
      PixelDiff.Previews p = e.getValue();
      h.append("<h3>")
          .append(esc(r.file()))
          .append(", ")
          .append(esc(r.operation().name()))
          .append(": ΔE mean ")
          .append(CompareReport.num(de.mean()))
          .append(", max ")
          .append(CompareReport.num(de.max()))
          .append("</h3>\n")
          .append(figure(p.a(), "a: " + describe(r.a())))
          .append(figure(p.b(), "b: " + describe(r.b())))
          .append(figure(p.heat(), "ΔE2000 per pixel (full heat at 10)"))
          .append("\n");
    }

    List<Row> fresh =
        report.rows.stream()
            .filter(r ->
                r.classification() == Classification.NEW_FAILURE
                    || r.classification() == Classification.NEW_CRASH)
            .toList();
    h.append("<h2>New failures and crashes</h2>\n");
    if (fresh.isEmpty()) {
      h.append("<p>None.</p>\n");
    } else {
      h.append("<table><tr><th>file</th><th>operation</th><th>b</th></tr>\n");
      for (Row r : fresh) {
        h.append("<tr class=\"")
            .append(css(r.classification()))
            .append("\"><td>")
            .append(esc(r.file()))
            .append("</td><td>")
            .append(esc(r.operation().name()))
            .append("</td><td>")
            .append(esc(CompareReport.detail(r.b())))
            .append("</td></tr>\n");
      }
      h.append("</table>\n");
    }

    h.append(
        "<h2>Every row</h2>\n<table><tr><th>file</th><th>operation</th><th>result</th><th>a</th>"
            + "<th>b</th><th>ΔE mean</th><th>ΔE max</th><th>size</th><th>time</th>"
            + "<th>memory</th></tr>\n");
    for (Row r : report.rows) {
      h.append("<tr class=\"")
          .append(css(r.classification()))
          .append("\"><td>")
          .append(esc(r.file()))
          .append("</td><td>")
          .append(esc(r.operation().name()))
          .append("</td><td>")
          .append(r.classification().label)
          .append("</td><td>")
          .append(esc(describe(r.a())))
          .append("</td><td>")
          .append(esc(describe(r.b())))
          .append("</td>")
          .append(cell(r.deltaE() == null ? r.diffNote() : CompareReport.num(r.deltaE().mean())))
          .append(cell(r.deltaE() == null ? "" : CompareReport.num(r.deltaE().max())))
          .append(cell(CompareReport.num(r.sizeRatio())))
          .append(cell(CompareReport.num(r.timeRatio())))
          .append(cell(CompareReport.num(r.memoryRatio())))
          .append("</tr>\n");
    }
    h.append("</table>\n</body></html>\n");
    return h.toString();
  }

  /** "webp 300x200, 12,345 bytes, 41.2 ms", or the error. */
  private static String describe(Attempt at) {
    if (!at.ok()) {
      return CompareReport.detail(at);
    }
    return "%s %dx%d, %,d bytes, %.1f ms"
        .formatted(
            at.format() == null ? "?" : at.format().extension(),
            at.width(),
            at.height(),
            at.size(),
            at.medianNanos() / 1e6);
  }

  private static String figure(byte[] png, String caption) {
    return "<figure><img alt=\""
        + esc(caption)
        + "\" src=\"data:image/png;base64,"
        + Base64.getEncoder().encodeToString(png)
        + "\"><figcaption>"
        + esc(caption)
        + "</figcaption></figure>";
  }

  private static String cell(String text) {
    return "<td class=\"n\">" + esc(text) + "</td>";
  }

  private static String css(Classification c) {
    return c.label.replace(' ', '-');
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
