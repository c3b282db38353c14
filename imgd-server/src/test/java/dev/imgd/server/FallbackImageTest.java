package dev.imgd.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgd.core.probe.Probe;
import dev.imgd.core.probe.ProbeResult;
import dev.imgd.testkit.Fixtures;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fallback image (imgproxy's IMGPROXY_FALLBACK_IMAGE_DATA / _PATH / _URL, _HTTP_CODE, _TTL):
 * when the source cannot be fetched or processed, the fallback made with the request's options.
 */
class FallbackImageTest {
  @TempDir Path root;

  /** Isolated mode, the fallback from a file: 200 by default, with the fallback TTL. */
  @Test
  void missingSourceAnswersTheFallbackProcessedWithTheOptions() throws Exception {
    Path fallback = root.resolve("fallback.png");
    Files.write(fallback, Fixtures.bytes("imgproxy-geometry.png")); // 200x100
    try (ImgdServer s =
        ImgproxyHttp.start(
            root,
            Map.of(
                "IMGD_MODE", "isolated",
                "IMGD_WORKERS", "1",
                "IMGD_FALLBACK_IMAGE_PATH", fallback.toString(),
                "IMGD_FALLBACK_IMAGE_TTL", "60"))) {
      for (int i = 0; i < 2; i++) { // never cached: the second is a fallback again
        HttpResponse<byte[]> r = get(s, "/w:50/plain/local:///missing.jpg");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Cache-Control")).hasValue("max-age=60, public");
        assertThat(r.headers().firstValue("X-Imgd-Fallback-Image")).hasValue("source_not_found");
        ProbeResult image = Probe.read(r.body());
        assertThat(image.width() + "x" + image.height()).isEqualTo("50x25");
      }
      // a corrupt source is one that cannot be processed
      Files.write(root.resolve("broken.jpg"), Fixtures.bytes("corrupt-header.jpg"));
      assertThat(get(s, "/w:50/plain/local:///broken.jpg").statusCode()).isEqualTo(200);
      // the request's own faults are not hidden behind a picture
      HttpResponse<byte[]> bad = get(s, "/w:-1/plain/local:///missing.jpg");
      assertThat(bad.statusCode()).as(new String(bad.body(), UTF_8)).isEqualTo(400);
      // a source that is there is processed as usual
      HttpResponse<byte[]> ok = get(s, "/w:60/plain/local:///a.jpg");
      assertThat(ok.headers().firstValue("X-Imgd-Fallback-Image")).isEmpty();
      assertThat(Probe.read(ok.body()).width()).isEqualTo(60);
    }
  }

  /** In process, imgproxy's names, the data setting, and status 0: the failure's own status. */
  @Test
  void imgproxyNamesAndTheFailuresOwnStatus() throws Exception {
    String data = Base64.getEncoder().encodeToString(Fixtures.bytes("imgproxy-geometry.png"));
    try (ImgdServer s =
        ImgproxyHttp.start(
            root,
            Map.of(
                "IMGPROXY_FALLBACK_IMAGE_DATA", data, "IMGPROXY_FALLBACK_IMAGE_HTTP_CODE", "0"))) {
      HttpResponse<byte[]> r = get(s, "/rs:fill:30:30/plain/local:///missing.jpg");
      assertThat(r.statusCode()).isEqualTo(404);
      assertThat(r.headers().firstValue("Cache-Control")).hasValue("max-age=31536000, public");
      ProbeResult image = Probe.read(r.body());
      assertThat(image.width() + "x" + image.height()).isEqualTo("30x30");
    }
  }

  /** Without a fallback image the failure is answered as before. */
  @Test
  void withoutAFallbackTheFailureIsAnswered() throws Exception {
    try (ImgdServer s = ImgproxyHttp.start(root, Map.of())) {
      HttpResponse<byte[]> r = get(s, "/w:50/plain/local:///missing.jpg");
      assertThat(r.statusCode()).isEqualTo(404);
      assertThat(new String(r.body(), UTF_8)).contains("source_not_found");
    }
  }

  /**
   * imgproxy Pro's fallback_image_url: the request names its own fallback, fetched like a source
   * and processed with the request's options, in both modes; one that cannot be had leaves the
   * source's failure as the answer.
   */
  @Test
  void fallbackImageUrlNamesTheRequestsOwnFallback() throws Exception {
    Files.write(root.resolve("fallback.png"), Fixtures.bytes("imgproxy-geometry.png")); // 200x100
    String fiu = "fiu:" + base64Url("local:///fallback.png");
    String gone = "fiu:" + base64Url("local:///gone.png");
    for (String mode : java.util.List.of("isolated", "in-process")) {
      try (ImgdServer s =
          ImgproxyHttp.start(root, Map.of("IMGD_MODE", mode, "IMGD_WORKERS", "1"))) {
        HttpResponse<byte[]> r = get(s, "/w:50/" + fiu + "/plain/local:///missing.jpg");
        assertThat(r.statusCode()).as(mode + ": " + new String(r.body(), UTF_8)).isEqualTo(200);
        assertThat(r.headers().firstValue("X-Imgd-Fallback-Image")).hasValue("source_not_found");
        ProbeResult image = Probe.read(r.body());
        assertThat(image.width() + "x" + image.height()).isEqualTo("50x25");
        HttpResponse<byte[]> none = get(s, "/w:50/" + gone + "/plain/local:///missing.jpg");
        assertThat(none.statusCode()).isEqualTo(404);
        assertThat(new String(none.body(), UTF_8)).contains("source_not_found");
        HttpResponse<byte[]> ok = get(s, "/w:60/" + fiu + "/plain/local:///a.jpg");
        assertThat(ok.headers().firstValue("X-Imgd-Fallback-Image")).isEmpty();
        assertThat(Probe.read(ok.body()).width()).isEqualTo(60);
      }
    }
  }

  private static String base64Url(String text) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(UTF_8));
  }

  /** The fallback image is checked at start: something that is not an image stops it. */
  @Test
  void aFallbackThatIsNotAnImageStopsTheStart() {
    String data = Base64.getEncoder().encodeToString("not an image".getBytes(UTF_8));
    assertThatThrownBy(() -> ImgproxyHttp.start(root, Map.of("IMGD_FALLBACK_IMAGE_DATA", data)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("IMGD_FALLBACK_IMAGE");
  }

  private static HttpResponse<byte[]> get(ImgdServer s, String path) throws Exception {
    return ServerTest.get(s, ImgproxyHttp.signed(path));
  }
}
