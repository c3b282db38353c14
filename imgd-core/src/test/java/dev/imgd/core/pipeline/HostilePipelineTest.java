package dev.imgd.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImgdException;
import dev.imgd.core.hostile.HostileFile;
import dev.imgd.core.hostile.HostileFiles;
import dev.imgd.core.probe.Probe;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every generated attack file through the whole engine (FM-01 pixel floods of each format, FM-02
 * oversize, FM-11 truncations, FM-17 metadata bombs and GPS): the expected typed error, raised
 * before decode where the header tells, or a clean result that carries no GPS.
 */
@Tag("smoke")
class HostilePipelineTest {
  static Stream<HostileFile> files() {
    return HostileFiles.all().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("files")
  void givesTheExpectedOutcome(HostileFile file) {
    // A hang guard only: floods must be refused in milliseconds, long before this.
    Assertions.assertTimeoutPreemptively(
        Duration.ofSeconds(20), () -> check(file), () -> file.name() + " " + file.failureMode());
  }

  private static void check(HostileFile file) {
    switch (file.expected()) {
      case CLEAN -> {
        var result = Engines.engine().process(file.bytes(), "w:64/f:jpg");
        assertThat(result.bytes()).isNotEmpty();
        assertThat(Probe.read(result.bytes()).hasGps()).as("GPS never survives (FM-17)").isFalse();
      }
      case DECODER_MUST_REJECT ->
          assertThatThrownBy(() -> Engines.engine().process(file.bytes(), "w:64/f:png"))
              .isInstanceOfSatisfying(
                  ImgdException.class,
                  e -> assertThat(e.code()).isEqualTo(ErrorCode.CORRUPT_IMAGE)); // FM-11
      default ->
          assertThatThrownBy(() -> Engines.engine().process(file.bytes(), "w:64/f:png"))
              .isInstanceOfSatisfying(
                  ImgdException.class,
                  e -> assertThat(e.code()).isEqualTo(file.expected().probeError().orElseThrow()));
    }
  }
}
