package dev.imgd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgd.testkit.Fixtures;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Bad input ends with a non-zero exit and one line saying why: never a trace, never a crash. */
@Tag("smoke")
class MainTest {
  @TempDir Path dir;

  private record Outcome(int code, String err) {}

  private Outcome run(String... args) {
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(err, true), args);
    return new Outcome(code, err.toString());
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
}
