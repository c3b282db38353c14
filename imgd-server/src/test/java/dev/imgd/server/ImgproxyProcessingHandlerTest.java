package dev.imgd.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgd.server.ImgproxyServers.Both;
import dev.imgd.testkit.Fixtures;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URLDecoder;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The cases of imgproxy's integration_test/processing_handler_test.go that no other class ports,
 * over real HTTP on an isolated and an in-process server: signatures with imgproxy's own key, salt
 * and signature, allowed sources, the global source size limit, max_bytes, quality and presets.
 *
 * <p>Ported elsewhere: TestSourceNetworkValidation and TestCacheControlPassthrough* and the busters
 * in ImgproxyUrlAndAnswerSettingsTest; TestSkipProcessing* and TestRawOption in
 * ImgproxyRawAndSkipProcessingTest; TestSkipProcessingSVG, TestNotSkipProcessingSVGToJPG and, as
 * 415 naming what is missing, TestSourceFormatNotSupported and TestResultingFormatNotSupported
 * (imgproxy turns PNG off in libvips for them; imgd has no such switch) in ImgproxyFormatsTest; the
 * ETag, Last-Modified and If-Modified-Since cases in ImgproxyConditionalHeadersTest.
 */
class ImgproxyProcessingHandlerTest {
  /** imgproxy's keys are hex in its settings; its test sets the bytes of these words directly. */
  static final Map<String, String> TEST_KEYS =
      Map.of(
          "IMGD_KEY", HexFormat.of().formatHex("test-key".getBytes(UTF_8)),
          "IMGD_SALT", HexFormat.of().formatHex("test-salt".getBytes(UTF_8)));

  static final Signatures TEST_SIGNER =
      new Signatures(
          List.<byte[][]>of(new byte[][] {"test-key".getBytes(UTF_8), "test-salt".getBytes(UTF_8)}),
          32);

  @RegisterExtension static final ImgproxyServers servers = new ImgproxyServers(TEST_KEYS);

  static final byte[] TEST1 = Fixtures.bytes("imgproxy-test1.png");
  static ScriptedOrigin origin;

  @BeforeAll
  static void start() throws Exception {
    Files.write(servers.root().resolve("test1.png"), TEST1);
    Files.write(servers.root().resolve("jpg.jpg"), Fixtures.bytes("Landscape_1.jpg"));
    // imgproxy's test1.svg without its hostile parts (imgd refuses to render those): a black
    // rectangle with a transparent margin, so that the rendered image has alpha, hence PNG.
    Files.writeString(
        servers.root().resolve("test1.svg"),
        "<svg width=\"200\" height=\"100\" xmlns=\"http://www.w3.org/2000/svg\">"
            + "<rect x=\"5\" y=\"5\" width=\"190\" height=\"90\" fill=\"#000\"/></svg>");
    origin = new ScriptedOrigin();
    origin.script = r -> ScriptedOrigin.Reply.ok(TEST1);
  }

  @AfterAll
  static void stop() throws Exception {
    origin.close();
  }

  /** The answer of {@code s} to {@code path} signed with "test-key" and "test-salt". */
  static HttpResponse<byte[]> testSigned(ImgdServer s, String path) throws Exception {
    return ServerTest.get(s, "/" + TEST_SIGNER.sign(path) + path);
  }

  /** The origin's URL for {@code path}, as it stands in a plain source. */
  static String originUrl(String path) {
    return URLDecoder.decode(origin.url(path), UTF_8);
  }

  @Test
  void signatureValidationFailure() throws Exception {
    String path = "/rs:fill:4:4/plain/local:///test1.png";
    for (ImgdServer s : servers.both()) {
      assertThat(ServerTest.status(ServerTest.get(s, "/unsafe" + path)))
          .isEqualTo("403 bad_signature");
      assertThat(ServerTest.status(ServerTest.get(s, "/bad-signature" + path)))
          .isEqualTo("403 bad_signature");
      // imgproxy's own signature of this path with its test key and salt
      HttpResponse<byte[]> valid =
          ServerTest.get(s, "/My9d3xq_PYpVHsPrCyww0Kh1w5KZeZhIlWhsa4az1TI" + path);
      assertThat(valid.statusCode()).as(new String(valid.body(), UTF_8)).isEqualTo(200);
    }
  }

  /**
   * TestSourceValidation's prefix cases, with the origin on loopback in place of imgproxy's
   * redirect to a local file. Differences: a source no prefix allows is 403 {@code
   * source_forbidden} (imgproxy: 404), and imgproxy's {@code *} wildcards stop the start.
   */
  @Test
  void sourceValidation() throws Exception {
    String allowed = "local://," + originUrl("/");
    try (Both both = Both.start(Map.of("IMGPROXY_ALLOWED_SOURCES", allowed))) {
      for (ImgdServer s : both) {
        String match = ServerTest.signed("/plain/" + originUrl("/lorem/ipsum.jpg"));
        assertThat(ServerTest.get(s, match).statusCode()).isEqualTo(200);
        String s3 = ServerTest.signed("/plain/s3://images/lorem/ipsum.jpg");
        assertThat(ServerTest.status(ServerTest.get(s, s3))).isEqualTo("403 source_forbidden");
      }
    }
    try (Both both =
        Both.start(Map.of("IMGPROXY_ALLOWED_SOURCES", "local://,http://images.dev/"))) {
      for (ImgdServer s : both) {
        String other = ServerTest.signed("/plain/" + originUrl("/lorem/ipsum.jpg"));
        assertThat(ServerTest.status(ServerTest.get(s, other))).isEqualTo("403 source_forbidden");
      }
    }
    assertThatThrownBy(() -> Both.start(Map.of("IMGPROXY_ALLOWED_SOURCES", "http://*.mycdn.dev/")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("IMGPROXY_ALLOWED_SOURCES");
  }

  /** Difference: a source over the limit is 413 {@code too_large} (imgproxy: 422). */
  @Test
  void maxSrcFileSizeGlobal() throws Exception {
    try (Both both = Both.start(Map.of("IMGPROXY_MAX_SRC_FILE_SIZE", "1"))) {
      for (ImgdServer s : both) {
        String path = ServerTest.signed("/rs:fill:4:4/plain/" + originUrl("/test1.png"));
        assertThat(ServerTest.status(ServerTest.get(s, path))).isEqualTo("413 too_large");
      }
    }
  }

  @Test
  void maxBytes() throws Exception {
    int mb = Fixtures.bytes("Landscape_1.jpg").length / 2;
    for (ImgdServer s : servers.both()) {
      HttpResponse<byte[]> r = testSigned(s, "/mb:" + mb + "/plain/local:///jpg.jpg@jpg");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body().length).isLessThanOrEqualTo(mb);
    }
  }

  /**
   * TestQualitySettings' cases with {@code q} and {@code fq}: quality 99 keeps the picture, quality
   * 1 does not, set either way. imgproxy compares DCT hashes; here the mean difference per channel
   * from the source.
   */
  @Test
  void qualitySettings() throws Exception {
    BufferedImage source =
        ImageIO.read(new ByteArrayInputStream(Fixtures.bytes("Landscape_1.jpg")));
    for (ImgdServer s : servers.both()) {
      byte[] q99 = testSigned(s, "/q:99/plain/local:///jpg.jpg@jpg").body();
      byte[] q1 = testSigned(s, "/q:1/plain/local:///jpg.jpg@jpg").body();
      byte[] fq1 = testSigned(s, "/fq:jpg:1/plain/local:///jpg.jpg@jpg").body();
      assertThat(difference(source, q99)).isLessThan(2);
      assertThat(difference(source, q1)).isGreaterThan(5);
      assertThat(fq1).isEqualTo(q1);
    }
  }

  /**
   * TestQualitySettings' case without {@code q}: with IMGPROXY_QUALITY at 99 a URL without a
   * quality gets q:99's answer. IMGPROXY_FORMAT_QUALITY's entry wins over it, and the URL's q and
   * fq over both, in imgproxy's order.
   */
  @Test
  void qualitySettingsWithoutQ() throws Exception {
    try (Both both =
        Both.start(Map.of("IMGPROXY_QUALITY", "99", "IMGPROXY_FORMAT_QUALITY", "webp=1"))) {
      for (ImgdServer s : both) {
        assertThat(body(s, "/plain/local:///jpg.jpg@jpg"))
            .isEqualTo(body(s, "/q:99/plain/local:///jpg.jpg@jpg"))
            .isNotEqualTo(body(s, "/q:80/plain/local:///jpg.jpg@jpg"));
        assertThat(body(s, "/plain/local:///jpg.jpg@webp"))
            .isEqualTo(body(s, "/q:1/plain/local:///jpg.jpg@webp"));
        assertThat(body(s, "/fq:webp:50/plain/local:///jpg.jpg@webp"))
            .isEqualTo(body(s, "/q:50/plain/local:///jpg.jpg@webp"))
            .isNotEqualTo(body(s, "/q:1/plain/local:///jpg.jpg@webp"));
      }
    }
  }

  private static byte[] body(ImgdServer s, String path) throws Exception {
    HttpResponse<byte[]> r = ServerTest.get(s, ServerTest.signed(path));
    assertThat(r.statusCode()).as(path).isEqualTo(200);
    return r.body();
  }

  /**
   * TestAlwaysRasterizeSvg*: with IMGPROXY_ALWAYS_RASTERIZE_SVG an SVG asked for with no format is
   * rendered (PNG, its alpha kept, or WebP where IMGPROXY_ENFORCE_WEBP and Accept choose it;
   * isolated only, as every SVG render); without it, or with {@code @svg} and SVG in
   * IMGPROXY_SKIP_PROCESSING_FORMATS, it is passed through sanitized.
   */
  @Test
  void alwaysRasterizeSvg() throws Exception {
    try (Both both =
        Both.start(
            Map.of("IMGPROXY_ALWAYS_RASTERIZE_SVG", "true", "IMGPROXY_ENFORCE_WEBP", "true"))) {
      ImgdServer s = both.isolated();
      assertThat(type(s, "/rs:fill:40:40/plain/local:///test1.svg")).isEqualTo("image/png");
      assertThat(type(s, "/plain/local:///test1.svg", "Accept", "image/webp"))
          .isEqualTo("image/webp");
      // Deliberate: the in-process engine never renders SVG (only isolated workers do).
      HttpResponse<byte[]> inProcess =
          ServerTest.get(both.inProcess(), ServerTest.signed("/plain/local:///test1.svg"));
      assertThat(inProcess.statusCode()).isEqualTo(415);
      assertThat(ServerTest.problemCode(inProcess)).isEqualTo("unsupported_format");
    }
    try (Both both =
        Both.start(
            Map.of(
                "IMGPROXY_ALWAYS_RASTERIZE_SVG",
                "true",
                "IMGPROXY_SKIP_PROCESSING_FORMATS",
                "svg"))) {
      for (ImgdServer s : both) {
        assertThat(type(s, "/plain/local:///test1.svg@svg")).isEqualTo("image/svg+xml");
      }
    }
    try (Both both = Both.start(Map.of("IMGPROXY_ENFORCE_WEBP", "true"))) {
      for (ImgdServer s : both) {
        assertThat(type(s, "/plain/local:///test1.svg")).isEqualTo("image/svg+xml");
      }
    }
  }

  private static String type(ImgdServer s, String path, String... headers) throws Exception {
    HttpResponse<byte[]> r = ServerTest.get(s, ServerTest.signed(path), headers);
    assertThat(r.statusCode()).as(path + ": " + new String(r.body(), UTF_8)).isEqualTo(200);
    return r.headers().firstValue("Content-Type").orElseThrow();
  }

  /** The mean absolute difference per channel between two images of one size, 0..255. */
  static double difference(BufferedImage a, byte[] encoded) throws Exception {
    BufferedImage b = ImageIO.read(new ByteArrayInputStream(encoded));
    assertThat(b.getWidth() + "x" + b.getHeight()).isEqualTo(a.getWidth() + "x" + a.getHeight());
    long sum = 0;
    for (int y = 0; y < a.getHeight(); y++) {
      for (int x = 0; x < a.getWidth(); x++) {
        int p = a.getRGB(x, y);
        int q = b.getRGB(x, y);
        for (int shift = 0; shift <= 16; shift += 8) {
          sum += Math.abs(((p >> shift) & 0xff) - ((q >> shift) & 0xff));
        }
      }
    }
    return sum / (3.0 * a.getWidth() * a.getHeight());
  }

  /** The default preset pixelates: the answer is the one {@code pix:10} gives without it. */
  @Test
  void presetUsage() throws Exception {
    List<byte[]> pixelated = new java.util.ArrayList<>();
    for (ImgdServer s : servers.both()) {
      pixelated.add(testSigned(s, "/pix:10/plain/local:///geometry.png").body());
      assertThat(testSigned(s, "/plain/local:///geometry.png").body())
          .isNotEqualTo(pixelated.getLast());
    }
    try (Both both = Both.start(Map.of("IMGPROXY_PRESETS", "default=pixelate:10"))) {
      for (ImgdServer s : both) {
        HttpResponse<byte[]> r =
            ServerTest.get(s, ServerTest.signed("/preset:default/plain/local:///geometry.png"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body())
            .isNotEqualTo(Fixtures.bytes("imgproxy-geometry.png"))
            .isEqualTo(pixelated.getFirst());
      }
    }
  }

  /** Difference: a raster image asked for as SVG is 415 (imgproxy: 422). */
  @Test
  void errorSavingToSvg() throws Exception {
    for (ImgdServer s : servers.both()) {
      HttpResponse<byte[]> r = testSigned(s, "/rs:fill:4:4/plain/local:///test1.png@svg");
      assertThat(ServerTest.status(r)).isEqualTo("415 unsupported_format");
    }
  }
}
