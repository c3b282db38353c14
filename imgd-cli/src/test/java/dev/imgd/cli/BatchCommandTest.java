package dev.imgd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgd.core.ImageFormat;
import dev.imgd.core.Imgd;
import dev.imgd.core.probe.Probe;
import dev.imgd.core.probe.ProbeResult;
import dev.imgd.testkit.Fixtures;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code imgd batch} on a folder tree of 30 images, a broken one and a name conflict, through the
 * server's isolated workers: progress, the summary by error code, the failure's exit code, and a
 * second run that skips every image already done.
 */
class BatchCommandTest {
  @TempDir Path in;
  @TempDir Path out;

  private record Outcome(int code, String out, String err) {}

  private static Outcome run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Outcome(code, out.toString(), err.toString());
  }

  @Test
  void processesATreeReportsFailuresByCodeAndResumes() throws Exception {
    byte[] sample = Fixtures.bytes("Landscape_1.jpg");
    try (Imgd imgd = Imgd.builder().threads(1).build()) {
      for (int i = 0; i < 30; i++) {
        Path dir = in.resolve(i < 10 ? "" : i < 20 ? "a" : "a/b");
        Files.createDirectories(dir);
        String ext = i % 3 == 0 ? "png" : "jpg";
        Files.write(
            dir.resolve("img" + i + "." + ext),
            imgd.process(sample, "rs:fit:" + (40 + i) + ":0/f:" + ext).bytes());
      }
    }
    byte[] noise = new byte[4096];
    new Random(7).nextBytes(noise);
    noise[0] = (byte) 0xFF; // a JPEG's first marker, then nothing a decoder can use
    noise[1] = (byte) 0xD8;
    noise[2] = (byte) 0xFF;
    Files.write(in.resolve("a/broken.jpg"), noise);
    Files.writeString(in.resolve("notes.txt"), "not an image");
    // Another image whose output would be a/img11.webp too: refused, never written over.
    Files.copy(in.resolve("a/img11.jpg"), in.resolve("a/img11.png"));

    String[] batch = {
      "batch",
      in.toString(),
      out.toString(),
      "--options",
      "rs:fit:32:0",
      "--format",
      "webp",
      "--jobs",
      "2"
    };
    Outcome first = run(batch);
    assertThat(first.code()).as(first.err()).isEqualTo(Main.EXIT_REFUSED);
    // Not a terminal: a plain progress line at each tenth, the last at 32 of 32.
    assertThat(first.err().lines().filter(l -> l.matches("\\d+/32 images .*, ETA \\d+ s")))
        .hasSizeGreaterThanOrEqualTo(5)
        .last()
        .asString()
        .startsWith("32/32 images (100%), 2 failed, ");
    assertThat(first.out())
        .contains("batch: 32 images: 30 written, 0 skipped (up to date), 2 failed")
        .containsPattern("\n  corrupt_image: 1\n    a/broken.jpg: corrupt_image: ")
        .contains(
            "\n  name_conflict: 1\n    a/img11.png: its output a/img11.webp is a/img11.jpg's too\n");
    List<Path> written = files(out);
    assertThat(written).hasSize(30).allMatch(p -> p.toString().endsWith(".webp"));
    assertThat(out.resolve("a/b/img25.webp")).exists();
    ProbeResult r = Probe.read(Files.readAllBytes(out.resolve("a/img12.webp")));
    assertThat(r.format()).isEqualTo(ImageFormat.WEBP);
    assertThat(r.width()).isEqualTo(32);

    Outcome second = run(batch);
    assertThat(second.code()).isEqualTo(Main.EXIT_REFUSED); // the broken one fails again
    assertThat(second.out()).contains("32 images: 0 written, 30 skipped (up to date), 2 failed");
    assertThat(files(out)).isEqualTo(written);
  }

  @Test
  void aMissingInputFolderIsSaidInWords() {
    Outcome o = run("batch", in.resolve("nope").toString(), out.toString());
    assertThat(o.code()).isEqualTo(Main.EXIT_ENVIRONMENT);
    assertThat(o.err().strip()).isEqualTo("imgd: " + in.resolve("nope") + ": not found");
  }

  /** Every file under {@code dir}: a cut or finished run leaves no temporary file. */
  private static List<Path> files(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(Files::isRegularFile).map(dir::relativize).sorted().toList();
    }
  }
}
