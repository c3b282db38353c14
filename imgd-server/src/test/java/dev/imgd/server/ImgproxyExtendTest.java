package dev.imgd.server;

import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * imgproxy's processing/extend_test.go on geometry.png (200x100), over HTTP in both modes. Its URL
 * builder leaves an unset x offset empty ({@code ex:1:no::5}), so these cases also prove that an
 * empty argument keeps its default.
 */
class ImgproxyExtendTest {
  @RegisterExtension static final ImgproxyServers servers = new ImgproxyServers();

  static Stream<Arguments> cases() {
    return Stream.of(
        // TestExtend: w:500/h:500, the 200x100 image embedded
        Arguments.of("w:500/h:500/ex:1:ce", 500, 500),
        Arguments.of("w:500/h:500/ex:1:no", 500, 500),
        Arguments.of("w:500/h:500/ex:1:so", 500, 500),
        Arguments.of("w:500/h:500/ex:1:ea", 500, 500),
        Arguments.of("w:500/h:500/ex:1:we", 500, 500),
        Arguments.of("w:500/h:500/ex:1:noea", 500, 500),
        Arguments.of("w:500/h:500/ex:1:soea", 500, 500),
        Arguments.of("w:500/h:500/ex:1:sowe", 500, 500),
        Arguments.of("w:500/h:500/ex:1:nowe", 500, 500),
        Arguments.of("w:500/h:500/ex:1:no::5", 500, 500),
        Arguments.of("w:500/h:500/ex:1:no::5/dpr:0.5", 250, 250),
        Arguments.of("w:500/h:500/ex:1:no::5/dpr:2", 500, 500),
        Arguments.of("w:500/h:500/ex:1:ea:5", 500, 500),
        Arguments.of("w:500/h:500/ex:1:ea:5/dpr:0.5", 250, 250),
        Arguments.of("w:500/h:500/ex:1:ea:5/dpr:2", 500, 500),
        Arguments.of("w:500/h:500/ex:1:no::0.1", 500, 500),
        Arguments.of("w:500/h:500/ex:1:no::0.1/dpr:0.5", 250, 250),
        Arguments.of("w:500/h:500/ex:1:no::0.1/dpr:2", 500, 500),
        // TestExtendAspectRatio: w:300/h:600, the image extended to 1:2
        Arguments.of("w:300/h:600/exar:1:ce", 200, 400),
        Arguments.of("w:300/h:600/exar:1:no", 200, 400),
        Arguments.of("w:300/h:600/exar:1:so", 200, 400),
        Arguments.of("w:300/h:600/exar:1:ea", 200, 400),
        Arguments.of("w:300/h:600/exar:1:we", 200, 400),
        Arguments.of("w:300/h:600/exar:1:noea", 200, 400),
        Arguments.of("w:300/h:600/exar:1:soea", 200, 400),
        Arguments.of("w:300/h:600/exar:1:sowe", 200, 400),
        Arguments.of("w:300/h:600/exar:1:nowe", 200, 400),
        Arguments.of("w:300/h:600/exar:1:no::5", 200, 400),
        Arguments.of("w:300/h:600/exar:1:no::5/dpr:0.5", 150, 300),
        Arguments.of("w:300/h:600/exar:1:no::5/dpr:2", 200, 400),
        Arguments.of("w:300/h:600/exar:1:ea:5", 200, 400),
        Arguments.of("w:300/h:600/exar:1:ea:5/dpr:0.5", 150, 300),
        Arguments.of("w:300/h:600/exar:1:ea:5/dpr:2", 200, 400),
        Arguments.of("w:300/h:600/exar:1:no::0.1", 200, 400),
        Arguments.of("w:300/h:600/exar:1:no::0.1/dpr:0.5", 150, 300),
        Arguments.of("w:300/h:600/exar:1:no::0.1/dpr:2", 200, 400));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void extend(String options, int width, int height) throws Exception {
    servers.assertSize(options, "geometry.png", width, height);
  }
}
