package dev.imgd.core.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImgdException;
import dev.imgd.core.Limits;
import dev.imgd.core.probe.Probe;
import dev.imgd.core.probe.ProbeResult;
import dev.imgd.testkit.hostile.HostileFile;
import dev.imgd.testkit.hostile.HostileFile.Expectation;
import dev.imgd.testkit.hostile.HostileFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every hostile file gets its expected outcome from the probe, quickly. Covers FM-01 (pixel, frame
 * and scan floods), FM-02 (the oversized source passes the probe: the engine refuses it first),
 * FM-11 (truncation, corrupt headers), FM-17 (EXIF loops, ICC/XMP bombs, GPS), FM-20 (untrusted
 * formats refused at the magic number, polyglots, SVG and PDF recognised for isolated workers) and
 * FM-22 (SVG external references); the list with each file's failure mode is in {@link
 * HostileFiles}.
 */
class HostileFilesTest {
  private static final List<HostileFile> FILES = HostileFiles.all();

  static Stream<HostileFile> files() {
    return FILES.stream();
  }

  // FM-01, FM-11, FM-17: the timeout only guards against a hang.
  @ParameterizedTest(name = "{0}")
  @MethodSource("files")
  void probeGivesTheExpectedOutcome(HostileFile file) {
    byte[] bytes = file.bytes();
    assertTimeoutPreemptively(
        Duration.ofSeconds(2),
        () -> {
          ImgdException e =
              catchThrowableOfType(ImgdException.class, () -> Probe.check(bytes, Limits.DEFAULTS));
          System.out.printf(
              "%-40s %s %8d bytes  %-20s %s%n",
              file.name(),
              file.failureMode(),
              bytes.length,
              file.expected(),
              e == null ? Probe.read(bytes) : e);
          if (file.expected().probeError().isPresent()) {
            assertThat(e).as("probe error").isNotNull();
            assertThat(e.code().code()).isEqualTo(file.expected().probeError().get());
          } else {
            assertThat(e).as("probe error").isNull();
          }
        });
  }

  @Test
  void namesAreUniqueAndEveryFailureModeIsCovered() {
    assertThat(FILES.stream().map(HostileFile::name).allMatch(new HashSet<>()::add)).isTrue();
    assertThat(FILES.stream().map(HostileFile::failureMode).distinct())
        .contains("FM-01", "FM-02", "FM-11", "FM-17", "FM-20", "FM-22");
  }

  @Test
  void generationIsDeterministic() {
    List<HostileFile> again = HostileFiles.generate();
    assertThat(again).hasSameSizeAs(FILES);
    for (int i = 0; i < FILES.size(); i++) {
      assertThat(again.get(i).name()).isEqualTo(FILES.get(i).name());
      assertThat(again.get(i).bytes()).as(FILES.get(i).name()).isEqualTo(FILES.get(i).bytes());
    }
  }

  // FM-01: a flood of every accepted format, the ones only isolated workers decode included.
  @Test
  void everyFormatHasAFlood() {
    assertThat(
            FILES.stream()
                .filter(f -> f.failureMode().equals("FM-01"))
                .map(f -> HostileFiles.extension(f))
                .distinct())
        .contains("jpg", "png", "gif", "webp", "avif", "heic", "tif", "svg", "pdf");
  }

  // FM-11: cuts in the header region and across the file, always one without the last byte.
  @Test
  void truncationsCutAtManyOffsets() {
    byte[] jpeg = bytes("polyglot-jpeg-zip-trailer");
    List<HostileFile> cuts = Truncations.of("x.jpg", jpeg, 8);
    assertThat(cuts).hasSizeBetween(6, 9);
    assertThat(cuts).allMatch(f -> f.failureMode().equals("FM-11"));
    assertThat(cuts.getFirst().bytes()).hasSizeLessThan(16);
    assertThat(cuts.getLast().bytes()).hasSize(jpeg.length - 1);
    assertThat(cuts.getLast().name()).isEqualTo("x.jpg-truncated-at-" + (jpeg.length - 1));
    assertThat(cuts.stream().map(HostileFile::expected))
        .contains(Expectation.CORRUPT_IMAGE, Expectation.TRUNCATED)
        .doesNotContain(Expectation.CLEAN);
    assertThat(Truncations.of("x.jpg", jpeg, 8).getLast().bytes())
        .isEqualTo(cuts.getLast().bytes());
  }

  // The corpus for an HTTP runner: one file per entry, named with its extension, and an index.
  @Test
  void writeToWritesEveryFileAndAnIndex(@TempDir Path dir) throws IOException {
    List<HostileFile> some = FILES.stream().filter(f -> f.bytes().length < 4096).toList();
    HostileFiles.writeTo(dir, some);
    List<String> index = Files.readAllLines(dir.resolve("index.tsv"));
    assertThat(index.getFirst()).isEqualTo("file\tfm\texpectation\tbytes\tstatus\terror");
    assertThat(index).hasSize(some.size() + 1);
    assertThat(index)
        .contains(
            "jpeg-baseline-65500x65500.jpg\tFM-01\tLIMIT_EXCEEDED\t"
                + bytes("jpeg-baseline-65500x65500").length
                + "\t422\tlimit_exceeded",
            "svg-xlink-metadata-address.svg\tFM-22\tISOLATED_RENDERS\t"
                + bytes("svg-xlink-metadata-address").length
                + "\t415\tunsupported_format");
    for (HostileFile f : some) {
      assertThat(dir.resolve(f.name() + "." + HostileFiles.extension(f)))
          .hasBinaryContent(f.bytes());
    }
    // The generator states codes and statuses without imgd-core: they must be imgd's.
    for (Expectation x : Expectation.values()) {
      assertThat(x.httpStatus())
          .as(x.name())
          .isEqualTo(x.engineError().map(code -> errorCode(code).httpStatus()).orElse(200));
      x.probeError().ifPresent(HostileFilesTest::errorCode);
    }
  }

  // FM-01: the point of a flood file is that it is tiny.
  @Test
  void floodFilesAreSmall() {
    assertThat(bytes("jpeg-progressive-65500x65500")).hasSizeLessThan(1024);
    assertThat(bytes("gif-frame-65535x65535-on-10x10")).hasSizeLessThan(64);
    assertThat(bytes("png-ihdr-50000x50000")).hasSizeLessThan(1024);
    assertThat(bytes("jpeg-scan-flood-20000")).hasSizeLessThan(256 * 1024);
    // Decompression bombs: 49 MP from a few bytes of VP8L or 50 KB of zlib.
    assertThat(bytes("webp-vp8l-bomb-7000x7000")).hasSizeLessThan(64);
    assertThat(bytes("png-idat-bomb-7000x7000")).hasSizeLessThan(100 * 1024);
    assertThat(bytes("pdf-flate-bomb-4m-page-fills")).hasSizeLessThan(256 * 1024);
    assertThat(bytes("svg-use-2-to-the-30")).hasSizeLessThan(4096);
  }

  // FM-17: GPS is reported so the pipeline can strip it; the EXIF loop still gives IFD0's data.
  @Test
  void metadataFilesAreReadNotJustSurvived() {
    assertThat(Probe.read(bytes("jpeg-exif-gps")).hasGps()).isTrue();
    ProbeResult loop = Probe.read(bytes("jpeg-exif-ifd-loop"));
    assertThat(loop.orientation()).isEqualTo(6);
    assertThat(loop.hasGps()).isFalse();
    ProbeResult cycle = Probe.read(bytes("jpeg-exif-ifd-cycle-of-two"));
    assertThat(cycle.orientation()).isEqualTo(3);
    assertThat(cycle.hasGps()).isTrue(); // IFD1's GPS pointer leads back to IFD0
  }

  // FM-01: the messages name the limit and the values.
  @Test
  void limitMessagesNameTheValues() {
    assertThat(message("gif-frame-65535x65535-on-10x10"))
        .isEqualTo("frame 1 is 65535x65535 (4294836225 px), over the 50000000 px limit");
    assertThat(message("gif-300-frames")).isEqualTo("GIF has 300 frames, over the 256 frame limit");
    assertThat(message("jpeg-progressive-6000x6000"))
        .isEqualTo(
            "progressive JPEG is 6000x6000 (36000000 px), over the 30000000 px progressive limit");
    assertThat(message("jpeg-scan-flood-20000"))
        .isEqualTo("JPEG has 20010 scans, over the 100 scan limit"); // and the 10 real ones
    assertThat(message("jpeg-icc-6mb")).startsWith("ICC profile is 6291456 bytes");
    assertThat(message("gzip")).isEqualTo("gzip data is not an accepted image format");
  }

  private static String message(String name) {
    return catchThrowableOfType(
            ImgdException.class, () -> Probe.check(bytes(name), Limits.DEFAULTS))
        .getMessage();
  }

  static ErrorCode errorCode(String code) {
    return Arrays.stream(ErrorCode.values())
        .filter(c -> c.code().equals(code))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no ErrorCode " + code));
  }

  private static byte[] bytes(String name) {
    return FILES.stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow().bytes();
  }
}
