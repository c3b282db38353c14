package dev.imgd.core.probe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgd.core.ImgdException;
import dev.imgd.core.Limits;
import dev.imgd.testkit.Fixtures;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * FM-11: every prefix of the header region of real files (every byte of the first 2 KB, then a
 * stride through the rest) gives a result or an ImgdException, never any other exception. Runs the
 * probe without its safety net, so a reader bug fails here instead of becoming CORRUPT_IMAGE.
 */
class ProbeTruncationTest {
  private static final int HEADER_REGION = 2048;
  private static final int STRIDES = 400;

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "2569067123_aca715a2ee_o.jpg",
        "Channel_digital_image_CMYK_color.jpg",
        "Landscape_6.jpg",
        "corrupt-header.jpg",
        "16-bit-grey-alpha.png",
        "Flag_of_the_Netherlands-alpha.png",
        "p3.png",
        "animated-loop-3.gif",
        "4.webp",
        "animated-loop-3.webp",
        "rotating-squares.webp",
        "sdr_cosmos12920_cicp1-13-6_yuv444_full_qp10.avif",
      })
  void everyPrefixProbesOrFailsCleanly(String file) {
    byte[] data = Fixtures.bytes(file);
    int results = 0;
    for (int length = 0; length <= data.length; length += step(length, data.length)) {
      if (probe(Arrays.copyOf(data, length))) {
        results++;
      }
    }
    boolean corrupt = file.startsWith("corrupt");
    assertThat(probe(data)).isEqualTo(!corrupt);
    assertThat(results > 0).as("some prefixes probe").isEqualTo(!corrupt);
  }

  private static int step(int length, int total) {
    return length < HEADER_REGION ? 1 : Math.max(1, (total - HEADER_REGION) / STRIDES);
  }

  /**
   * True if the prefix probes, false if it fails with ImgdException; anything else fails the test.
   */
  private static boolean probe(byte[] prefix) {
    try {
      ProbeResult p = Probe.unguarded(prefix, null);
      assertThat(p.width()).isPositive();
      assertThat(p.height()).isPositive();
      Probe.unguarded(prefix, Limits.DEFAULTS);
      return true;
    } catch (ImgdException e) {
      return false;
    }
  }
}
