package dev.imgd.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code IMGPROXY_USE_LINEAR_COLORSPACE} over HTTP on an isolated and an in-process server: the
 * resize runs in linear light (scRGB) and the result comes back in the image's own space and depth.
 * The cases of imgproxy's processing/colorspace_test.go TestLinearColorspace check the size and the
 * interpretation (its images are generated here, so its reference hashes do not apply; it turns
 * preserve_hdr on for the suite, the cases here ask for {@code ph:1}), and the effect is shown on
 * the finest detail there is.
 */
class ImgproxyLinearColorspaceTest {
  @RegisterExtension
  static final ImgproxyServers SERVERS =
      new ImgproxyServers(Map.of("IMGPROXY_USE_LINEAR_COLORSPACE", "true"));

  @BeforeAll
  static void images() throws Exception {
    var root = Objects.requireNonNull(ServerTest.root);
    ImgproxyColorspaceTest.writeImages(root);
    Pixels.write(root, "stripes.png", Pixels.stripes(64, 64));
  }

  static Stream<Arguments> linearColorspace() {
    return Stream.of(
        Arguments.of("16-bpp.png", "png", "rgb16"),
        Arguments.of("16-bpp.png", "jpg", "srgb"),
        Arguments.of("8-bpp.png", "jpg", "srgb"),
        Arguments.of("8-bpp.png", "png", "srgb"));
  }

  /** TestLinearColorspace: the depth and space are the image's, as without the setting. */
  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("linearColorspace")
  void linearColorspace(String image, String format, String interpretation) throws Exception {
    for (ImgdServer s : SERVERS.both()) {
      ImgproxyColorspaceTest.assertResult(
          s, ImgproxyColorspaceTest.OPTIONS + format + "/ph:1", image, interpretation);
    }
  }

  /**
   * Black and white columns halved: averaged as coded values they give mid-grey 128, as light they
   * give half the light, which sRGB codes as 188.
   */
  @Test
  void fineDetailKeepsItsBrightnessInLinearLight() throws Exception {
    String options = "rs:force:32:32/f:png";
    for (ImgdServer s : SERVERS.both()) {
      int[] linear = Pixels.at(ImgproxyServers.get(s, options, "stripes.png"), 16, 16);
      assertThat(linear[0]).isCloseTo(188, within(3));
      assertThat(linear[1]).isEqualTo(linear[0]);
    }
    try (ImgdServer plain = ServerTest.start(Map.of())) {
      int[] coded = Pixels.at(ImgproxyServers.get(plain, options, "stripes.png"), 16, 16);
      assertThat(coded[0]).isCloseTo(128, within(3));
    }
  }
}
