package dev.imgd.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imgd.core.ImageFormat;
import dev.imgd.core.options.OptionReference;
import dev.imgd.core.probe.Probe;
import dev.imgd.server.settings.Settings;
import dev.imgd.testkit.Fixtures;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The playground over real HTTP (the browser drives it in {@link PlaygroundBrowserTest}): where it
 * is served (the image port without keys, only the admin listener with them, nowhere when off), its
 * strict CSP, the option table as JSON, and a bounded image list that never leaves the local root.
 */
class PlaygroundTest {
  static final String TOKEN = "playground-token-0123456789";
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path root;
  @TempDir static Path outside;
  static ImgdServer open;
  static ImgdServer signing;

  @BeforeAll
  static void start() throws Exception {
    Files.write(root.resolve("a.jpg"), Fixtures.bytes("Landscape_1.jpg"));
    Files.writeString(root.resolve("notes.txt"), "not an image");
    Files.createDirectories(root.resolve("sub/deeper/still/further/too-deep"));
    Files.write(root.resolve("sub/b.png"), Fixtures.bytes("imgproxy-geometry.png"));
    Files.write(
        root.resolve("sub/deeper/still/further/too-deep/c.png"),
        Fixtures.bytes("imgproxy-geometry.png"));
    Files.createDirectories(root.resolve(".hidden"));
    Files.write(root.resolve(".hidden/d.png"), Fixtures.bytes("imgproxy-geometry.png"));
    Files.write(outside.resolve("secret.png"), Fixtures.bytes("imgproxy-geometry.png"));
    Files.createSymbolicLink(root.resolve("escape.png"), outside.resolve("secret.png"));
    Files.createSymbolicLink(root.resolve("escape-dir"), outside);
    ServerTest.root = root;
    ServerTest.signer = Signatures.of(Settings.from(ServerTest.settings(Map.of())));
    open = ServerTest.start(Map.of("IMGD_KEY", "", "IMGD_SALT", ""));
    signing = ServerTest.start(Map.of("IMGD_ADMIN_BIND", "127.0.0.1:0", "IMGD_ADMIN_TOKEN", TOKEN));
  }

  @AfterAll
  static void stop() throws Exception {
    open.close();
    signing.close();
  }

  @Test
  void withoutKeysThePageIsOnTheImagePortWithAStrictPolicy() throws Exception {
    HttpResponse<byte[]> page = ServerTest.get(open, "/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    String csp = page.headers().firstValue("Content-Security-Policy").orElseThrow();
    assertThat(csp).contains("default-src 'none'", "script-src 'self'", "connect-src 'self'");
    assertThat(csp).doesNotContain("unsafe", "http:", "https:");
    String html = new String(page.body(), StandardCharsets.UTF_8);
    assertThat(html).doesNotContain("http://", "https://", "<style", "style=", "onclick");
    for (String asset : List.of("/playground/playground.js", "/playground/playground.css")) {
      HttpResponse<byte[]> r = ServerTest.get(open, asset);
      assertThat(r.statusCode()).as(asset).isEqualTo(200);
      assertThat(new String(r.body(), StandardCharsets.UTF_8))
          .doesNotContain("http://", "https://");
    }
  }

  @Test
  void theControlsComeFromTheOptionTable() throws Exception {
    JsonNode config = json(ServerTest.get(open, "/playground/options"));
    assertThat(config.get("signing").asBoolean()).isFalse();
    List<String> names = new ArrayList<>();
    config.get("options").forEach(o -> names.add(o.get("name").asText()));
    assertThat(names).isEqualTo(OptionReference.all().stream().map(OptionReference::name).toList());
    List<String> formats = new ArrayList<>();
    config.get("formats").forEach(f -> formats.add(f.asText()));
    assertThat(formats).contains("jpg", "png", "webp", "avif");
  }

  @Test
  void theImageListIsBoundedToImagesUnderTheRoot() throws Exception {
    List<String> images = new ArrayList<>();
    json(ServerTest.get(open, "/playground/images"))
        .get("images")
        .forEach(i -> images.add(i.asText()));
    // No text file, nothing hidden, no link out of the root, nothing deeper than the bound.
    assertThat(images).containsExactly("a.jpg", "sub/b.png");
  }

  @Test
  void thePageBuildsWorkingInsecureUrls() throws Exception {
    HttpResponse<byte[]> r =
        ServerTest.get(open, "/playground/image/insecure/w:50/f:png/plain/local:///sub/b.png");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(Probe.read(r.body()).format()).isEqualTo(ImageFormat.PNG);
    assertThat(ServerTest.get(open, "/insecure/plain/local:///a.jpg").statusCode()).isEqualTo(200);
    assertThat(ServerTest.get(open, "/playground/image/process").statusCode()).isEqualTo(405);
  }

  @Test
  void withKeysThePageIsOnlyOnTheAdminListenerWhichSigns() throws Exception {
    assertThat(ServerTest.problemCode(ServerTest.get(signing, "/"))).isEqualTo("source_not_found");
    assertThat(
            ServerTest.get(signing, "/playground/sign?path=/w:1/plain/local:///a.jpg").statusCode())
        .isEqualTo(403); // an image path with the signature "playground": refused
    assertThat(admin("/").statusCode()).isEqualTo(401);
    assertThat(admin("/playground/sign?path=/x").statusCode()).isEqualTo(401);

    String auth = "Bearer " + TOKEN;
    assertThat(admin("/", "Authorization", auth).statusCode()).isEqualTo(200);
    // A browser asks a person for the token as the password of HTTP Basic.
    HttpResponse<byte[]> asked = admin("/");
    assertThat(asked.headers().allValues("WWW-Authenticate"))
        .containsExactly("Bearer", "Basic realm=\"imgd admin\"");
    assertThat(admin("/", "Authorization", basic("anyone:" + TOKEN)).statusCode()).isEqualTo(200);
    for (String wrong : List.of("anyone:" + TOKEN + "x", TOKEN, ":", "")) {
      assertThat(admin("/", "Authorization", basic(wrong)).statusCode()).as(wrong).isEqualTo(401);
    }
    assertThat(admin("/", "Authorization", "Basic %%%").statusCode()).isEqualTo(401);
    assertThat(json(admin("/playground/options", "Authorization", auth)).get("signing").asBoolean())
        .isTrue();
    String path = "/w:60/f:webp/plain/local:///a.jpg";
    JsonNode signed =
        json(
            admin(
                "/playground/sign?path=" + URLEncoder.encode(path, StandardCharsets.UTF_8),
                "Authorization",
                auth));
    String signature = signed.get("signature").asText();
    assertThat(signature).isEqualTo(ServerTest.signer.sign(path));
    assertThat(signed.toString()).doesNotContain(ServerTest.KEY, ServerTest.SALT);
    // The signed path works on the image port, and under the playground's path on the admin
    // listener, where the page asks for it; other image paths stay off the admin listener.
    for (HttpResponse<byte[]> r :
        List.of(
            ServerTest.get(signing, "/" + signature + path),
            admin("/playground/image/" + signature + path, "Authorization", auth))) {
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(Probe.read(r.body()).width()).isEqualTo(60);
    }
    assertThat(admin("/playground/image/bad" + path, "Authorization", auth).statusCode())
        .isEqualTo(403);
    assertThat(admin("/" + signature + path, "Authorization", auth).statusCode()).isEqualTo(404);
  }

  @Test
  void aBaseUrlListsOnlyTheLocalImagesItReaches() throws Exception {
    // IMGD_BASE_URL is put before every source URL that lacks it: a local:/// name the page sends
    // under an http base would be fetched from that origin, so none is offered.
    for (var base :
        Map.of("http://127.0.0.1:9/", List.<String>of(), "local:///sub/", List.of("sub/b.png"))
            .entrySet()) {
      try (ImgdServer based =
          ServerTest.start(
              Map.of("IMGD_KEY", "", "IMGD_SALT", "", "IMGD_BASE_URL", base.getKey()))) {
        JsonNode body = json(ServerTest.get(based, "/playground/images"));
        List<String> images = new ArrayList<>();
        body.get("images").forEach(i -> images.add(i.asText()));
        assertThat(images).as(base.getKey()).isEqualTo(base.getValue());
        assertThat(body.get("baseUrl").asBoolean()).isTrue();
        for (String name : images) {
          assertThat(ServerTest.get(based, "/insecure/plain/local:///" + name).statusCode())
              .isEqualTo(200);
        }
      }
    }
  }

  @Test
  void offLeavesTheRootAsItWas() throws Exception {
    try (ImgdServer off =
        ServerTest.start(Map.of("IMGD_KEY", "", "IMGD_SALT", "", "IMGD_PLAYGROUND", "false"))) {
      assertThat(ServerTest.problemCode(ServerTest.get(off, "/"))).isEqualTo("source_not_found");
    }
  }

  private static HttpResponse<byte[]> admin(String path, String... headers) throws Exception {
    return ServerTest.HTTP.send(
        withHeaders(
                java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + signing.adminPort() + path)),
                headers)
            .build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  private static java.net.http.HttpRequest.Builder withHeaders(
      java.net.http.HttpRequest.Builder b, String... headers) {
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return b;
  }

  private static String basic(String userAndPassword) {
    return "Basic "
        + Base64.getEncoder().encodeToString(userAndPassword.getBytes(StandardCharsets.UTF_8));
  }

  static JsonNode json(HttpResponse<byte[]> r) throws Exception {
    assertThat(r.statusCode()).as(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(200);
    return JSON.readTree(r.body());
  }
}
