package dev.imgd.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImgdException;
import dev.imgd.core.hostile.Truncations;
import dev.imgd.core.probe.Probe;
import dev.imgd.testkit.Fixtures;
import dev.imgd.testkit.hostile.HostileFile;
import dev.imgd.testkit.hostile.HostileFile.Expectation;
import dev.imgd.testkit.hostile.HostileFiles;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every generated attack file through the whole engine, named with its failure mode: FM-01 pixel
 * floods of each format and decompression bombs, FM-02 a source over the size cap, FM-11
 * truncations (generated files, and each shared test image cut at many offsets), FM-17 metadata
 * bombs and loops, FM-20 untrusted formats, polyglots, SVG and PDF bombs, FM-22 SVG external
 * references. Each gives the expected typed error, raised before decode where the header tells, or
 * a clean result that carries no GPS and none of a polyglot's payload. SVG, PDF and TIFF must be
 * refused in process (only isolated workers may decode them).
 */
@Tag("smoke")
class HostilePipelineTest {
  /**
   * Files whose expectation imgd does not meet yet, with the reason. Each is checked to still fail
   * its expectation, so that fixing one fails this test until it is removed from here.
   */
  /** Files imgd still gets wrong, with why; empty since JPEG decodes with fail_on=warning. */
  private static final Map<String, String> KNOWN_GAPS = Map.of();

  private static final String[] PAYLOADS = {"<script", "alert(", "%PDF", "PK\u0003\u0004"};
  private static final int TRUNCATIONS_PER_IMAGE = 12;

  static Stream<Arguments> files() {
    return HostileFiles.all().stream().map(f -> Arguments.of(f.failureMode(), f));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("files")
  void givesTheExpectedOutcome(String failureMode, HostileFile file) {
    // A hang guard only: floods must be refused in milliseconds, long before this.
    Assertions.assertTimeoutPreemptively(
        Duration.ofSeconds(20), () -> check(file), () -> file.name() + " " + failureMode);
  }

  /**
   * FM-11: each intact shared image cut at many offsets. Every cut is refused with a typed error,
   * or, where the decoder had every byte it reads (a cut end marker or trailer, later frames of an
   * animation that a still output does not load), gives the very image of the whole file: never a
   * grey-filled or partial one.
   */
  static Stream<Arguments> truncatedSharedImages() {
    return Stream.of(
            "2569067123_aca715a2ee_o.jpg",
            "Channel_digital_image_CMYK_color.jpg",
            "Landscape_1.jpg",
            "Landscape_6.jpg",
            "16-bit-grey-alpha.png",
            "Flag_of_the_Netherlands-alpha.png",
            "alpha-premultiply-2048x1536-paper.png",
            "p3.png",
            "prophoto.png",
            "with-alpha.png",
            "animated-loop-3.gif",
            "4.webp",
            "animated-loop-3.webp",
            "rotating-squares.webp",
            "sdr_cosmos12920_cicp1-13-6_yuv444_full_qp10.avif")
        .flatMap(name ->
            Truncations.of(name, Fixtures.bytes(name), TRUNCATIONS_PER_IMAGE).stream()
                .map(f -> Arguments.of(f.failureMode(), f, name)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("truncatedSharedImages")
  void truncatedSharedImageIsRefusedOrIntact(String failureMode, HostileFile file, String image) {
    assertThat(file.expected()).isNotEqualTo(Expectation.CLEAN);
    if (file.expected() != Expectation.TRUNCATED) {
      givesTheExpectedOutcome(failureMode, file);
      return;
    }
    String options = "w:64/f:png";
    ImgdException e = null;
    byte[] cut = null;
    try {
      cut = Engines.engine().process(file.bytes(), options).bytes();
    } catch (ImgdException refused) {
      e = refused;
    }
    if (e != null) {
      assertThat(e.code()).as(e.getMessage()).isEqualTo(ErrorCode.CORRUPT_IMAGE);
    } else {
      byte[] whole = Engines.engine().process(Fixtures.bytes(image), options).bytes();
      assertThat(cut)
          .as("%s was processed: it must be the whole file's image", file)
          .isEqualTo(whole);
    }
  }

  private static void check(HostileFile file) {
    String gap = KNOWN_GAPS.get(file.name());
    if (gap != null) {
      // Still processed: when this fails, the gap is fixed; remove it from KNOWN_GAPS.
      assertThat(Engines.engine().process(file.bytes(), "w:64/f:png").bytes())
          .as("known gap, now fixed? " + gap)
          .isNotEmpty();
      return;
    }
    if (file.expected().engineError().isEmpty()) {
      var result = Engines.engine().process(file.bytes(), "w:64/f:jpg");
      assertThat(result.bytes()).isNotEmpty();
      assertThat(Probe.read(result.bytes()).hasGps()).as("GPS never survives (FM-17)").isFalse();
      String text = new String(result.bytes(), StandardCharsets.ISO_8859_1);
      assertThat(text).as("a polyglot's payload never survives (FM-20)").doesNotContain(PAYLOADS);
      return;
    }
    String expected = file.expected().engineError().orElseThrow();
    ImgdException e =
        catchThrowableOfType(
            ImgdException.class, () -> Engines.engine().process(file.bytes(), "w:64/f:png"));
    assertThat(e).as("%s must be refused with %s", file.name(), expected).isNotNull();
    assertThat(e.code().code()).as(e.getMessage()).isEqualTo(expected);
    if (file.expected().isolated()) {
      assertThat(e.getMessage()).contains("not accepted by this engine");
    }
  }
}
