package dev.imgd.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.Imgd;
import dev.imgd.core.ImgdException;
import dev.imgd.testkit.Fixtures;
import dev.imgd.vips.VipsImage;
import dev.imgd.vips.VipsOperation;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 17, FM-11: a truncated interlaced (Adam7) PNG was answered 500 engine_failed
 * "jpegsave_buffer: unknown libvips error". libpng reads an interlaced image whole and gives up on
 * the missing bytes without a message, so the failure surfaced in the encoder that pulled the
 * pixels, with no reason. The input is at fault: 422 corrupt_image, strict or lenient.
 */
class TruncatedInterlacedPngTest {
  @ParameterizedTest(name = "cut at {0}% to {1}, lenient {2}")
  @CsvSource({
    "30, jpg, false",
    "50, jpg, false",
    "70, webp, false",
    "90, png, false",
    "50, jpg, true"
  })
  void truncatedInterlacedPngIsCorruptImageNotEngineFailed(
      int percent, String format, boolean lenient) {
    byte[] png;
    try (VipsImage photo = Engines.decode(Fixtures.bytes("Landscape_1.jpg"))) {
      png = VipsOperation.of("pngsave_buffer").in(photo).set("interlace", true).bytes();
    }
    byte[] cut = Arrays.copyOf(png, png.length * percent / 100);
    ImgdException e;
    if (lenient) {
      try (Imgd imgd = Imgd.builder().threads(1).lenient(true).build()) {
        e = catchThrowableOfType(ImgdException.class, () -> imgd.process(cut, "rs:fit:300:0"));
      }
    } else {
      e =
          catchThrowableOfType(
              ImgdException.class, () -> Engines.engine().process(cut, "rs:fit:300:0/f:" + format));
    }
    assertThat(e).as("a refusal").isNotNull();
    assertThat(e.code()).as(e.getMessage()).isEqualTo(ErrorCode.CORRUPT_IMAGE);
  }
}
