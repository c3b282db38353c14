package dev.imgd.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.imgd.core.ImageFormat;
import dev.imgd.server.settings.Settings;
import dev.imgd.testkit.Fixtures;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * imgproxy Pro's {@code IMGPROXY_AUTOQUALITY_FORMAT_MIN} and {@code _MAX} over HTTP on an isolated
 * and an in-process server: a format's own range replaces {@code IMGPROXY_AUTOQUALITY_MIN}/{@code
 * _MAX} for results in that format. With the size method and a target of one byte no quality fits,
 * so the search ends at the lowest of the range; with a target no result reaches, at the highest:
 * the answer is then byte for byte the one of {@code aq:none} at that quality. And {@code
 * IMGPROXY_AUTOQUALITY_MAX_RESOLUTION}: a result of more megapixels is not searched.
 */
class ImgproxyAutoqualityFormatTest {
  @RegisterExtension
  static final ImgproxyServers SERVERS =
      new ImgproxyServers(
          Map.of(
              "IMGPROXY_AUTOQUALITY_METHOD", "size",
              "IMGPROXY_AUTOQUALITY_TARGET", "1",
              "IMGPROXY_AUTOQUALITY_MIN", "5",
              "IMGPROXY_AUTOQUALITY_MAX", "80",
              "IMGPROXY_AUTOQUALITY_FORMAT_MIN", "jpeg=90",
              "IMGD_AUTOQUALITY_FORMAT_MAX", "jpeg=95,webp=30",
              "IMGPROXY_AUTOQUALITY_MAX_RESOLUTION", "0.05"));

  @BeforeAll
  static void images() throws Exception {
    Pixels.write(
        Objects.requireNonNull(ServerTest.root), "l.jpg", Fixtures.bytes("Landscape_1.jpg"));
  }

  @Test
  void aFormatsOwnRangeChangesTheChosenQuality() throws Exception {
    for (ImgdServer s : SERVERS.both()) {
      // JPEG: 90 to 95, not 5 to 80; WebP: 5 to 30; the lowest, as nothing fits in one byte.
      assertThat(get(s, "w:200/f:jpg")).isEqualTo(get(s, "w:200/aq:none/q:90/f:jpg"));
      assertThat(get(s, "w:200/f:webp")).isEqualTo(get(s, "w:200/aq:none/q:5/f:webp"));
      // The highest of each range, with a target every result fits in.
      assertThat(get(s, "w:200/aq:size:100000000/f:jpg"))
          .isEqualTo(get(s, "w:200/aq:none/q:95/f:jpg"));
      assertThat(get(s, "w:200/aq:size:100000000/f:webp"))
          .isEqualTo(get(s, "w:200/aq:none/q:30/f:webp"));
      // A range of the URL's own wins over the settings', for every format.
      assertThat(get(s, "w:200/aq:size:1:40:60/f:jpg"))
          .isEqualTo(get(s, "w:200/aq:none/q:40/f:jpg"));
      assertThat(get(s, "w:200/aq:size:100000000::50/f:webp"))
          .isEqualTo(get(s, "w:200/aq:none/q:50/f:webp"));
    }
  }

  /** Over 0.05 megapixels (w:300 of 600x450: 67 500 px) the quality is not searched. */
  @Test
  void aLargerResultIsNotSearched() throws Exception {
    for (ImgdServer s : SERVERS.both()) {
      byte[] large = get(s, "w:300/f:jpg");
      assertThat(large).isEqualTo(get(s, "w:300/aq:none/f:jpg"));
      assertThat(large).isNotEqualTo(get(s, "w:300/aq:none/q:90/f:jpg"));
      assertThat(get(s, "w:250/f:jpg")).isEqualTo(get(s, "w:250/aq:none/q:90/f:jpg"));
    }
  }

  /** imgproxy's defaults: AVIF searches 60 to 65 ("quality 63 for AVIF is about 80 for JPEG"). */
  @Test
  void avifHasItsOwnRangeByDefault() {
    Settings defaults = Settings.from(Map.of());
    assertThat(defaults.get(Settings.AUTOQUALITY_FORMAT_MIN))
        .isEqualTo(Map.of(ImageFormat.AVIF, 60));
    assertThat(defaults.get(Settings.AUTOQUALITY_FORMAT_MAX))
        .isEqualTo(Map.of(ImageFormat.AVIF, 65));
  }

  private static byte[] get(ImgdServer s, String options) throws Exception {
    String path = "/" + options + "/plain/local:///l.jpg";
    HttpResponse<byte[]> r = ServerTest.get(s, ServerTest.signed(path));
    assertThat(r.statusCode()).as(path + ": " + new String(r.body(), UTF_8)).isEqualTo(200);
    return r.body();
  }
}
