package dev.imgd.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * imgproxy's processing/apply_filters_test.go over HTTP on both servers: blur 10, sharpen 10,
 * pixelate 10 and all three on a 400x400 PNG keep its size and change its pixels. imgproxy's
 * png.png is replaced by a generated image (its hashes do not apply); pixelate's blocks are
 * checked: a 10x10 block is one colour.
 */
class ImgproxyApplyFiltersTest {
  @RegisterExtension static final ImgproxyServers servers = new ImgproxyServers();

  @BeforeAll
  static void images() throws Exception {
    Pixels.write(Objects.requireNonNull(ServerTest.root), "png.png", Pixels.detailed(400, 400));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "blur:10.000000/sharpen:0.000000/pixelate:0",
        "blur:0.000000/sharpen:10.000000/pixelate:0",
        "blur:0.000000/sharpen:0.000000/pixelate:10",
        "blur:10.000000/sharpen:10.000000/pixelate:10"
      })
  void effects(String options) throws Exception {
    for (ImgdServer s :
        List.of(
            Objects.requireNonNull(servers.isolated), Objects.requireNonNull(servers.inProcess))) {
      byte[] plain = ImgproxyServers.get(s, "f:png", "png.png");
      byte[] out = ImgproxyServers.get(s, options + "/f:png", "png.png");
      Pixels.Decoded d = Pixels.decode(out);
      assertThat(d.width() + "x" + d.height()).isEqualTo("400x400");
      assertThat(out).as(options).isNotEqualTo(plain);
      if (options.endsWith("pixelate:10")) {
        for (int y : new int[] {200, 205, 209}) {
          assertThat(Pixels.at(out, 200, y)).isEqualTo(Pixels.at(out, 209, 200));
        }
      }
    }
  }
}
