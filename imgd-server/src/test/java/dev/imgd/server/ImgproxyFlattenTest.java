package dev.imgd.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.imgd.testkit.Fixtures;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * imgproxy's processing/flatten_test.go over HTTP on both servers: fill 300x300, padding 100, a
 * background or none; the size, the interpretation (a grey image stays grey under a grey background
 * and becomes RGB under a coloured one; 16-bit stays 16-bit with preserve_hdr, which imgproxy's
 * suite turns on by its setting and imgd by {@code ph:1}), and the padding's colour.
 *
 * <p>imgproxy's 32-bit BMP with alpha is replaced by imgd's with-alpha.png (BMP input is not read
 * yet); its other images are generated (see {@link ImgproxyColorspaceTest}).
 */
class ImgproxyFlattenTest {
  @RegisterExtension static final ImgproxyServers servers = new ImgproxyServers();

  static final String OPTIONS = "resize:fill:300:300/enlarge:1/padding:100/ph:1/format:";

  @BeforeAll
  static void images() throws Exception {
    var root = Objects.requireNonNull(ServerTest.root);
    Pixels.write(root, "with-alpha.png", Fixtures.bytes("with-alpha.png"));
    Pixels.write(root, "8-bpp.png", Pixels.solid(40, 90, 160));
    Pixels.write(
        root,
        "16-bpp.png",
        Pixels.ramp(
            20, 20, "ushort", new double[] {1000, 2000, 3000}, new double[] {60000, 50000, 40000}));
    Pixels.write(root, "8-bpp-grayscale.png", Pixels.solid(90));
    Pixels.write(
        root,
        "16-bpp-grayscale.png",
        Pixels.ramp(20, 20, "ushort", new double[] {500}, new double[] {64000}));
  }

  static Stream<Arguments> cases() {
    String red = "/bg:255:0:0";
    String gray = "/bg:127:127:127";
    return Stream.of(
        // image, format + background, interpretation, the padding's pixel (null: transparent)
        Arguments.of("with-alpha.png", "jpg" + red, "srgb", new int[] {255, 0, 0}),
        Arguments.of("with-alpha.png", "png" + red, "srgb", new int[] {255, 0, 0}),
        Arguments.of("with-alpha.png", "jpg", "srgb", new int[] {255, 255, 255}),
        Arguments.of("with-alpha.png", "png", "srgb", null),
        Arguments.of(
            "16-bpp.png", "png" + gray, "rgb16", new int[] {127 * 257, 127 * 257, 127 * 257}),
        Arguments.of("16-bpp.png", "png" + red, "rgb16", new int[] {65535, 0, 0}),
        Arguments.of("8-bpp-grayscale.png", "png" + gray, "b-w", new int[] {127}),
        Arguments.of("8-bpp-grayscale.png", "png" + red, "srgb", new int[] {255, 0, 0}),
        Arguments.of("16-bpp-grayscale.png", "png" + gray, "grey16", new int[] {127 * 257}),
        Arguments.of("16-bpp-grayscale.png", "png" + red, "rgb16", new int[] {65535, 0, 0}),
        Arguments.of("8-bpp.png", "png" + gray, "srgb", new int[] {127, 127, 127}),
        Arguments.of("8-bpp.png", "png" + red, "srgb", new int[] {255, 0, 0}));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void background(String image, String format, String interpretation, int @Nullable [] padding)
      throws Exception {
    for (ImgdServer s :
        List.of(
            Objects.requireNonNull(servers.isolated), Objects.requireNonNull(servers.inProcess))) {
      byte[] out = ImgproxyServers.get(s, OPTIONS + format, image);
      Pixels.Decoded d = Pixels.decode(out);
      assertThat(d.width() + "x" + d.height()).isEqualTo("500x500");
      assertThat(d.interpretation()).as("%s %s", image, format).isEqualTo(interpretation);
      int[] corner = Pixels.at(out, 5, 5);
      if (padding == null) {
        assertThat(corner[corner.length - 1]).as("alpha").isZero();
      } else if (format.startsWith("jpg")) {
        for (int i = 0; i < padding.length; i++) {
          assertThat(corner[i])
              .as("%s %s band %d", image, format, i)
              .isCloseTo(padding[i], within(3));
        }
      } else {
        assertThat(corner).as("%s %s", image, format).containsExactly(padding);
      }
    }
  }
}
