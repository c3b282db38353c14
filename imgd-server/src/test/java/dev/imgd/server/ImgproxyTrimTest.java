package dev.imgd.server;

import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * imgproxy's processing/trim_test.go, case by case, over HTTP: in the default isolated mode, where
 * the server checks the worker's output against the plan, and in process. Trim finds its box in the
 * pixels, so the output size is decided in the run, within the bounds the plan sets (see
 * docs/architecture.md, "Inside the engine").
 */
class ImgproxyTrimTest {
  @RegisterExtension static final ImgproxyServers servers = new ImgproxyServers();

  static Stream<Arguments> cases() {
    return Stream.of(
        // TestThreshold (trim1.png, 350x250)
        Arguments.of("trim1", "trim:5", 320, 220),
        Arguments.of("trim1", "trim:100", 290, 190),
        Arguments.of("trim1", "trim:150", 260, 160),
        Arguments.of("trim1", "trim:200", 230, 130),
        Arguments.of("trim1", "trim:220", 200, 100),
        Arguments.of("trim1", "trim:0:ff0000", 350, 250),
        Arguments.of("trim1", "trim:5::1", 330, 220),
        Arguments.of("trim1", "trim:5:::1", 320, 230),
        Arguments.of("trim1", "trim:5::1:1", 330, 230),
        // TestColor (trim2.png, 200x200)
        Arguments.of("trim2", "trim:1", 200, 170),
        Arguments.of("trim2", "trim:1:ff0000", 200, 170),
        Arguments.of("trim2", "trim:1:0000ff", 200, 130),
        Arguments.of("trim2", "trim:1:ffffff", 200, 200),
        // TestAlpha (trim3.png: the transparent border is flattened onto magenta, as imgproxy)
        Arguments.of("trim3", "trim:1:ff00ff", 200, 130));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void trim(String image, String options, int width, int height) throws Exception {
    servers.assertSize(options, image + ".png", width, height);
  }

  /**
   * After the trim, the geometry works on the trimmed size: here a resize, a crop and a rotation.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("afterTrim")
  void geometryAppliesToTheTrimmedImage(String options, int width, int height) throws Exception {
    servers.assertSize(options, "trim1.png", width, height);
  }

  static Stream<Arguments> afterTrim() {
    return Stream.of(
        Arguments.of("trim:220/rs:fit:100:100", 100, 50),
        Arguments.of("trim:220/w:50", 50, 25),
        Arguments.of("trim:220/c:50:40", 50, 40),
        Arguments.of("trim:220/rot:90", 100, 200),
        Arguments.of("trim:220/rs:fill:60:60/ex:1/pd:5", 70, 70),
        Arguments.of("trim:220/f:webp", 200, 100));
  }
}
