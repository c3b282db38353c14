package dev.imgd.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgd.testkit.Fixtures;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

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
  @RegisterExtension
  static final ImgproxyServers servers =
      new ImgproxyServers(
          Map.of("IMGPROXY_ALLOW_SECURITY_OPTIONS", "true", "IMGD_MAX_RESULT_DIMENSION", "1000"));

  @BeforeAll
  static void images() throws Exception {
    Files.write(servers.root().resolve("a.jpg"), Fixtures.bytes("Landscape_1.jpg"));
    Files.write(servers.root().resolve("anim.gif"), Fixtures.bytes("animated-loop-3.gif"));
  }

  @Test
  void refusedUnlessTheServerAllowsThem() throws Exception {
    // The IMGD_ name wins over imgproxy's where both are set.
    try (ImgdServer refusing =
        ServerTest.start(
            Map.of(
                "IMGPROXY_ALLOW_SECURITY_OPTIONS",
                "true",
                "IMGD_ALLOW_SECURITY_OPTIONS",
                "false"))) {
      for (String option : List.of("msr:1", "msfs:1000", "maf:2", "mafr:1", "mrd:100")) {
        HttpResponse<byte[]> r =
            ServerTest.get(refusing, ServerTest.signed("/" + option + "/plain/local:///a.jpg"));
        assertThat(ServerTest.status(r)).as(option).isEqualTo("400 bad_options");
        assertThat(new String(r.body())).contains("Security processing options are not allowed");
      }
    }
  }

  @Test
  void maxSrcResolutionRefusesALargerSource() throws Exception {
    servers.assertSize("msr:0.27", "a.jpg", 600, 450);
    servers.assertRefused("msr:0.26", "a.jpg", 422, "limit_exceeded");
    // An animation counts all its frames, as imgproxy counts them.
    servers.assertSize("msr:1.1", "anim.gif", 370, 285);
    servers.assertRefused("msr:1", "anim.gif", 422, "limit_exceeded");
  }

  @Test
  void maxSrcFileSizeRefusesALargerSource() throws Exception {
    servers.assertSize("msfs:139435", "a.jpg", 600, 450);
    servers.assertRefused("msfs:139434", "a.jpg", 413, "too_large");
  }

  @Test
  void maxAnimationFramesRefusesALongerAnimation() throws Exception {
    servers.assertSize("maf:10", "anim.gif", 370, 285);
    servers.assertRefused("maf:9", "anim.gif", 422, "limit_exceeded");
    servers.assertSize("maf:1", "a.jpg", 600, 450); // a still image has one frame
  }

  /** Where set, an animation is held to its frame resolution instead of the source resolution. */
  @Test
  void maxAnimationFrameResolutionReplacesTheSourceResolutionForAnimations() throws Exception {
    servers.assertSize("msr:1/mafr:0.11", "anim.gif", 370, 285);
    servers.assertRefused("msr:1/mafr:0.1", "anim.gif", 422, "limit_exceeded");
    // A still image is still held to msr.
    servers.assertRefused("msr:0.26/mafr:1", "a.jpg", 422, "limit_exceeded");
  }

  @Test
  void maxResultDimensionRefusesALargerResult() throws Exception {
    // Asked first without the option: a cached result must not answer for the tighter URL.
    servers.assertSize("rs:fit:300:0", "a.jpg", 300, 225);
    servers.assertSize("rs:fit:300:0/mrd:300", "a.jpg", 300, 225);
    servers.assertRefused("rs:fit:300:0/mrd:299", "a.jpg", 422, "limit_exceeded");
  }

  /** A URL can only tighten: imgd's own limits stay the ceiling (imgproxy lets it raise them). */
  @Test
  void theServersLimitsStayTheCeiling() throws Exception {
    servers.assertSize("rs:fit:1000:0:1/mrd:5000", "a.jpg", 1000, 750);
    servers.assertRefused("rs:fit:1001:0:1/mrd:5000", "a.jpg", 422, "limit_exceeded");
  }
}
