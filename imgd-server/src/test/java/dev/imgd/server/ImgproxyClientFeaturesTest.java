package dev.imgd.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * imgproxy's clientfeatures/detector_test.go (the Accept cases imgd has settings for) over real
 * HTTP, with what a parsed Accept adds: q values, q=0 as "not acceptable", and a result cache that
 * never serves a negotiated answer for an explicit one or the other way round (Vary: Accept kept).
 */
class ImgproxyClientFeaturesTest {
  @TempDir static Path root;

  /** Unsigned (so the paths read plainly), AVIF and WebP offered by Accept. */
  static ImgdServer server;

  @BeforeAll
  static void start() throws Exception {
    server =
        ImgproxyHttp.start(
            root,
            Map.of(
                "IMGD_KEY",
                "",
                "IMGD_SALT",
                "",
                "IMGD_AUTO_WEBP",
                "true",
                "IMGD_AUTO_AVIF",
                "true"));
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  static HttpResponse<byte[]> get(String path, String accept) throws Exception {
    return ServerTest.get(server, "/insecure" + path, "Accept", accept);
  }

  /**
   * detector_test.go's AutoWebP and AutoAvif cases (a wildcard is no promise to decode WebP or
   * AVIF: imgproxy offers them only when named), then what parsing adds: q=0 means "not acceptable"
   * (RFC 9110 §12.4.2; the substring match served it anyway), and the client's q wins over
   * imgproxy's order (AVIF first), which breaks ties.
   */
  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "image/webp,image/apng,image/*,*/*;q=0.8|image/webp",
        "image/avif,image/apng,image/*,*/*;q=0.8|image/avif",
        "image/apng,image/*,*/*;q=0.8|image/jpeg",
        "image/webp;q=0,*/*|image/jpeg",
        "image/webp; Q=0.0, image/*|image/jpeg",
        "image/avif;q=0,image/webp|image/webp",
        "image/avif;q=0.5,image/webp;q=0.9|image/webp",
        "image/avif,image/webp|image/avif",
      })
  void acceptChoosesTheFormat(String accept, String type) throws Exception {
    HttpResponse<byte[]> r = get("/rs:fit:40:0/plain/local:///a.jpg", accept);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue(type);
    assertThat(r.headers().firstValue("Vary")).hasValue("Accept");
  }

  /**
   * The explicit {@code @webp} and the same image negotiated to WebP are two answers: only the
   * second varies on Accept. Sharing one cache entry served the first's headers for the second, so
   * a CDN would give WebP to clients that never asked for it.
   */
  @Test
  void explicitAndNegotiatedFormatsNeverShareACacheEntry() throws Exception {
    String a = "/rs:fit:70:0/plain/local:///a.jpg";
    assertWebpVaryingOn(a + "@webp", null);
    assertWebpVaryingOn(a, "Accept"); // was a hit on the explicit answer
    String b = "/rs:fit:71:0/plain/local:///a.jpg";
    assertWebpVaryingOn(b, "Accept");
    assertWebpVaryingOn(b + "@webp", null); // was a hit on the negotiated answer
  }

  private static void assertWebpVaryingOn(String path, @Nullable String vary) throws Exception {
    HttpResponse<byte[]> r = get(path, "image/webp");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("image/webp");
    assertThat(r.headers().firstValue("Vary")).isEqualTo(Optional.ofNullable(vary));
  }
}
