package dev.imgd.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgd.testkit.Fixtures;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 17, item 4: trim on an image narrower or lower than 3 pixels was a 500 ("find_trim: rank:
 * window too large", found by the hostile corpus over HTTP: a 1x1 test image with t:10). find_trim
 * smooths with a 3x3 median first; no border can be told from so small an image: it is kept.
 */
class TrimTinyImageTest {
  @ParameterizedTest(name = "{0}x{1}")
  @CsvSource({"1, 1", "2, 9", "9, 2"})
  void trimOnAnImageSmallerThanFindTrimsMedianWindowKeepsTheImage(int width, int height) {
    byte[] tiny =
        Engines.engine()
            .process(
                Fixtures.bytes("Landscape_1.jpg"), "rs:force:%d:%d/f:png".formatted(width, height))
            .bytes();
    var r = Engines.engine().process(tiny, "t:10/f:png");
    assertThat(r.width() + "x" + r.height()).isEqualTo(width + "x" + height);
  }
}
