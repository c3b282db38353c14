package dev.imgd.server;

import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * imgproxy's processing/padding_test.go (TestPadding on geometry.png, 200x100), over HTTP in both
 * modes: padding is scaled by dpr with the image (enlarge:1 lets dpr 2 enlarge, as imgproxy's).
 */
class ImgproxyPaddingTest {
  @RegisterExtension static final ImgproxyServers servers = new ImgproxyServers();

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("dpr:0.500000/padding:20:30:40:10/background:f00/enlarge:1", 120, 80),
        Arguments.of("dpr:1.000000/padding:20:30:40:10/background:f00/enlarge:1", 240, 160),
        Arguments.of("dpr:2.000000/padding:20:30:40:10/background:f00/enlarge:1", 480, 320));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void padding(String options, int width, int height) throws Exception {
    servers.assertSize(options, "geometry.png", width, height);
  }
}
