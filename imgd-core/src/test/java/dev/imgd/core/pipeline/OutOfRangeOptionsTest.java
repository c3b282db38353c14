package dev.imgd.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImgdException;
import dev.imgd.testkit.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 15 (low): option values the parser took but libvips refused, which failed as the engine's
 * 500 naming IllegalArgumentException. Each is now a typed error before decoding, or the very image
 * a value within range gives.
 */
class OutOfRangeOptionsTest {
  private static final byte[] JPEG = Fixtures.bytes("Landscape_1.jpg"); // 600x450

  @ParameterizedTest
  @CsvSource({
    "rs:force:500:500/sh:100, BAD_OPTIONS",
    "sh:0.0000001, BAD_OPTIONS",
    "bl:1000.5, BAD_OPTIONS",
    // The padded size wrapped to a negative int, which passed the result limit.
    "pd:2147483647, LIMIT_EXCEEDED",
    "pd:0:1073741824, LIMIT_EXCEEDED",
    "pd:1073741824, LIMIT_EXCEEDED",
  })
  void outOfRangeValueIsATypedError(String options, ErrorCode expected) {
    assertThatThrownBy(() -> Engines.engine().process(JPEG, options))
        .isInstanceOfSatisfying(ImgdException.class, e -> assertThat(e.code()).isEqualTo(expected))
        .message()
        .doesNotContain("Exception", "x-");
  }

  @Test
  void watermarkSpacingWiderThanTheImageLeavesOneTile() {
    byte[] widest = Engines.engine().process(JPEG, "wm:1:re:600:450/f:png").bytes();
    assertThat(Engines.engine().process(JPEG, "wm:1:re:2147483647:2147483647/f:png").bytes())
        .isEqualTo(widest);
    assertThat(Engines.engine().process(JPEG, "wm:1:re:1e9:1e9/f:png").bytes()).isEqualTo(widest);
  }
}
