package dev.imgd.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The option cases of imgproxy's options/parser/processing_options_test.go (v4) that the other
 * Imgproxy*Test classes did not port, over real HTTP on an isolated and an in-process server.
 * imgproxy's cases read the parsed options; these read what the options do to geometry.png
 * (200x100): the result's size, its pixels, or the refusal. The URL and source cases are
 * ImgproxyPathTest's and ImgproxyUrlAndAnswerSettingsTest's, the settings' cases
 * ImgproxyParserSettingsTest's, the format negotiation ImgproxyClientFeaturesTest's, preserve_hdr
 * ImgproxyColorspaceTest's, watermark ImgproxyWatermarkTest's.
 */
class ImgproxyProcessingOptionsTest {
  private static final String IMAGE = "geometry.png";

  @RegisterExtension
  static final ImgproxyServers SERVERS =
      new ImgproxyServers(
          Map.of("IMGPROXY_PRESETS", "test1=resizing_type:fill,test2=blur:0.2/quality:50"));

  /** Each case's URL options, with a size where imgproxy's case sets none, and the result. */
  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource({
    "TestParsePathResize, resize:fill:100:200:1, 100, 200",
    "TestParsePathResizingType, resizing_type:fill/s:50:50, 50, 50",
    "TestParsePathSize, size:100:200:1, 100, 50",
    "TestParsePathWidth, width:100, 100, 50",
    "TestParsePathHeight, height:50, 100, 50",
    "TestParsePathEnlarge, enlarge:1/w:400, 400, 200",
    "TestParsePathExtend, extend:1:so:10:20/s:300:300, 300, 300",
    "TestParsePathGravity, gravity:soea/rs:fill:50:50, 50, 50",
    "TestParsePathGravityFocusPoint, gravity:fp:0.5:0.75/rs:fill:50:50, 50, 50",
    "TestParsePathCrop, crop:100:200, 100, 100",
    "TestParsePathCropGravity, crop:100:50:nowe:10:20, 100, 50",
    "TestParsePathDpr, dpr:2/w:50, 100, 50",
    "TestParsePathPreset, preset:test1:test2/s:50:50, 50, 50",
    "TestParsePathCachebuster, cachebuster:123/w:50, 50, 25",
    "TestParsePathStripMetadata, strip_metadata:true/w:50, 50, 25",
    "TestParsePathBlur, blur:0.2/w:50, 50, 25",
    "TestParsePathSharpen, sharpen:0.2/w:50, 50, 25",
  })
  void parsedOptionsDoWhatTheySay(String testCase, String options, int width, int height)
      throws Exception {
    SERVERS.assertSize(options, IMAGE, width, height);
  }

  /** The replicate and smart gravities are not for extend, gravity or crop: refused. */
  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource({
    "TestParsePathExtendSmartGravity, extend:1:sm",
    "TestParsePathExtendReplicateGravity, extend:1:re",
    "TestParsePathGravityReplicate, gravity:re",
    "TestParsePathCropGravityReplicate, crop:100:200:re",
  })
  void gravitiesAnOptionCannotTakeAreRefused(String testCase, String options) throws Exception {
    // imgproxy answers 404 "Invalid URL"; imgd 400 bad_options, as for every malformed URL.
    SERVERS.assertRefused(options, IMAGE, 400, "bad_options");
  }

  /**
   * TestParsePathBackground, TestParsePathBackgroundHex, TestParsePathBackgroundDisable: the colour
   * fills the padding; an empty background turns it off again, so the padding is transparent.
   */
  @Test
  void background() throws Exception {
    for (ImgdServer s : SERVERS.both()) {
      assertThat(pixel(s, "pd:10/background:128:129:130/f:png")).startsWith(128, 129, 130);
      assertThat(pixel(s, "pd:10/background:ffddee/f:png")).startsWith(0xff, 0xdd, 0xee);
      int[] none = pixel(s, "pd:10/background:fff/background:/f:png");
      assertThat(none).hasSize(4);
      assertThat(none[3]).isZero();
    }
  }

  /** TestParsePathQuality: quality:55 is the JPEG saver's quality. */
  @Test
  void quality() throws Exception {
    for (ImgdServer s : SERVERS.both()) {
      byte[] q55 = ImgproxyServers.get(s, "quality:55/f:jpg", IMAGE);
      assertThat(q55).isEqualTo(ImgproxyServers.get(s, "q:55/f:jpg", IMAGE));
      assertThat(q55.length).isLessThan(ImgproxyServers.get(s, "q:95/f:jpg", IMAGE).length);
    }
  }

  /** TestParsePathPreset: the presets apply in order, the quality is test2's. */
  @Test
  void presetsApplyInOrder() throws Exception {
    for (ImgdServer s : SERVERS.both()) {
      assertThat(ImgproxyServers.get(s, "preset:test1:test2/s:50:50/f:jpg", IMAGE))
          .isEqualTo(ImgproxyServers.get(s, "rt:fill/bl:0.2/q:50/s:50:50/f:jpg", IMAGE));
      HttpResponse<byte[]> unknown =
          ServerTest.get(s, ServerTest.signed("/pr:nope/plain/local:///" + IMAGE));
      assertThat(ServerTest.status(unknown)).isEqualTo("400 bad_options");
      assertThat(new String(unknown.body(), UTF_8)).contains("nope");
    }
  }

  private static int[] pixel(ImgdServer s, String options) throws Exception {
    return Pixels.at(ImgproxyServers.get(s, options, IMAGE), 0, 0);
  }
}
