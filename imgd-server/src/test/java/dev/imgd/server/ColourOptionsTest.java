package dev.imgd.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * imgproxy Pro's colour options (adjust, brightness, contrast, saturation, monochrome, duotone,
 * colorize) change the pixels as documented, on both servers (isolated, in process), and refuse
 * out-of-range arguments with a 400 naming the argument. Pro's code is not public: the exact
 * formulas are imgd's (see {@code Adjust}), the tests pin what the docs promise.
 */
class ColourOptionsTest {
  @RegisterExtension static final ImgproxyServers servers = new ImgproxyServers();

  @BeforeAll
  static void images() throws Exception {
    var root = Objects.requireNonNull(ServerTest.root);
    Pixels.write(root, "grey100.png", Pixels.solid(100, 100, 100));
    Pixels.write(root, "red.png", Pixels.solid(200, 50, 50));
    Pixels.write(root, "black.png", Pixels.solid(0, 0, 0));
    Pixels.write(root, "white.png", Pixels.solid(255, 255, 255));
    Pixels.write(root, "clear.png", Pixels.solid(100, 100, 100, 0));
    Pixels.write(root, "half.png", Pixels.solid(100, 100, 100, 128));
    Pixels.write(root, "grey.png", Pixels.solid(100));
    Pixels.write(
        root,
        "deep.png",
        Pixels.ramp(
            20,
            20,
            "ushort",
            new double[] {10000, 10000, 10000},
            new double[] {10000, 10000, 10000}));
  }

  static Stream<Arguments> effects() {
    return Stream.of(
        // image, options, the pixel (PNG out)
        Arguments.of("grey100.png", "br:50", new int[] {150, 150, 150}),
        Arguments.of("grey100.png", "brightness:-255", new int[] {0, 0, 0}),
        Arguments.of("grey100.png", "co:2", new int[] {72, 72, 72}), // (100 - 128) * 2 + 128
        Arguments.of("grey100.png", "contrast:0", new int[] {128, 128, 128}),
        Arguments.of("red.png", "sa:1", new int[] {200, 50, 50}),
        Arguments.of("red.png", "sa:0", new int[] {82, 82, 82}), // Rec. 709 luma
        Arguments.of("red.png", "saturation:2", new int[] {255, 18, 18}),
        Arguments.of("red.png", "a:10:1:0", new int[] {92, 92, 92}), // brightness, then saturation
        Arguments.of("red.png", "adjust:::0", new int[] {82, 82, 82}),
        Arguments.of("grey100.png", "a:-20:2", new int[] {52, 52, 52}),
        Arguments.of("black.png", "dt:1:000080:ffd700", new int[] {0, 0, 128}),
        Arguments.of("white.png", "dt:1:000080:ffd700", new int[] {255, 215, 0}),
        Arguments.of("white.png", "duotone:0.5:000080:ffd700", new int[] {255, 235, 128}),
        Arguments.of("grey100.png", "col:0.5:0000ff", new int[] {50, 50, 178}),
        Arguments.of("grey100.png", "colorize:1:ff0000", new int[] {255, 0, 0}),
        Arguments.of("clear.png", "col:0.5:ff0000:1", new int[] {178, 50, 50, 0}),
        Arguments.of("clear.png", "col:0.5:ff0000", new int[] {255, 0, 0, 128}), // over: covers it
        Arguments.of("half.png", "col:0:ff0000", new int[] {100, 100, 100, 128}),
        Arguments.of("half.png", "br:50", new int[] {150, 150, 150, 128}),
        Arguments.of("grey.png", "br:50", new int[] {150}),
        Arguments.of("grey.png", "col:0.5:ff0000", new int[] {178, 50, 50}));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("effects")
  void changesThePixels(String image, String options, int[] pixel) throws Exception {
    for (ImgdServer s : servers()) {
      int[] out = Pixels.at(ImgproxyServers.get(s, options + "/f:png", image), 10, 10);
      assertThat(out).as("%s %s", image, options).hasSameSizeAs(pixel);
      for (int i = 0; i < pixel.length; i++) {
        assertThat(out[i]).as("%s %s band %d", image, options, i).isCloseTo(pixel[i], within(1));
      }
    }
  }

  /** Monochrome: grey by default (b3b3b3 is neutral); a colour gives its hue, intensity mixes. */
  @Test
  void monochrome() throws Exception {
    for (ImgdServer s : servers()) {
      int[] grey = Pixels.at(ImgproxyServers.get(s, "mc:1/f:png", "red.png"), 10, 10);
      assertThat(grey[0]).isCloseTo(grey[1], within(1)).isCloseTo(grey[2], within(1));
      int[] sepia = Pixels.at(ImgproxyServers.get(s, "mc:1:704214/f:png", "red.png"), 10, 10);
      assertThat(sepia[0]).isGreaterThan(sepia[1] + 20);
      assertThat(sepia[1]).isGreaterThan(sepia[2]);
      int[] half = Pixels.at(ImgproxyServers.get(s, "monochrome:0.5/f:png", "red.png"), 10, 10);
      assertThat(half[0]).isCloseTo((200 + grey[0]) / 2, within(2));
      assertThat(half[1]).isCloseTo((50 + grey[1]) / 2, within(2));
      // a greyscale source given neutral colours stays greyscale
      assertThat(Pixels.decode(ImgproxyServers.get(s, "mc:1/f:png", "grey.png")).bands())
          .isEqualTo(1);
      assertThat(Pixels.decode(ImgproxyServers.get(s, "dt:1/f:png", "grey.png")).bands())
          .isEqualTo(1);
    }
  }

  /** The adjustments work at 16 bits when preserve_hdr keeps them. */
  @Test
  void sixteenBit() throws Exception {
    for (ImgdServer s : servers()) {
      byte[] out = ImgproxyServers.get(s, "ph:1/br:50/f:png", "deep.png");
      assertThat(Pixels.decode(out).interpretation()).isEqualTo("rgb16");
      assertThat(Pixels.at(out, 10, 10)).containsExactly(22850, 22850, 22850);
    }
  }

  @ParameterizedTest
  @CsvSource({
    "br:256, brightness",
    "br:1.5, brightness",
    "a:-300, brightness",
    "co:-1, contrast",
    "a::x, contrast",
    "sa:-0.5, saturation",
    "mc:1.5, intensity",
    "mc:1:12345g, color",
    "dt:-1, intensity",
    "dt:1:000:zzz, color2",
    "col:2, opacity",
    "col:0.5:ff0000:maybe, boolean",
    "ph:yes, boolean"
  })
  void refusesOutOfRangeArguments(String options, String argument) throws Exception {
    for (ImgdServer s : servers()) {
      HttpResponse<byte[]> r =
          ServerTest.get(s, ServerTest.signed("/" + options + "/plain/local:///red.png"));
      assertThat(r.statusCode()).as(options).isEqualTo(400);
      assertThat(new String(r.body(), UTF_8)).contains("bad_options").contains(argument);
    }
  }

  private static List<ImgdServer> servers() {
    return List.of(
        Objects.requireNonNull(servers.isolated), Objects.requireNonNull(servers.inProcess));
  }
}
