package dev.imgd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgd.core.ImageFormat;
import dev.imgd.core.Version;
import dev.imgd.core.probe.Probe;
import dev.imgd.testkit.Fixtures;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Bad input ends with a non-zero exit and one line saying why: never a trace, never a crash. */
@Tag("smoke")
class MainTest {
  @TempDir Path dir;

  private record Outcome(int code, String out, String err) {}

  private Outcome run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Outcome(code, out.toString(), err.toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"empty", "random", "truncated.jpg", "corrupt-header.jpg", "pdf"})
  void badInputExitsNonZeroWithOneLine(String kind) throws Exception {
    Path in =
        switch (kind) {
          case "empty" -> Files.write(dir.resolve("empty.jpg"), new byte[0]);
          case "random" -> {
            byte[] noise = new byte[2048];
            new Random(7).nextBytes(noise);
            yield Files.write(dir.resolve("noise.jpg"), noise);
          }
          case "pdf" -> Files.writeString(dir.resolve("doc.pdf"), "%PDF-1.4\n%%EOF\n");
          default -> Fixtures.image(kind);
        };
    Outcome o = run("convert", in.toString(), dir.resolve("out.jpg").toString(), "--width", "100");
    assertThat(o.code()).isEqualTo(Main.EXIT_REFUSED);
    assertThat(o.err().strip().lines()).hasSize(1);
    assertThat(o.err()).startsWith("imgd: ").doesNotContain("Exception", "\tat ");
    assertThat(dir.resolve("out.jpg")).doesNotExist();
  }

  @ParameterizedTest
  @ValueSource(strings = {"jpg", "webp", "png", "avif", "gif"})
  void convertsAndChoosesTheShrinkItself(String ext) throws Exception {
    Path out = dir.resolve("out." + ext);
    Outcome o =
        run(
            "convert",
            Fixtures.image("2569067123_aca715a2ee_o.jpg").toString(),
            out.toString(),
            "--width",
            "300");
    assertThat(o.code()).as(o.err()).isZero();
    assertThat(Files.size(out)).isPositive();
  }

  @ParameterizedTest
  @ValueSource(strings = {"Landscape_5.jpg", "animated-loop-3.gif", "truncated.png"})
  void probeReadsHeadersOnly(String name) {
    assertThat(run("probe", Fixtures.image(name).toString()).code()).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"doctor"})
  void doctorAnswers(String cmd) {
    assertThat(run(cmd).code()).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "serve", "convert", "probe", "batch", "sign", "doctor"})
  void everyCommandsHelpExitsZeroWithItsUsage(String command) {
    Outcome o = command.isEmpty() ? run("--help") : run(command, "--help");
    assertThat(o.code()).as(o.err()).isZero();
    assertThat(o.err()).isEmpty();
    assertThat(o.out()).startsWith("Usage: imgd").doesNotContain("issue ", "item ");
    // The exit codes are one table, under every command.
    assertThat(o.out()).contains("Exit codes:", "3   refused", "4   environment");
  }

  @Test
  void versionIsTheBuildsOwn() {
    Outcome o = run("--version");
    assertThat(o.code()).isZero();
    assertThat(Version.get()).matches("\\d+\\.\\d+\\.\\d+.*").doesNotContain("${");
    assertThat(o.out().strip()).isEqualTo("imgd " + Version.get());
  }

  @Test
  void fileProblemsSayWhatIsWrongInWords() throws Exception {
    String sample = Fixtures.image("Landscape_1.jpg").toString();
    Outcome missing = run("convert", dir.resolve("nope.jpg").toString(), out("x.jpg"));
    assertThat(missing.code()).isEqualTo(Main.EXIT_ENVIRONMENT);
    assertThat(missing.err().strip()).isEqualTo("imgd: " + dir.resolve("nope.jpg") + ": not found");

    Outcome folder = run("probe", dir.toString());
    assertThat(folder.code()).isEqualTo(Main.EXIT_ENVIRONMENT);
    assertThat(folder.err()).contains(dir + ": a folder, not an image file");

    Path noFolder = dir.resolve("missing").resolve("x.jpg");
    Outcome unwritable = run("convert", sample, noFolder.toString(), "--width", "50");
    assertThat(unwritable.code()).isEqualTo(Main.EXIT_ENVIRONMENT);
    assertThat(unwritable.err().strip())
        .isEqualTo("imgd: cannot write " + noFolder + ": " + noFolder.getParent() + " not found");
    try (var files = Files.list(dir)) {
      assertThat(files).noneMatch(f -> f.getFileName().toString().startsWith(".imgd"));
    }
  }

  @Test
  void theOutputsExtensionPicksTheFormatAndAContradictionIsRefused() throws Exception {
    String sample = Fixtures.image("Landscape_1.jpg").toString();
    Outcome refused = run("convert", sample, out("x.jpg"), "--format", "webp");
    assertThat(refused.code()).isEqualTo(Main.EXIT_USAGE);
    assertThat(refused.err())
        .contains("--format webp contradicts x.jpg, whose extension names JPEG");
    assertThat(dir.resolve("x.jpg")).doesNotExist();

    assertThat(run("convert", sample, out("x"), "--format", "webp").code()).isZero();
    assertThat(Probe.read(Files.readAllBytes(dir.resolve("x"))).format())
        .isEqualTo(ImageFormat.WEBP);
    Outcome byName = run("convert", sample, out("y.png"), "--width", "40");
    assertThat(byName.out()).contains("40x", " png, ");
    assertThat(Probe.read(Files.readAllBytes(dir.resolve("y.png"))).format())
        .isEqualTo(ImageFormat.PNG);
  }

  @Test
  void aSmallerSourceIsNotEnlargedAndTheOutputSaysSo() {
    // Landscape_1.jpg is 600x450, as the README's sample.
    Outcome o =
        run(
            "convert",
            Fixtures.image("Landscape_1.jpg").toString(),
            out("w.jpg"),
            "--width",
            "720");
    assertThat(o.code()).as(o.err()).isZero();
    assertThat(o.out()).contains("600x").contains("not enlarged");
  }

  /** SVG and PDF go to the server's isolated workers (the system's build renders PDF). */
  @ParameterizedTest
  @ValueSource(strings = {"svg", "pdf"})
  void convertsAndProbesDocumentsAsTheServerDoes(String kind) throws Exception {
    Path doc = dir.resolve("doc." + kind);
    if (kind.equals("svg")) {
      Files.writeString(
          doc,
          "<svg xmlns='http://www.w3.org/2000/svg' width='120' height='80'>"
              + "<rect width='120' height='80' fill='red'/></svg>");
    } else {
      Files.writeString(doc, PDF_120_BY_80, StandardCharsets.US_ASCII);
    }
    Outcome probe = run("probe", doc.toString());
    assertThat(probe.code()).as(probe.err()).isZero();
    assertThat(probe.out())
        .contains("size:          120x80 (9600 px at 72 dpi, page 1 of 1)")
        .contains("decode memory: 38400 bytes") // 4 bands (RGBA), 8 bits
        .contains("limits:        within the defaults");

    Outcome convert = run("convert", doc.toString(), out("doc.png"), "--width", "60");
    assertThat(convert.code()).as(convert.err()).isZero();
    assertThat(convert.out()).contains("60x40 png");
    assertThat(Probe.read(Files.readAllBytes(dir.resolve("doc.png"))).width()).isEqualTo(60);
  }

  /** One page of 120x80 points; poppler rebuilds the cross-reference table it lacks. */
  private static final String PDF_120_BY_80 =
      "%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
          + "2 0 obj <</Type /Pages /Kids [3 0 R] /Count 1>> endobj\n"
          + "3 0 obj <</Type /Page /Parent 2 0 R /MediaBox [0 0 120 80]>> endobj\n"
          + "trailer <</Root 1 0 R>>\n%%EOF\n";

  private String out(String name) {
    return dir.resolve(name).toString();
  }
}
