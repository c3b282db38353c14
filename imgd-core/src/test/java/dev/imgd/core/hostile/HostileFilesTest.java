package dev.imgd.core.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.imgd.core.ImgdException;
import dev.imgd.core.Limits;
import dev.imgd.core.probe.Probe;
import dev.imgd.core.probe.ProbeResult;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every hostile file gets its expected outcome from the probe, quickly. Covers FM-01 (pixel, frame
 * and scan floods), FM-11 (truncation, corrupt headers) and FM-17 (EXIF loops, ICC/XMP bombs, GPS);
 * the list with each file's failure mode is in {@link HostileFiles}.
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
            assertThat(e.code()).isEqualTo(file.expected().probeError().get());
          } else {
            assertThat(e).as("probe error").isNull();
          }
        });
  }

  @Test
  void namesAreUniqueAndEveryFailureModeIsCovered() {
    assertThat(FILES.stream().map(HostileFile::name).allMatch(new HashSet<>()::add)).isTrue();
    assertThat(FILES.stream().map(HostileFile::failureMode).distinct())
        .contains("FM-01", "FM-11", "FM-17");
  }

  @Test
  void generationIsDeterministic() {
    List<HostileFile> again = HostileFiles.all();
    for (int i = 0; i < FILES.size(); i++) {
      assertThat(again.get(i).bytes()).as(FILES.get(i).name()).isEqualTo(FILES.get(i).bytes());
    }
  }

  // FM-01: the point of a flood file is that it is tiny.
  @Test
  void floodFilesAreSmall() {
    assertThat(bytes("jpeg-progressive-65500x65500")).hasSizeLessThan(1024);
    assertThat(bytes("gif-frame-65535x65535-on-10x10")).hasSizeLessThan(64);
    assertThat(bytes("png-ihdr-50000x50000")).hasSizeLessThan(1024);
    assertThat(bytes("jpeg-scan-flood-20000")).hasSizeLessThan(256 * 1024);
  }

  // FM-17: GPS is reported so the pipeline can strip it; the EXIF loop still gives IFD0's data.
  @Test
  void metadataFilesAreReadNotJustSurvived() {
    assertThat(Probe.read(bytes("jpeg-exif-gps")).hasGps()).isTrue();
    ProbeResult loop = Probe.read(bytes("jpeg-exif-ifd-loop"));
    assertThat(loop.orientation()).isEqualTo(6);
    assertThat(loop.hasGps()).isFalse();
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

  private static byte[] bytes(String name) {
    return FILES.stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow().bytes();
  }
}
