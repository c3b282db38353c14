package dev.imgd.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * imgproxy's processing/crop_test.go (TestCrop on geometry.png, 200x100), its smart gravity, its
 * empty positional arguments and min-width/min-height, over HTTP in both modes.
 */
class ImgproxyCropTest {
  @RegisterExtension static final ImgproxyServers servers = new ImgproxyServers();

  static Stream<Arguments> crops() {
    return Stream.of(
        // TestCrop
        Arguments.of("c:50:50:ce", 50, 50),
        Arguments.of("c:50:50:no", 50, 50),
        Arguments.of("c:50:50:so", 50, 50),
        Arguments.of("c:50:50:ea", 50, 50),
        Arguments.of("c:50:50:we", 50, 50),
        Arguments.of("c:50:50:noea", 50, 50),
        Arguments.of("c:50:50:nowe", 50, 50),
        Arguments.of("c:50:50:soea", 50, 50),
        Arguments.of("c:50:50:sowe", 50, 50),
        Arguments.of("c:50:50:ce:10", 50, 50),
        Arguments.of("c:50:50:ce:0:10", 50, 50),
        Arguments.of("c:50:50:ce:10:10", 50, 50),
        Arguments.of("c:50:50:ce:0.1", 50, 50),
        Arguments.of("c:50:50:ce:0:0.1", 50, 50),
        Arguments.of("c:50:50:ce:0.1:0.1", 50, 50),
        Arguments.of("c:50:50:ce:10:10/dpr:0.5", 25, 25),
        // smart gravity: in the crop, as the crop's default, and for the resize's crop
        Arguments.of("c:50:50:sm", 50, 50),
        Arguments.of("c:50:50/g:sm", 50, 50),
        Arguments.of("rs:fill:50:50/g:sm", 50, 50),
        Arguments.of("c:150:80:sm/rs:fill:40:40/g:sm", 40, 40),
        Arguments.of("c:50:50:sm/rot:90", 50, 50),
        // min-width and min-height, as imgproxy's calcScale: they scale up keeping the aspect
        // ratio, then the result is cropped to a width or height that was asked for (imgproxy's
        // cropToResult; its docs warn of this crop)
        Arguments.of("mw:150", 200, 100),
        Arguments.of("mw:300/el:1", 300, 150),
        Arguments.of("mh:150/el:1", 300, 150),
        Arguments.of("h:50/mw:150", 150, 50),
        Arguments.of("rs:fit:100:100/mw:150", 100, 75),
        Arguments.of("w:50/mh:75", 50, 75));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("crops")
  void crop(String options, int width, int height) throws Exception {
    servers.assertSize(options, "geometry.png", width, height);
  }

  /** TestCropGravityPriority: the crop's own gravity wins over g, which is its default. */
  @Test
  void cropGravityPriority() throws Exception {
    byte[] byG = body("c:50:50/g:no");
    assertThat(body("c:50:50:no")).isEqualTo(byG);
    assertThat(body("c:50:50:no/g:so")).isEqualTo(byG);
  }

  /** An empty positional argument keeps its default, as imgproxy's parser. */
  @ParameterizedTest(name = "{0} = {1}")
  @MethodSource("emptyArguments")
  void emptyArgumentKeepsTheDefault(String withEmpty, String explicit) throws Exception {
    assertThat(body(withEmpty)).isEqualTo(body(explicit));
  }

  static Stream<Arguments> emptyArguments() {
    return Stream.of(
        Arguments.of("rs:fill:100:100/g:no::5", "rs:fill:100:100/g:no:0:5"),
        Arguments.of("rs:fill:100:100/g:ea:10:", "rs:fill:100:100/g:ea:10:0"),
        Arguments.of("c:50:50:no::5", "c:50:50:no:0:5"),
        Arguments.of("rs:fit:300:300/ex:1:no::5", "rs:fit:300:300/ex:1:no:0:5"),
        Arguments.of("rs:fit:100:100/exar:1:no::5", "rs:fit:100:100/exar:1:no:0:5"),
        Arguments.of("trim::ff0000", "trim:10:ff0000"));
  }

  private static byte[] body(String options) throws Exception {
    return ImgproxyServers.get(Objects.requireNonNull(servers.isolated), options, "geometry.png");
  }
}
