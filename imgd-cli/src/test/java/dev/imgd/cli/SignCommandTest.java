package dev.imgd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgd.server.ImgdServer;
import dev.imgd.server.settings.Settings;
import dev.imgd.testkit.Fixtures;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code imgd sign} in a child JVM, with the key and salt in its environment (imgproxy's names):
 * the path it prints is one a real server with the same key answers 200, in both modes.
 */
class SignCommandTest {
  private static final String KEY = "736563726574"; // "secret"
  private static final String SALT = "68656C6C6F"; // "hello"

  @TempDir Path root;

  private static ChildServe.Exit sign(Map<String, String> env, String path) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(ChildServe.imgd(List.of(), "sign", path));
    pb.environment().keySet().removeIf(k -> k.matches("(IMGD|IMGPROXY)_(KEY|SALT)"));
    pb.environment().putAll(env);
    return ChildServe.run(pb, 30);
  }

  @ParameterizedTest
  @ValueSource(strings = {"isolated", "in-process"})
  void theSignedPathIsOneTheServerAnswers(String mode) throws Exception {
    Files.copy(Fixtures.image("Landscape_1.jpg"), root.resolve("photo.jpg"));
    ChildServe.Exit signed =
        sign(
            Map.of("IMGPROXY_KEY", KEY, "IMGPROXY_SALT", SALT),
            "rs:fit:100:0/plain/local:///photo.jpg@webp");
    assertThat(signed.code()).as(signed.err()).isZero();
    String path = signed.out().strip();
    assertThat(path).matches("/[A-Za-z0-9_-]{43}/rs:fit:100:0/plain/local:///photo.jpg@webp");

    Settings settings =
        Settings.from(
            Map.of(
                "IMGD_BIND",
                "127.0.0.1:0",
                "IMGD_LOCAL_ROOT",
                root.toString(),
                "IMGD_MODE",
                mode,
                "IMGD_WORKERS",
                "1",
                "IMGD_KEY",
                KEY,
                "IMGD_SALT",
                SALT));
    try (ImgdServer server = ImgdServer.start(settings)) {
      String base = "http://127.0.0.1:" + server.port();
      HttpResponse<byte[]> ok = get(base + path);
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.headers().firstValue("Content-Type")).hasValue("image/webp");
      // The same path with another signature: the server's check is real.
      String forged = "/" + "A".repeat(43) + path.substring(path.indexOf('/', 1));
      assertThat(get(base + forged).statusCode()).isEqualTo(403);
    }
  }

  @Test
  void withoutAKeySigningIsRefusedInWords() throws Exception {
    ChildServe.Exit e = sign(Map.of(), "/rs:fit:100:0/plain/local:///photo.jpg");
    assertThat(e.code()).isEqualTo(Main.EXIT_ENVIRONMENT);
    assertThat(e.err().strip())
        .isEqualTo(
            "imgd: signing is off: set IMGD_KEY and IMGD_SALT (or IMGPROXY_KEY and"
                + " IMGPROXY_SALT), hex");
  }

  private static HttpResponse<byte[]> get(String uri) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create(uri)).build(),
            HttpResponse.BodyHandlers.ofByteArray());
  }
}
