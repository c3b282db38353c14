package dev.imgd.core.pipeline;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImageFormat;
import dev.imgd.core.ImgdException;
import dev.imgd.testkit.Fixtures;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** FM-11: a result that is empty, of the wrong format or size, or cut short never goes out. */
class VerifierTest {
  private static void assertInvalid(byte[] bytes, ImageFormat f, int w, int h) {
    assertThatThrownBy(() -> Verifier.verify(bytes, f, w, h, 1))
        .isInstanceOfSatisfying(
            ImgdException.class,
            e ->
                org.assertj.core.api.Assertions.assertThat(e.code())
                    .isEqualTo(ErrorCode.OUTPUT_INVALID));
  }

  @Test
  void refusesEmptyWrongFormatWrongSizeAndGarbage_FM11() {
    byte[] jpeg = Fixtures.bytes("Landscape_1.jpg");
    assertThatCode(() -> Verifier.verify(jpeg, ImageFormat.JPEG, 600, 450, 1))
        .doesNotThrowAnyException();
    assertInvalid(new byte[0], ImageFormat.JPEG, 600, 450);
    assertInvalid(jpeg, ImageFormat.PNG, 600, 450);
    assertInvalid(jpeg, ImageFormat.JPEG, 601, 450);
    assertInvalid(Arrays.copyOf(jpeg, 3), ImageFormat.JPEG, 600, 450);
    assertInvalid("<html>error</html>".getBytes(), ImageFormat.JPEG, 600, 450);
  }
}
