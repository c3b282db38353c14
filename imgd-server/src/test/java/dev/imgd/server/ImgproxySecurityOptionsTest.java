package dev.imgd.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgd.core.probe.Probe;
import dev.imgd.testkit.Fixtures;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * imgproxy's security options ({@code msr}, {@code msfs}, {@code maf}, {@code mafr}, {@code mrd})
 * over HTTP: refused unless IMGD_ALLOW_SECURITY_OPTIONS (IMGPROXY_ALLOW_SECURITY_OPTIONS) is true,
 * then each one's effect, on an isolated and an in-process server whose own result limit is 1000
 * px. a.jpg is 600x450 (270000 px, 139435 bytes); anim.gif has 10 frames of 370x285 (105450 px
 * each, 1054500 in all).
 *
 * <p>Deliberate differences: imgproxy lets a URL raise a limit over the server's; imgd's own limits
 * stay the ceiling (a signed URL must not unlock more than the operator set). {@code mrd} and
 * {@code maf} refuse what passes them (422), as imgd's own settings do, where imgproxy scales the
 * result down and processes only the first frames. 0 sets no limit of the request's own (imgproxy's
 * {@code msr:0} refuses every image).
 */
class ImgproxySecurityOptionsTest {
  @TempDir static Path root;
  static ImgdServer refusing;
  static ImgdServer isolated;
  static ImgdServer inProcess;

  @BeforeAll
  static void start() throws Exception {
    Files.write(root.resolve("a.jpg"), Fixtures.bytes("Landscape_1.jpg"));
    Files.write(root.resolve("anim.gif"), Fixtures.bytes("animated-loop-3.gif"));
    ServerTest.root = root;
    refusing = ServerTest.start(Map.of());
    isolated =
        ServerTest.start(
            Map.of(
                "IMGD_MODE",
                "isolated",
                "IMGD_WORKERS",
                "1",
                "IMGPROXY_ALLOW_SECURITY_OPTIONS",
                "true",
                "IMGD_MAX_RESULT_DIMENSION",
                "1000"));
    inProcess =
        ServerTest.start(
            Map.of("IMGD_ALLOW_SECURITY_OPTIONS", "true", "IMGD_MAX_RESULT_DIMENSION", "1000"));
  }

  @AfterAll
  static void stop() throws Exception {
    refusing.close();
    isolated.close();
    inProcess.close();
  }

  static HttpResponse<byte[]> get(ImgdServer s, String options, String image) throws Exception {
    return ServerTest.get(s, ImgproxyHttp.signed("/" + options + "/plain/local:///" + image));
  }

  /** Both allowing servers answer {@code expected}: "200" or "status code". */
  static void assertAnswer(String options, String image, String expected) throws Exception {
    for (ImgdServer s : List.of(isolated, inProcess)) {
      HttpResponse<byte[]> r = get(s, options, image);
      String got = r.statusCode() == 200 ? "200" : ServerTest.status(r);
      assertThat(got)
          .as("%s on %s (%s)", options, image, s == isolated ? "isolated" : "in-process")
          .isEqualTo(expected);
    }
  }

  @Test
  void refusedUnlessTheServerAllowsThem() throws Exception {
    for (String option : List.of("msr:1", "msfs:1000", "maf:2", "mafr:1", "mrd:100")) {
      HttpResponse<byte[]> r = get(refusing, option, "a.jpg");
      assertThat(ServerTest.status(r)).as(option).isEqualTo("400 bad_options");
      assertThat(new String(r.body())).contains("Security processing options are not allowed");
    }
  }

  @Test
  void maxSrcResolutionRefusesALargerSource() throws Exception {
    assertAnswer("msr:0.27", "a.jpg", "200");
    assertAnswer("msr:0.26", "a.jpg", "422 limit_exceeded");
    // An animation counts all its frames, as imgproxy counts them.
    assertAnswer("msr:1.1", "anim.gif", "200");
    assertAnswer("msr:1", "anim.gif", "422 limit_exceeded");
  }

  @Test
  void maxSrcFileSizeRefusesALargerSource() throws Exception {
    assertAnswer("msfs:139435", "a.jpg", "200");
    assertAnswer("msfs:139434", "a.jpg", "413 too_large");
  }

  @Test
  void maxAnimationFramesRefusesALongerAnimation() throws Exception {
    assertAnswer("maf:10", "anim.gif", "200");
    assertAnswer("maf:9", "anim.gif", "422 limit_exceeded");
    assertAnswer("maf:1", "a.jpg", "200"); // a still image has one frame
  }

  /** Where set, an animation is held to its frame resolution instead of the source resolution. */
  @Test
  void maxAnimationFrameResolutionReplacesTheSourceResolutionForAnimations() throws Exception {
    assertAnswer("msr:1/mafr:0.11", "anim.gif", "200");
    assertAnswer("msr:1/mafr:0.1", "anim.gif", "422 limit_exceeded");
    // A still image is still held to msr.
    assertAnswer("msr:0.26/mafr:1", "a.jpg", "422 limit_exceeded");
  }

  @Test
  void maxResultDimensionRefusesALargerResult() throws Exception {
    // Asked first without the option: a cached result must not answer for the tighter URL.
    HttpResponse<byte[]> plain = get(inProcess, "rs:fit:300:0", "a.jpg");
    assertThat(Probe.read(plain.body()).width()).isEqualTo(300);
    assertAnswer("rs:fit:300:0/mrd:300", "a.jpg", "200");
    assertAnswer("rs:fit:300:0/mrd:299", "a.jpg", "422 limit_exceeded");
  }

  /** A URL can only tighten: imgd's own limits stay the ceiling (imgproxy lets it raise them). */
  @Test
  void theServersLimitsStayTheCeiling() throws Exception {
    assertAnswer("rs:fit:1000:0:1/mrd:5000", "a.jpg", "200");
    assertAnswer("rs:fit:1001:0:1/mrd:5000", "a.jpg", "422 limit_exceeded");
  }
}
