package dev.imgd.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgd.core.ImageFormat;
import dev.imgd.core.probe.Probe;
import dev.imgd.server.ScriptedOrigin.Reply;
import dev.imgd.testkit.Fixtures;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The skip_processing and raw cases of imgproxy's processing_handler_test.go over real HTTP: the
 * source's own bytes, with its real Content-Type, and still checked by the probe.
 */
class ImgproxyRawAndSkipProcessingTest {
  static final byte[] PNG = Fixtures.bytes("with-alpha.png");
  static final byte[] SVG =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"8\" height=\"8\"><script>alert(1)</script></svg>"
          .getBytes(StandardCharsets.UTF_8);

  static ScriptedOrigin origin;
  static ImgdServer imgd;

  @BeforeAll
  static void start() throws Exception {
    origin = new ScriptedOrigin();
    origin.script =
        r ->
            switch (r.getHttpURI().getPath()) {
              case "/test1.png" -> Reply.ok(PNG, "Content-Type", "image/png");
              // An origin that lies about its type: the answer says what the bytes are.
              case "/lying.jpg" -> Reply.ok(PNG, "Content-Type", "image/jpeg");
              case "/page.html" ->
                  Reply.ok(
                      "<html><script>alert(1)</script></html>".getBytes(),
                      "Content-Type",
                      "image/png");
              case "/test1.svg" -> Reply.ok(SVG, "Content-Type", "image/svg+xml");
              default -> new Reply(404, Map.of(), new byte[0]);
            };
    imgd = origin.imgd(Map.of("IMGD_AUTO_WEBP", "true", "IMGD_CACHE_MAX_BYTES", "0"));
  }

  @AfterAll
  static void stop() throws Exception {
    imgd.close();
    origin.close();
  }

  /** {@code source} is the origin's path, then {@code @ext} if any. */
  private HttpResponse<byte[]> get(String options, String source, String... headers)
      throws Exception {
    int at = source.indexOf('@');
    String url =
        at < 0 ? origin.url(source) : origin.url(source.substring(0, at)) + source.substring(at);
    return origin.get(imgd, "/" + options + "/plain/" + url, headers);
  }

  @Test
  void skipProcessingOption() throws Exception {
    // TestSkipProcessingPO
    HttpResponse<byte[]> r = get("rs:fill:4:4/skp:png", "/test1.png");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(PNG);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("image/png");
  }

  @Test
  void skipProcessingSameFormat() throws Exception {
    // TestSkipProcessingSameFormat
    HttpResponse<byte[]> r = get("rs:fill:4:4/skp:png", "/test1.png@png");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(PNG);
  }

  @Test
  void skipProcessingDifferentFormat() throws Exception {
    // TestSkipProcessingDifferentFormat
    HttpResponse<byte[]> r = get("rs:fill:4:4/skp:png", "/test1.png@jpg");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isNotEqualTo(PNG);
    assertThat(Probe.read(r.body()).format()).isEqualTo(ImageFormat.JPEG);
    assertThat(Probe.read(r.body()).width()).isEqualTo(4);
  }

  @Test
  void skipProcessingOfAnotherFormatProcesses() throws Exception {
    HttpResponse<byte[]> r = get("rs:fill:4:4/skp:jpg:gif", "/test1.png@png");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(Probe.read(r.body()).width()).isEqualTo(4);
  }

  @Test
  void skipProcessingWinsOverAFormatFromAccept() throws Exception {
    // As imgproxy, where a format not in the URL is "unknown" when skipping is decided.
    HttpResponse<byte[]> r = get("rs:fill:4:4/skp:png", "/test1.png", "Accept", "image/webp");
    assertThat(r.body()).isEqualTo(PNG);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("image/png");
  }

  @Test
  void rawOption() throws Exception {
    // TestRawOption; the extension and the origin's Content-Type do not change what is sent.
    HttpResponse<byte[]> r = get("raw:1", "/test1.png");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(PNG);
    HttpResponse<byte[]> lying = get("rs:fill:4:4/raw:1", "/lying.jpg@webp");
    assertThat(lying.body()).isEqualTo(PNG);
    assertThat(lying.headers().firstValue("Content-Type")).hasValue("image/png");
    assertThat(lying.headers().firstValue("Content-Disposition"))
        .hasValue("inline; filename=\"lying.png\"");
  }

  @Test
  void rawStillProbesTheBytes() throws Exception {
    // Difference: imgproxy streams whatever the origin sends; imgd passes only an image the probe
    // recognises, never a page a browser would run.
    HttpResponse<byte[]> r = get("raw:1", "/page.html");
    assertThat(r.statusCode()).isEqualTo(415);
    assertThat(ServerTest.problemCode(r)).isEqualTo("unsupported_format");
  }

  @Test
  void rawPassesAnSvgSanitized() throws Exception {
    // As imgproxy (with IMGPROXY_SANITIZE_SVG, its default): the SVG itself, scripts removed.
    HttpResponse<byte[]> r = get("raw:1", "/test1.svg");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("image/svg+xml");
    assertThat(new String(r.body(), StandardCharsets.UTF_8))
        .contains("<svg")
        .doesNotContain("<script");
  }
}
