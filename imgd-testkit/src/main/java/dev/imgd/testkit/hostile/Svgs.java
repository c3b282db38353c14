package dev.imgd.testkit.hostile;

import static dev.imgd.testkit.hostile.Bytes.ascii;
import static dev.imgd.testkit.hostile.HostileFile.Expectation.ISOLATED_REFUSES;
import static dev.imgd.testkit.hostile.HostileFile.Expectation.ISOLATED_RENDERS;
import static dev.imgd.testkit.hostile.HostileFile.Expectation.UNSUPPORTED_FORMAT;
import static dev.imgd.testkit.hostile.HostileFiles.add;

import java.util.List;

/**
 * SVG, decoded only by isolated workers: entity and {@code <use>} bombs, a huge canvas, deep
 * nesting, and references to local files and the cloud metadata address (FM-22), which a worker
 * must never resolve.
 */
final class Svgs {
  private static final String NS =
      "xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\"";

  private Svgs() {}

  static void files(List<HostileFile> files) {
    add(
        files,
        "svg-1000000x1000000",
        "FM-01",
        svg(
            "width=\"1000000\" height=\"1000000\"",
            "<rect width=\"100%\" height=\"100%\" fill=\"#c00\"/>"),
        ISOLATED_REFUSES);
    add(
        files,
        "svg-billion-laughs",
        "FM-20",
        ascii(
            "<?xml version=\"1.0\"?>\n"
                + Metadata.billionLaughsDtd("svg")
                + "<svg "
                + NS
                + " width=\"100\" height=\"100\"><text x=\"0\" y=\"20\">&lol9;</text></svg>\n"),
        ISOLATED_REFUSES);
    // librsvg skips the cycle and renders the rest.
    add(files, "svg-use-cycle", "FM-20", useCycle(), ISOLATED_RENDERS);
    add(files, "svg-use-2-to-the-30", "FM-20", useExponential(30), ISOLATED_REFUSES);
    add(files, "svg-nested-groups-50000", "FM-20", nested(50_000), ISOLATED_REFUSES);
    add(
        files,
        "svg-xlink-file-etc-passwd",
        "FM-22",
        svg(
            "width=\"64\" height=\"64\"",
            "<image xlink:href=\"file:///etc/passwd\" width=\"64\" height=\"64\"/>"
                + "<use xlink:href=\"file:///etc/passwd#x\"/>"),
        ISOLATED_RENDERS);
    add(
        files,
        "svg-xlink-metadata-address",
        "FM-22",
        svg(
            "width=\"64\" height=\"64\"",
            "<image xlink:href=\"http://169.254.169.254/latest/meta-data/\" width=\"64\""
                + " height=\"64\"/><image href=\"http://127.0.0.1:8080/admin\" width=\"8\""
                + " height=\"8\"/>"),
        ISOLATED_RENDERS);
    // An external entity: librsvg leaves it undefined, a parse error.
    add(
        files,
        "svg-xxe-etc-passwd",
        "FM-22",
        ascii(
            "<?xml version=\"1.0\"?>\n<!DOCTYPE svg [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n"
                + "<svg "
                + NS
                + " width=\"64\" height=\"64\"><text x=\"0\" y=\"20\">&xxe;</text></svg>\n"),
        ISOLATED_REFUSES);
    // The root element after a 64 KB comment: past the probe's prolog scan, so not taken as SVG.
    add(
        files,
        "svg-after-64k-comment",
        "FM-20",
        ascii("<!--" + " ".repeat(64 * 1024) + "-->" + "<svg " + NS + "/>"),
        UNSUPPORTED_FORMAT);
  }

  private static byte[] svg(String attributes, String body) {
    return ascii("<svg " + NS + " " + attributes + ">" + body + "</svg>\n");
  }

  /** Two groups that use each other, and a use of the first. */
  private static byte[] useCycle() {
    return svg(
        "width=\"64\" height=\"64\"",
        "<defs><g id=\"a\"><rect width=\"1\" height=\"1\"/><use xlink:href=\"#b\"/></g>"
            + "<g id=\"b\"><use xlink:href=\"#a\"/></g></defs><use xlink:href=\"#a\"/>");
  }

  /** Each level uses the previous one twice: 2^levels rectangles from a few KB. */
  private static byte[] useExponential(int levels) {
    StringBuilder s = new StringBuilder("<defs><g id=\"l0\"><rect width=\"1\" height=\"1\"/></g>");
    for (int i = 1; i <= levels; i++) {
      s.append("<g id=\"l").append(i).append("\">");
      s.append("<use xlink:href=\"#l").append(i - 1).append("\"/>");
      s.append("<use xlink:href=\"#l").append(i - 1).append("\" x=\"1\"/></g>");
    }
    s.append("</defs><use xlink:href=\"#l").append(levels).append("\"/>");
    return svg("width=\"64\" height=\"64\"", s.toString());
  }

  private static byte[] nested(int depth) {
    return svg(
        "width=\"64\" height=\"64\"",
        "<g>".repeat(depth) + "<rect width=\"1\" height=\"1\"/>" + "</g>".repeat(depth));
  }
}
