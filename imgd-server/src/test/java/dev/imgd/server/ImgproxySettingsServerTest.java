package dev.imgd.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgd.core.probe.Probe;
import dev.imgd.server.settings.Settings;
import dev.imgd.testkit.Fixtures;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * imgproxy's settings under their own names, over real HTTP (issue 16): signing from
 * IMGPROXY_KEY/IMGPROXY_SALT alone, the watermark image from a setting, preset loops, and the
 * documented default IMGD_LIBVIPS_SYSTEM=detected.
 */
class ImgproxySettingsServerTest {
  static final String KEY = "736563726574";
  static final String SALT = "68656C6C6F";
  static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir static Path root;

  @BeforeAll
  static void images() throws Exception {
    Files.write(root.resolve("a.jpg"), Fixtures.bytes("Landscape_1.jpg"));
    Files.write(root.resolve("mark.png"), Fixtures.bytes("Flag_of_the_Netherlands-alpha.png"));
  }

  /** No IMGD_KEY/IMGD_SALT: each test says what it sets. */
  static Map<String, String> env(String... pairs) {
    Map<String, String> env = new HashMap<>();
    env.put("IMGD_BIND", "127.0.0.1:0");
    env.put("IMGD_LOCAL_ROOT", root.toString());
    env.put("IMGD_MODE", "in-process");
    env.put("IMGD_WORKERS", "2");
    env.put("IMGD_LIBVIPS_SYSTEM", "off");
    for (int i = 0; i < pairs.length; i += 2) {
      env.put(pairs[i], pairs[i + 1]);
    }
    return env;
  }

  static HttpResponse<byte[]> get(ImgdServer s, String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path))
            .timeout(Duration.ofSeconds(30))
            .build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  void onlyImgproxyKeyAndSaltSetRefusesUnsignedUrls() throws Exception {
    // Issue 16's must-show: these were ignored, and the server checked no signatures at all.
    Settings settings = Settings.from(env("IMGPROXY_KEY", KEY, "IMGPROXY_SALT", SALT));
    try (ImgdServer s = ImgdServer.start(settings)) {
      String path = "/rs:fit:100:0/plain/local:///a.jpg";
      assertThat(get(s, "/insecure" + path).statusCode()).isEqualTo(403);
      assertThat(get(s, "/unsafe" + path).statusCode()).isEqualTo(403);
      assertThat(get(s, path).statusCode()).isEqualTo(403);
      HttpResponse<byte[]> signed = get(s, "/" + Signatures.of(settings).sign(path) + path);
      assertThat(signed.statusCode()).isEqualTo(200);
      assertThat(Probe.read(signed.body()).width()).isEqualTo(100);
    }
  }

  @Test
  void watermarkImageFromASettingWorksOverHttp() throws Exception {
    // Issue 16: no setting named the watermark image, so every wm: was a 400.
    for (String[] source :
        new String[][] {
          {"IMGPROXY_WATERMARK_PATH", root.resolve("mark.png").toString()},
          {"IMGD_WATERMARK_URL", "local:///mark.png"}, // through the guarded sources
        }) {
      try (ImgdServer s = ImgdServer.start(Settings.from(env(source[0], source[1])))) {
        HttpResponse<byte[]> plain = get(s, "/insecure/rs:fit:200:0/plain/local:///a.jpg@png");
        HttpResponse<byte[]> marked =
            get(s, "/insecure/rs:fit:200:0/wm:0.5:ce/plain/local:///a.jpg@png");
        assertThat(plain.statusCode()).isEqualTo(200);
        assertThat(marked.statusCode()).as(source[0]).isEqualTo(200);
        assertThat(Probe.read(marked.body()).width()).isEqualTo(200);
        assertThat(marked.body()).as(source[0]).isNotEqualTo(plain.body());
      }
    }
  }

  @Test
  void watermarkWithoutAnImageIsA400NamingTheSetting() throws Exception {
    try (ImgdServer s = ImgdServer.start(Settings.from(env()))) {
      HttpResponse<byte[]> r = get(s, "/insecure/wm:0.5:ce/plain/local:///a.jpg");
      assertThat(r.statusCode()).isEqualTo(400);
      assertThat(new String(r.body(), StandardCharsets.UTF_8))
          .contains("\"code\":\"bad_options\"")
          .contains("IMGD_WATERMARK_PATH");
    }
  }

  @Test
  void watermarkUrlTheSourcesRefuseStopsTheStart() {
    // Loopback is not an allowed network here: the SSRF guard holds for the watermark too.
    assertThatThrownBy(() ->
            ImgdServer.start(
                Settings.from(env("IMGPROXY_WATERMARK_URL", "http://127.0.0.1:9/mark.png"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "bad setting IMGD_WATERMARK_URL=http://127.0.0.1:9/mark.png: cannot download it: ");
  }

  @Test
  void presetLoopDoesNotStopTheServer() throws Exception {
    // imgproxy's TestParsePathPresetLoopDetection: each preset of the loop applies once.
    Settings settings =
        Settings.from(
            env("IMGPROXY_PRESETS", "test1=rs:fit:120:0/preset:test2,test2=q:50/preset:test1"));
    try (ImgdServer s = ImgdServer.start(settings)) {
      HttpResponse<byte[]> r = get(s, "/insecure/preset:test1/plain/local:///a.jpg");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(Probe.read(r.body()).width()).isEqualTo(120);
    }
  }

  @Test
  void libvipsSystemDetectedTheDocumentedDefaultStarts() throws Exception {
    // Issue 16: IMGD_LIBVIPS_SYSTEM=detected was taken for a file named "detected".
    Settings settings =
        Settings.from(
            env("IMGD_MODE", "isolated", "IMGD_WORKERS", "1", "IMGD_LIBVIPS_SYSTEM", "detected"));
    try (ImgdServer s = ImgdServer.start(settings)) {
      HttpResponse<byte[]> r = get(s, "/insecure/rs:fit:80:0/plain/local:///a.jpg");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(Probe.read(r.body()).width()).isEqualTo(80);
    }
  }
}
