package dev.imgd.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgd.testkit.Fixtures;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The savers' settings under imgd's and imgproxy's names give the defaults that jpgo, pngo, webpo
 * and aq override; settings that cannot work stop the start; and the system libvips' pool (8.14 on
 * libjpeg-turbo) refuses mozjpeg's options instead of ignoring them.
 */
class ImgproxyEncodingSettingsTest {
  @TempDir static Path root;

  @Test
  void settingsGiveTheDefaultsOptionsOverride() throws Exception {
    Map<String, String> env =
        Map.of(
            "IMGD_JPEG_PROGRESSIVE", "true",
            "IMGPROXY_PNG_INTERLACED", "true",
            "IMGPROXY_WEBP_COMPRESSION", "lossless");
    try (ImgdServer s = ImgproxyHttp.start(root, env)) {
      assertThat(ImgproxyEncodingTest.jpegFrame(get(s, "w:100/f:jpg"))).isEqualTo(0xC2);
      assertThat(ImgproxyEncodingTest.jpegFrame(get(s, "w:100/jpgo:0/f:jpg"))).isEqualTo(0xC0);
      assertThat(get(s, "w:100/f:png")[28]).as("interlaced").isEqualTo((byte) 1);
      assertThat(get(s, "w:100/pngo:0/f:png")[28]).isEqualTo((byte) 0);
      assertThat(new String(get(s, "w:100/f:webp"), 12, 4, UTF_8)).isEqualTo("VP8L");
      assertThat(new String(get(s, "w:100/webpo:lossy/f:webp"), 12, 4, UTF_8)).isEqualTo("VP8 ");
    }
  }

  @Test
  void autoqualityFromSettingsLowersTheQuality() throws Exception {
    Map<String, String> env =
        Map.of(
            "IMGPROXY_AUTOQUALITY_METHOD", "size",
            "IMGPROXY_AUTOQUALITY_TARGET", "3000",
            "IMGD_AUTOQUALITY_MIN", "5");
    try (ImgdServer s = ImgproxyHttp.start(root, env)) {
      assertThat(get(s, "w:300/f:jpg").length).isLessThanOrEqualTo(3000);
      assertThat(get(s, "w:300/aq:none/f:jpg").length).isGreaterThan(3000);
    }
  }

  @Test
  void settingsThatCannotWorkStopTheStart() {
    assertThatThrownBy(() -> ImgproxyHttp.start(root, Map.of("IMGD_AUTOQUALITY_METHOD", "ml")))
        .hasMessageContaining("IMGD_AUTOQUALITY_METHOD");
    assertThatThrownBy(() ->
            ImgproxyHttp.start(
                root, Map.of("IMGD_AUTOQUALITY_MIN", "90", "IMGD_AUTOQUALITY_MAX", "80")))
        .hasMessageContaining("IMGD_AUTOQUALITY_");
    assertThatThrownBy(() -> ImgproxyHttp.start(root, Map.of("IMGPROXY_JPEG_QUANT_TABLE", "9")))
        .hasMessageContaining("IMGPROXY_JPEG_QUANT_TABLE");
  }

  @Test
  void theSystemPoolRefusesMozjpegOptionsItWouldIgnore() throws Exception {
    // HEIC goes to the system libvips (Debian's 8.14, on libjpeg-turbo), whose jpegsave takes
    // trellis_quant and quant_table and ignores them with a warning.
    Files.write(root.resolve("a.heic"), Fixtures.bytes("landscape-1.heic"));
    Map<String, String> env =
        Map.of(
            "IMGD_MODE", "isolated",
            "IMGD_WORKERS", "1",
            "IMGD_LIBVIPS_SYSTEM", "detected",
            // the second pool's first worker starts with the first HEIC: room on a busy machine
            "IMGD_TIMEOUT", "60",
            "IMGD_QUEUE_TIMEOUT", "60");
    try (ImgdServer s = ImgproxyHttp.start(root, env)) {
      assertThat(ImgproxyEncodingTest.jpegFrame(get(s, "w:100/jpgo:1:1/f:jpg", "a.heic")))
          .isEqualTo(0xC2);
      for (String o : List.of("jpgo:::1", "jpgo::::::3")) {
        HttpResponse<byte[]> r = http(s, "w:100/" + o + "/f:jpg", "a.heic");
        assertThat(r.statusCode()).as(o).isEqualTo(400);
        assertThat(new String(r.body(), UTF_8)).contains("mozjpeg").contains("libvips 8.14");
      }
      // the main build (8.18, mozjpeg) does them
      assertThat(http(s, "w:100/jpgo:::1/f:jpg", "a.jpg").statusCode()).isEqualTo(200);
    }
  }

  private static byte[] get(ImgdServer s, String options) throws Exception {
    return get(s, options, "a.jpg");
  }

  private static byte[] get(ImgdServer s, String options, String image) throws Exception {
    HttpResponse<byte[]> r = http(s, options, image);
    assertThat(r.statusCode()).as(options + ": " + new String(r.body(), UTF_8)).isEqualTo(200);
    return r.body();
  }

  private static HttpResponse<byte[]> http(ImgdServer s, String options, String image)
      throws Exception {
    return ServerTest.get(s, ImgproxyHttp.signed("/" + options + "/plain/local:///" + image));
  }
}
