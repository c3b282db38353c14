package dev.imgd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imgd.cli.CompareReport.Classification;
import dev.imgd.cli.CompareSide.Attempt;
import dev.imgd.cli.CompareSide.Status;
import dev.imgd.testkit.Fixtures;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code imgd compare} on real builds: the launcher's libvips (8.18) against the system's (8.14),
 * each in its own isolated worker, over a JPEG, a PNG with alpha and an animated GIF: a row per
 * image and operation in the JSON, both sides' statuses and the ratios, the HTML with its images, a
 * gate that crosses and its exit code; and a build against itself, which differs in no pixel.
 */
class CompareCommandTest {
  private static final List<String> IMAGES =
      List.of("Landscape_1.jpg", "with-alpha.png", "animated-loop-3.gif");

  @TempDir Path corpus;
  @TempDir Path reports;

  private record Outcome(int code, String out, String err) {}

  private static Outcome run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Outcome(code, out.toString(), err.toString());
  }

  @BeforeEach
  void corpus() throws Exception {
    for (String name : IMAGES) {
      Files.copy(Fixtures.image(name), corpus.resolve(name));
    }
  }

  @Test
  void comparesTwoBuildsRowByRowAndWritesBothReports() throws Exception {
    Path json = reports.resolve("r.json");
    Path html = reports.resolve("r.html");
    // Gates wide open: this test is about the report; the gates have their own.
    Outcome o =
        run(
            "compare",
            "--a",
            "default",
            "--b",
            "system",
            "--runs",
            "2",
            "--json",
            json.toString(),
            "--html",
            html.toString(),
            "--max-time-ratio",
            "100",
            "--max-memory-ratio",
            "100",
            "--max-delta-e",
            "1000",
            corpus.toString());
    assertThat(o.code()).as(o.out() + o.err()).isZero();
    JsonNode r = new ObjectMapper().readTree(json.toFile());
    assertThat(r.get("a").get("version").asText()).startsWith("8.18");
    assertThat(r.get("b").get("version").asText()).startsWith("8.14");
    assertThat(r.get("crossed").asBoolean()).isFalse();

    JsonNode rows = r.get("rows");
    int ops = CompareCommand.DEFAULT_OPERATIONS.size();
    assertThat(rows).hasSize(IMAGES.size() * ops);
    Set<String> pairs = new HashSet<>();
    for (JsonNode row : rows) {
      pairs.add(row.get("file").asText() + " " + row.get("operation").asText());
      String what = row.toString();
      if (row.get("operation").asText().equals("animated-gif")
          && !row.get("file").asText().endsWith(".gif")) {
        // An operation that does not apply is a visible row, not a missing one.
        assertThat(row.get("classification").asText()).as(what).isEqualTo("skipped");
        assertThat(row.get("a").get("message").asText()).isEqualTo("not animated");
        continue;
      }
      // Both builds make every default operation's image of these three inputs.
      assertThat(row.get("classification").asText()).as(what).isEqualTo("ok");
      for (String side : List.of("a", "b")) {
        JsonNode s = row.get(side);
        assertThat(s.get("status").asText()).as(what).isEqualTo("ok");
        assertThat(s.get("runMillis")).as(what).hasSize(2);
        assertThat(s.get("millis").asDouble()).as(what).isPositive();
        assertThat(s.get("peakWorkerRssBytes").asLong()).as(what).isGreaterThan(16L << 20);
        assertThat(s.get("bytes").asInt()).as(what).isPositive();
      }
      assertThat(row.get("sizeRatio").asDouble()).as(what).isPositive();
      assertThat(row.get("timeRatio").asDouble()).as(what).isPositive();
      assertThat(row.get("memoryRatio").asDouble()).as(what).isPositive();
      JsonNode de = row.get("deltaE");
      assertThat(de.get("mean").asDouble()).as(what).isBetween(0.0, de.get("max").asDouble());
    }
    assertThat(pairs).hasSize(IMAGES.size() * ops);
    // Two builds with other codecs and resamplers differ somewhere, a little.
    assertThat(rows.findValues("max").stream().mapToDouble(JsonNode::asDouble).max().orElse(0))
        .isPositive();
    assertThat(r.get("summary")).hasSize(ops);
    assertThat(r.get("gates")).hasSize(4);

    String page = Files.readString(html);
    assertThat(page).startsWith("<!DOCTYPE html>").contains("</html>");
    // The worst differences side by side: a, b and the heat image, inline, nothing fetched.
    assertThat(page.split("src=\"data:image/png;base64,", -1).length - 1).isGreaterThanOrEqualTo(3);
    assertThat(page).doesNotContain("src=\"http");
    assertThat(o.out()).contains("thumbnail", "gate time ratio:", "json: " + json);
  }

  @Test
  void aCrossedGateFailsTheCommandWithItsExitCode() throws Exception {
    Path ops = reports.resolve("ops.txt");
    Files.writeString(ops, "# one operation\nrs:fit:200:0/f:webp  # a thumbnail in WebP\n\n");
    Path json = reports.resolve("r.json");
    Outcome o =
        run(
            "compare",
            "--a",
            "default",
            "--b",
            "system",
            "--runs",
            "1",
            "--ops",
            ops.toString(),
            "--json",
            json.toString(),
            "--max-delta-e",
            "0",
            "--max-time-ratio",
            "100",
            "--max-memory-ratio",
            "100",
            corpus.toString());
    assertThat(o.code()).as(o.out() + o.err()).isEqualTo(Main.EXIT_GATE);
    assertThat(o.out()).contains("gate ΔE2000 max:").contains("CROSSED");
    JsonNode r = new ObjectMapper().readTree(json.toFile());
    assertThat(r.get("crossed").asBoolean()).isTrue();
    assertThat(r.get("rows")).hasSize(IMAGES.size());
    assertThat(r.get("operations").get(0).get("options").asText()).isEqualTo("rs:fit:200:0/f:webp");
    List<String> crossed = new ArrayList<>();
    r.get("gates")
        .forEach(g -> {
          if (g.get("crossed").asBoolean()) {
            crossed.add(g.get("name").asText());
          }
        });
    assertThat(crossed).containsExactly("ΔE2000 max");
  }

  @Test
  void aBuildAgainstItselfDiffersInNoPixel() throws Exception {
    Path ops = reports.resolve("ops.txt");
    Files.writeString(ops, "w:300\nrs:fill:400:300/g:sm/f:png\n");
    Path json = reports.resolve("r.json");
    Outcome o =
        run(
            "compare",
            "--a",
            "default",
            "--b",
            "default",
            "--runs",
            "1",
            "--ops",
            ops.toString(),
            "--json",
            json.toString(),
            "--max-delta-e",
            "0",
            "--max-time-ratio",
            "100",
            "--max-memory-ratio",
            "100",
            corpus.toString());
    assertThat(o.code()).as(o.out() + o.err()).isZero();
    for (JsonNode row : new ObjectMapper().readTree(json.toFile()).get("rows")) {
      assertThat(row.get("deltaE").get("max").asDouble()).as(row.toString()).isZero();
      assertThat(row.get("sizeRatio").asDouble()).as(row.toString()).isEqualTo(1.0);
    }
  }

  @Test
  void badArgumentsAreUsageErrorsAndAMissingCorpusAnEnvironmentOne() throws Exception {
    assertThat(
            run("compare", "--a", "default", "--b", "system", "--runs", "0", corpus.toString())
                .code())
        .isEqualTo(Main.EXIT_USAGE);
    Path ops = reports.resolve("ops.txt");
    Files.writeString(ops, "rs:fit:300:0\nnot_an_option:3\n");
    Outcome bad =
        run(
            "compare",
            "--a",
            "default",
            "--b",
            "default",
            "--ops",
            ops.toString(),
            corpus.toString());
    assertThat(bad.code()).isEqualTo(Main.EXIT_USAGE);
    assertThat(bad.err()).contains("not_an_option");
    Outcome missing =
        run("compare", "--a", "default", "--b", "system", corpus.resolve("nope").toString());
    assertThat(missing.code()).isEqualTo(Main.EXIT_ENVIRONMENT);
    assertThat(missing.err()).contains("nope: not found");
  }

  @Test
  void rowsAreClassifiedFromBothSides() {
    Attempt ok = attempt(Status.OK);
    Attempt failed = attempt(Status.FAILED);
    Attempt crashed = attempt(Status.CRASHED);
    assertThat(Classification.of(ok, ok)).isEqualTo(Classification.OK);
    assertThat(Classification.of(ok, failed)).isEqualTo(Classification.NEW_FAILURE);
    assertThat(Classification.of(ok, crashed)).isEqualTo(Classification.NEW_CRASH);
    assertThat(Classification.of(failed, crashed)).isEqualTo(Classification.NEW_CRASH);
    assertThat(Classification.of(crashed, ok)).isEqualTo(Classification.FIXED);
    assertThat(Classification.of(failed, failed)).isEqualTo(Classification.BOTH_FAIL);
    assertThat(Classification.of(crashed, crashed)).isEqualTo(Classification.BOTH_FAIL);
    Attempt skipped = Attempt.skipped("not animated");
    assertThat(Classification.of(skipped, skipped)).isEqualTo(Classification.SKIPPED);
  }

  private static Attempt attempt(Status s) {
    return new Attempt(s, null, null, null, null, 0, 0, 0, List.of(), 0);
  }
}
