package dev.imgd.testkit.hostile;

import static dev.imgd.testkit.hostile.Bytes.ascii;
import static dev.imgd.testkit.hostile.Bytes.concat;
import static dev.imgd.testkit.hostile.HostileFile.Expectation.ISOLATED_REFUSES;
import static dev.imgd.testkit.hostile.HostileFile.Expectation.ISOLATED_RENDERS;
import static dev.imgd.testkit.hostile.HostileFiles.add;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * PDF, decoded only by isolated workers: minimal hand-built documents (objects, a correct xref
 * table, a trailer) with an absurd page size, ten thousand pages, a loop in the page tree, and a
 * content stream that inflates to millions of drawing operations.
 */
final class Pdfs {
  private static final String CATALOG = "<< /Type /Catalog /Pages 2 0 R >>";

  private Pdfs() {}

  static void files(List<HostileFile> files) {
    add(
        files,
        "pdf-mediabox-1e9x1e9",
        "FM-01",
        pdf(
            CATALOG,
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 1000000000 1000000000] /Contents 4 0 R >>",
            stream("", ascii("0 0 m 100 100 l S\n"))),
        ISOLATED_REFUSES);
    add(files, "pdf-10000-pages", "FM-01", manyPages(10_000), ISOLATED_RENDERS);
    // The page tree lists itself as a kid: poppler notices the loop and renders the real page.
    add(
        files,
        "pdf-page-tree-loop",
        "FM-20",
        pdf(
            CATALOG,
            "<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"),
        ISOLATED_RENDERS);
    // 4 million fills of the whole page (68 MB of content) in a FlateDecode stream of 170 KB:
    // hours of rasterising at any scale, so only the deadline stops it. (Fills of 1x1 rectangles,
    // as before, took 10 s of CPU: refused or rendered depending on the machine's speed.)
    byte[] ops = ascii("0 0 612 792 re f\n");
    add(
        files,
        "pdf-flate-bomb-4m-page-fills",
        "FM-20",
        pdf(
            CATALOG,
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
            stream("/Filter /FlateDecode ", Bytes.deflate(Bytes.repeat(ops, 4096), 1024))),
        ISOLATED_REFUSES);
  }

  private static byte[] manyPages(int pages) {
    List<Object> objects = new ArrayList<>();
    objects.add(CATALOG);
    StringBuilder kids = new StringBuilder();
    for (int i = 0; i < pages; i++) {
      kids.append(i + 4).append(" 0 R ");
    }
    objects.add("<< /Type /Pages /Kids [" + kids + "] /Count " + pages + " >>");
    objects.add(stream("", ascii("0 0 m 100 100 l S\n")));
    for (int i = 0; i < pages; i++) {
      objects.add("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R >>");
    }
    return pdf(objects.toArray());
  }

  private static byte[] stream(String dictionary, byte[] data) {
    return concat(
        ascii("<< " + dictionary + "/Length " + data.length + " >>\nstream\n"),
        data,
        ascii("\nendstream"));
  }

  /** Objects 1..n (String or byte[]), the xref table with their offsets, and the trailer. */
  private static byte[] pdf(Object... objects) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(ascii("%PDF-1.4\n%\u00e2\u00e3\u00cf\u00d3\n"));
    int[] offsets = new int[objects.length];
    for (int i = 0; i < objects.length; i++) {
      offsets[i] = out.size();
      out.writeBytes(ascii((i + 1) + " 0 obj\n"));
      out.writeBytes(objects[i] instanceof byte[] b ? b : ascii((String) objects[i]));
      out.writeBytes(ascii("\nendobj\n"));
    }
    int xref = out.size();
    StringBuilder s = new StringBuilder("xref\n0 ").append(objects.length + 1).append('\n');
    s.append("0000000000 65535 f \n");
    for (int offset : offsets) {
      s.append("%010d 00000 n \n".formatted(offset));
    }
    s.append("trailer\n<< /Size ").append(objects.length + 1).append(" /Root 1 0 R >>\n");
    s.append("startxref\n").append(xref).append("\n%%EOF\n");
    out.writeBytes(ascii(s.toString()));
    return out.toByteArray();
  }
}
