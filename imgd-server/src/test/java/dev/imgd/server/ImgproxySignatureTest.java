package dev.imgd.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * imgproxy's security/signature_test.go over real HTTP (FM-23): key "test-key", salt "test-salt",
 * the path "asd" (signed as "/asd"). A signature that passes reaches the parser, which refuses
 * "asd" as a source (400 bad_options); one that fails is 403 bad_signature.
 */
class ImgproxySignatureTest {
  @TempDir static Path root;
  static final String KEY = "746573742d6b6579"; // "test-key"
  static final String SALT = "746573742d73616c74"; // "test-salt"
  static final String KEY2 = "746573742d6b657932"; // "test-key2"
  static final String SALT2 = "746573742d73616c7432"; // "test-salt2"
  static final String PASSED = "400 bad_options";
  static final String REFUSED = "403 bad_signature";

  static ImgdServer twoPairs;
  static ImgdServer truncated;
  static ImgdServer unsigned;
  static ImgdServer trusting;

  @BeforeAll
  static void start() throws Exception {
    twoPairs =
        ImgproxyHttp.start(
            root, Map.of("IMGD_KEY", KEY + "," + KEY2, "IMGD_SALT", SALT + "," + SALT2));
    truncated =
        ImgproxyHttp.start(
            root, Map.of("IMGD_KEY", KEY, "IMGD_SALT", SALT, "IMGD_SIGNATURE_SIZE", "8"));
    unsigned = ImgproxyHttp.start(root, Map.of("IMGD_KEY", "", "IMGD_SALT", ""));
    trusting =
        ImgproxyHttp.start(
            root,
            Map.of("IMGD_KEY", KEY, "IMGD_SALT", SALT, "IMGPROXY_TRUSTED_SIGNATURES", "truested"));
  }

  @AfterAll
  static void stop() throws Exception {
    twoPairs.close();
    truncated.close();
    unsigned.close();
    trusting.close();
  }

  static String status(ImgdServer s, String path) throws Exception {
    return ServerTest.status(ServerTest.get(s, path));
  }

  @Test
  void verifySignatureAndMultiplePairs() throws Exception {
    assertThat(status(twoPairs, "/oWaL7QoW5TsgbuiS9-5-DI8S3Ibbo1gdB2SteJh3a20/asd"))
        .isEqualTo(PASSED);
    assertThat(status(twoPairs, "/jYz1UZ7j1BCdSzH3pZhaYf0iuz0vusoOTdqJsUT6WXI/asd"))
        .isEqualTo(PASSED);
    assertThat(status(twoPairs, "/dtLwhdnPPis/asd")).isEqualTo(REFUSED);
  }

  @Test
  void verifySignatureTrusted() throws Exception {
    assertThat(status(trusting, "/truested/asd")).isEqualTo(PASSED);
    assertThat(status(trusting, "/untrusted/asd")).isEqualTo(REFUSED);
    assertThat(status(trusting, "/oWaL7QoW5TsgbuiS9-5-DI8S3Ibbo1gdB2SteJh3a20/asd"))
        .as("the keys still sign")
        .isEqualTo(PASSED);
    assertThat(status(twoPairs, "/truested/asd"))
        .as("trusted by one server only")
        .isEqualTo(REFUSED);
  }

  @Test
  void verifySignatureTruncatedAndInvalid() throws Exception {
    assertThat(status(truncated, "/oWaL7QoW5Ts/asd")).isEqualTo(PASSED);
    assertThat(status(twoPairs, "/oWaL7QoW5Ts/asd")).isEqualTo(REFUSED);
  }

  /**
   * Without keys any signature segment passes, but one that looks like an option is refused as
   * imgproxy refuses it: the URL lost its signature segment, and its first option would be eaten.
   */
  @Test
  void withoutKeysAnOptionInTheSignatureSegmentIsRefused() throws Exception {
    assertThat(ServerTest.get(unsigned, "/insecure/rs:fit:100:0/plain/local:///a.jpg").statusCode())
        .isEqualTo(200);
    assertThat(status(unsigned, "/rs:fit:100:0/plain/local:///a.jpg")).isEqualTo(REFUSED);
    assertThat(ServerTest.get(unsigned, "/insecure//plain/local:///a.jpg").statusCode())
        .isEqualTo(200);
  }

  /**
   * An empty signature segment is a path without one, refused as imgproxy's SplitPathSignature
   * refuses it, with keys or without. imgproxy answers 404 "Invalid path"; imgd's malformed paths
   * are 400 bad_options (the more precise status). It was served without keys.
   */
  @Test
  void anEmptySignatureSegmentIsRefused() throws Exception {
    for (String path :
        List.of(
            "//rs:fit:10:10/plain/local:///a.jpg",
            "//plain/local:///a.jpg",
            "///plain/local:///a.jpg")) {
      assertThat(status(unsigned, path)).as(path).isEqualTo("400 bad_options");
      assertThat(status(twoPairs, path)).as(path).isEqualTo("400 bad_options");
    }
  }
}
