package dev.imgd.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * imgproxy's processing/colorspace_test.go, case by case, over HTTP on both servers: the result's
 * size and interpretation (and so its bit depth) for 8 and 16-bit, RGB and grey sources, with and
 * without preserve_hdr. imgproxy's test images are generated here with libvips (same kinds, not the
 * same pixels), so its reference hashes do not apply.
 *
 * <p>imgproxy turns preserve_hdr on for whole suites with IMGPROXY_PRESERVE_HDR; the cases ask for
 * {@code ph:1} in the URL, and {@link #thePreserveHdrSettingIsTheDefaultTheOptionOverrides} shows
 * the setting. TestLinearColorspace is ImgproxyLinearColorspaceTest's, with its setting;
 * TestWatermarkColorspace needs a watermark setting per case: not ported. The TIFF cases wait for
 * TIFF input (refused today).
 */
class ImgproxyColorspaceTest {
  @RegisterExtension static final ImgproxyServers servers = new ImgproxyServers();

  static final String OPTIONS = "resize:fill:100:100/enlarge:1/format:";

  @BeforeAll
  static void images() throws Exception {
    writeImages(Objects.requireNonNull(ServerTest.root));
  }

  /** imgproxy's kinds of test image, 160x120, in {@code root}. */
  static void writeImages(java.nio.file.Path root) throws Exception {
    double[] black = {0, 0, 0};
    Pixels.write(
        root, "8-bpp.png", Pixels.ramp(160, 120, "uchar", black, new double[] {255, 200, 90}));
    Pixels.write(
        root,
        "16-bpp.png",
        Pixels.ramp(160, 120, "ushort", black, new double[] {65535, 51000, 23000}));
    Pixels.write(
        root,
        "8-bpp-grayscale.png",
        Pixels.ramp(160, 120, "uchar", new double[] {0}, new double[] {255}));
    Pixels.write(
        root,
        "16-bpp-grayscale.png",
        Pixels.ramp(160, 120, "ushort", new double[] {0}, new double[] {65535}));
  }

  static Stream<Arguments> colorspace() {
    return Stream.of(
        // TestColorspace (IMGPROXY_PRESERVE_HDR=true: ph:1)
        Arguments.of("8-bpp.png", "png/ph:1", "srgb"),
        Arguments.of("16-bpp.png", "png/ph:1", "rgb16"),
        Arguments.of("16-bpp.png", "jpg/ph:1", "srgb"),
        Arguments.of("8-bpp-grayscale.png", "png/ph:1", "b-w"),
        Arguments.of("16-bpp-grayscale.png", "png/ph:1", "grey16"),
        Arguments.of("16-bpp-grayscale.png", "jpg/ph:1", "b-w"),
        // TestDownscaleHDR (preserve_hdr off)
        Arguments.of("16-bpp.png", "png", "srgb"),
        Arguments.of("16-bpp-grayscale.png", "png", "b-w"),
        // TestPreserveHDROptionOverride
        Arguments.of("16-bpp.png", "png/preserve_hdr:true", "rgb16"),
        Arguments.of("16-bpp.png", "png/preserve_hdr:false", "srgb"));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("colorspace")
  void colorspace(String image, String format, String interpretation) throws Exception {
    for (ImgdServer s : servers()) {
      assertResult(s, OPTIONS + format, image, interpretation);
    }
  }

  /** The options make a 100x100 image in this interpretation, 16-bit where it says so. */
  static void assertResult(ImgdServer s, String options, String image, String interpretation)
      throws Exception {
    Pixels.Decoded out = Pixels.decode(ImgproxyServers.get(s, options, image));
    assertThat(out.width() + "x" + out.height()).isEqualTo("100x100");
    assertThat(out.interpretation()).as("%s %s", image, options).isEqualTo(interpretation);
    assertThat(out.format()).isEqualTo(interpretation.endsWith("16") ? "ushort" : "uchar");
  }

  /**
   * The bit depth is real: the 16-bit PNG's samples keep their low byte (an 8-bit value scaled up
   * would be a multiple of 257), and AVIF keeps more than 8 bits where libheif writes them.
   */
  @Test
  void preservedDepthIsReal() throws Exception {
    for (ImgdServer s : servers()) {
      byte[] png = ImgproxyServers.get(s, "ph:1/f:png", "16-bpp.png");
      assertThat(dev.imgd.core.probe.Probe.read(png).bitsPerSample()).isEqualTo(16);
      long notEightBit =
          java.util.stream.IntStream.range(0, 160)
              .map(x -> Pixels.at(png, x, 60)[0])
              .filter(v -> v % 257 != 0)
              .count();
      assertThat(notEightBit).isGreaterThan(100);
      byte[] eight = ImgproxyServers.get(s, "f:png", "16-bpp.png");
      assertThat(dev.imgd.core.probe.Probe.read(eight).bitsPerSample()).isEqualTo(8);

      byte[] avif = ImgproxyServers.get(s, "ph:1/f:avif", "16-bpp.png");
      assertThat(Pixels.decode(avif).format()).isEqualTo("ushort");
      assertThat(Pixels.decode(ImgproxyServers.get(s, "f:avif", "16-bpp.png")).format())
          .isEqualTo("uchar");
      // WebP holds 8 bits only: preserve_hdr changes nothing there, as imgproxy documents.
      assertThat(Pixels.decode(ImgproxyServers.get(s, "ph:1/f:webp", "16-bpp.png")).format())
          .isEqualTo("uchar");
    }
  }

  /**
   * TestPreserveHDROptionOverride with the setting: IMGPROXY_PRESERVE_HDR on, ph:0 turns it off.
   */
  @Test
  void thePreserveHdrSettingIsTheDefaultTheOptionOverrides() throws Exception {
    for (String mode : List.of("isolated", "in-process")) {
      try (ImgdServer s =
          ServerTest.start(
              java.util.Map.of(
                  "IMGPROXY_PRESERVE_HDR", "true", "IMGD_MODE", mode, "IMGD_WORKERS", "1"))) {
        assertThat(Pixels.decode(ImgproxyServers.get(s, OPTIONS + "png", "16-bpp.png")).format())
            .as(mode)
            .isEqualTo("ushort");
        assertThat(
                Pixels.decode(ImgproxyServers.get(s, OPTIONS + "png/ph:0", "16-bpp.png")).format())
            .as(mode)
            .isEqualTo("uchar");
      }
    }
  }

  private static List<ImgdServer> servers() {
    return List.of(
        Objects.requireNonNull(servers.isolated), Objects.requireNonNull(servers.inProcess));
  }
}
