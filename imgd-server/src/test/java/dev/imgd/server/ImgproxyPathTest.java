package dev.imgd.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgd.core.probe.Probe;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * imgproxy's handlers/path_test.go (the request path cases) and the path and URL cases of
 * options/parser/processing_options_test.go, as requests over real HTTP: the path is signed and
 * parsed after undoing what proxies do to it (FM-23 for the signature).
 */
class ImgproxyPathTest {
  @TempDir static Path root;
  static ImgdServer server;

  @BeforeAll
  static void start() throws Exception {
    server = ImgproxyHttp.start(root, Map.of());
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  /** {@code path} as sent, signed as {@code signedAs} (the form its signer wrote). */
  static HttpResponse<byte[]> get(String signedAs, String path) throws Exception {
    return ServerTest.get(server, "/" + ImgproxyHttp.SIGNER.sign(signedAs) + path);
  }

  static String size(HttpResponse<byte[]> r) {
    assertThat(r.statusCode()).as(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(200);
    var info = Probe.read(r.body());
    return info.format() + " " + info.width() + "x" + info.height();
  }

  static String b64(String s) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  /** BasicPath, and PathWithQueryParams: the query is neither signed nor parsed. */
  @Test
  void basicPathWithAndWithoutQueryParams() throws Exception {
    String path = "/rs:fill:300:200/plain/local:///a.jpg";
    assertThat(size(get(path, path))).isEqualTo("JPEG 300x200");
    assertThat(size(get(path, path + "?param1=value1&param2=value2"))).isEqualTo("JPEG 300x200");
  }

  /** A proxy folded "scheme://" to "scheme:/": signed and fetched as the signer wrote it. */
  @Test
  void pathWithPlainUrlRedenormalization() throws Exception {
    String path = "/rs:fill:300:200/plain/local:///a.jpg";
    assertThat(size(get(path, "/rs:fill:300:200/plain/local:/a.jpg"))).isEqualTo("JPEG 300x200");
    assertThat(size(get("/plain/local:///a.jpg@png", "/plain/local:/a.jpg@png")))
        .startsWith("PNG ");
  }

  /** A proxy escaped the options' ':' as %3A: plain and base64 sources alike. */
  @Test
  void pathWithOptionsSeparatorUnescaping() throws Exception {
    assertThat(
            size(
                get(
                    "/rs:fill:300:200/plain/local:///a.jpg",
                    "/rs%3Afill%3A300%3A200/plain/local:///a.jpg")))
        .isEqualTo("JPEG 300x200");
    String base64 = "/" + b64("local:///a.jpg");
    assertThat(size(get("/rs:fill:300:200" + base64, "/rs%3Afill%3A300%3A200" + base64)))
        .isEqualTo("JPEG 300x200");
  }

  /**
   * An empty options segment ({@code //plain/...}) is no options, signed without it: every rotate
   * case of imgproxy's processing tests uses one.
   */
  @Test
  void emptyOptionsSegmentIsNoOptions() throws Exception {
    assertThat(size(get("/plain/local:///a.jpg@png", "//plain/local:///a.jpg@png")))
        .startsWith("PNG ");
    String base64 = "/" + b64("local:///a.jpg") + ".png";
    assertThat(size(get(base64, "/" + base64))).startsWith("PNG ");
  }

  @Test
  void pathWithoutSignatureSeparatorOrSource() throws Exception {
    for (String path : List.of("/invalid_path_without_slash", "/signature_only")) {
      assertThat(ServerTest.status(ServerTest.get(server, path))).isEqualTo("400 bad_options");
    }
  }

  @Test
  void base64SourceWithAndWithoutExtension() throws Exception {
    String url = "/size:100:100/" + b64("local:///a.jpg");
    assertThat(size(get(url + ".png", url + ".png"))).isEqualTo("PNG 100x75");
    assertThat(size(get(url, url))).isEqualTo("JPEG 100x75");
  }

  @Test
  void plainSourceWithAndWithoutExtensionAndEscaped() throws Exception {
    String url = "/size:100:100/plain/local:///a.jpg";
    assertThat(size(get(url + "@png", url + "@png"))).isEqualTo("PNG 100x75");
    assertThat(size(get(url, url))).isEqualTo("JPEG 100x75");
    String escaped =
        "/size:100:100/plain/" + URLEncoder.encode("local:///a.jpg", StandardCharsets.UTF_8);
    assertThat(size(get(escaped + "@png", escaped + "@png"))).isEqualTo("PNG 100x75");
  }

  @Test
  void pathFormat() throws Exception {
    String path = "/format:webp/plain/local:///a.jpg";
    assertThat(size(get(path, path))).startsWith("WEBP ");
  }

  @Test
  void onlyPresetsPlainAndBase64() throws Exception {
    try (ImgdServer presets =
        ImgproxyHttp.start(
            root,
            Map.of(
                "IMGD_ONLY_PRESETS", "true", "IMGD_PRESETS", "test1=blur:0.2,test2=quality:50"))) {
      for (String path :
          List.of(
              "/test1:test2/plain/local:///a.jpg@png",
              "/test1:test2/" + b64("local:///a.jpg") + ".png")) {
        HttpResponse<byte[]> r =
            ServerTest.get(presets, "/" + ImgproxyHttp.SIGNER.sign(path) + path);
        assertThat(size(r)).startsWith("PNG ");
      }
    }
  }
}
