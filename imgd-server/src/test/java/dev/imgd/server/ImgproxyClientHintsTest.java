package dev.imgd.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgd.core.probe.Probe;
import dev.imgd.core.probe.ProbeResult;
import dev.imgd.testkit.Fixtures;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code IMGPROXY_ENABLE_CLIENT_HINTS} over HTTP on an isolated and an in-process server: the cases
 * of imgproxy's options/parser/processing_options_test.go TestParsePathClientHints and
 * TestParsePathClientHintsRedefine (the hinted width over the hinted dpr is the default width, the
 * hinted dpr the default dpr; the URL's own win), and of clientfeatures/detector_test.go
 * TestFeaturesClientHintsDPR, TestFeaturesClientHintsWidth and TestSetVary, seen in the size of the
 * answer (on a 600x450 JPEG) and its Vary header.
 */
class ImgproxyClientHintsTest {
  @RegisterExtension
  static final ImgproxyServers SERVERS =
      new ImgproxyServers(Map.of("IMGPROXY_ENABLE_CLIENT_HINTS", "true"));

  /** imgproxy's Vary while hints are on (its test has Go's spelling: header names ignore case). */
  static final String VARY = "Sec-CH-DPR, DPR, Sec-CH-Width, Width";

  @BeforeAll
  static void images() throws Exception {
    Files.write(
        Objects.requireNonNull(ServerTest.root).resolve("l.jpg"),
        Fixtures.bytes("Landscape_1.jpg"));
  }

  /**
   * Each row: the URL's options, the hint headers (name=value, comma-separated), the width of the
   * answer. Bad hint values (negative, above imgproxy's DPR bound of 8, not a number) are skipped
   * as imgproxy skips them, not refused: they are headers a browser or proxy sent, not the URL the
   * user wrote, so the image is answered as if they were absent.
   */
  @ParameterizedTest(name = "{0} with {1} -> {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        // TestParsePathClientHints: NoClientHints, WidthOnly, DprOnly, WidthAndDpr
        "q:80||600",
        "q:80|Width=100|100",
        "q:80|DPR=2|600", // dpr 2 without a size: no enlargement
        "w:100|DPR=2|200",
        "q:80|Width=100,DPR=2|100", // w 50 at dpr 2
        // TestParsePathClientHintsRedefine: the URL's width and dpr win
        "width:150/dpr:3.0|Width=100,DPR=2|450",
        "dpr:3|Width=120,DPR=2|180", // the hinted width over the hinted dpr, at the URL's dpr
        // detector_test.go: Sec-CH- wins over the old name, each when valid
        "w:100|DPR=3.0,Sec-CH-DPR=2.5|250",
        "w:100|Sec-CH-DPR=2.0|200",
        "q:80|Width=128,Sec-CH-Width=144|144",
        "q:80|Sec-CH-Width=102|102",
        "w:100|Sec-CH-DPR=abc,DPR=2|200",
        "w:100|DPR=1.5|150",
        // invalid values: no hint
        "w:100|DPR=-1.0|100",
        "w:100|DPR=10.0|100",
        "w:100|DPR=abc|100",
        "w:100|DPR=2d|100", // Java's parseDouble would take it; imgproxy's ParseFloat does not
        "w:100|DPR=0|100",
        "q:80|Width=-800|600",
        "q:80|Width=abc|600",
        "q:80|Width=1e2|600",
      })
  void hintsSetTheDefaultWidthAndDpr(String options, String hints, int width) throws Exception {
    for (ImgdServer s : SERVERS.both()) {
      HttpResponse<byte[]> r = get(s, options, hints == null ? "" : hints);
      assertThat(r.statusCode()).as(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(200);
      ProbeResult probe = Probe.read(r.body());
      assertThat(probe.width()).as("%s with %s", options, hints).isEqualTo(width);
      assertThat(r.headers().firstValue("Vary").orElseThrow()).isEqualToIgnoringCase(VARY);
    }
  }

  /**
   * The hints change the options, and so the cache key: a hinted answer is never served to a
   * request without hints (or with others), and every answer, a hit or not, varies with them.
   */
  @Test
  void aHintedAnswerIsNeverServedForAnotherRequest() throws Exception {
    for (ImgdServer s : SERVERS.both()) {
      assertThat(width(get(s, "q:81", "Width=90"))).isEqualTo(90);
      assertThat(width(get(s, "q:81", ""))).isEqualTo(600);
      assertThat(width(get(s, "q:81", "Width=90"))).isEqualTo(90);
      assertThat(width(get(s, "w:201", "DPR=2"))).isEqualTo(402);
      assertThat(width(get(s, "w:201", "Sec-CH-DPR=2"))).isEqualTo(402);
      HttpResponse<byte[]> again = get(s, "w:201", "");
      assertThat(width(again)).isEqualTo(201);
      assertThat(again.headers().firstValue("Vary").orElseThrow()).isEqualToIgnoringCase(VARY);
    }
  }

  /** detector_test.go TestSetVary: Combined, and ClientHintsDisabled (headers ignored, no Vary). */
  @Test
  void varyNamesAcceptToo_andHintsAreIgnoredWhenOff() throws Exception {
    try (ImgproxyServers.Both both =
        ImgproxyServers.Both.start(
            Map.of("IMGPROXY_ENABLE_CLIENT_HINTS", "true", "IMGPROXY_AUTO_WEBP", "true"))) {
      for (ImgdServer s : both) {
        HttpResponse<byte[]> r = get(s, "w:100", "Accept=image/webp");
        assertThat(r.headers().firstValue("Content-Type")).hasValue("image/webp");
        assertThat(r.headers().firstValue("Vary").orElseThrow())
            .isEqualToIgnoringCase("Accept, " + VARY);
      }
    }
    try (ImgproxyServers.Both both = ImgproxyServers.Both.start(Map.of())) {
      for (ImgdServer s : both) {
        HttpResponse<byte[]> r = get(s, "q:80", "Width=100,DPR=2,Sec-CH-DPR=3,Sec-CH-Width=120");
        assertThat(width(r)).isEqualTo(600);
        assertThat(r.headers().firstValue("Vary")).isEmpty();
      }
    }
  }

  /** The answer to {@code options} on l.jpg, with the headers {@code name=value,...}. */
  private static HttpResponse<byte[]> get(ImgdServer s, String options, String headers)
      throws Exception {
    String[] pairs = headers.isEmpty() ? new String[0] : headers.split(",");
    String[] flat = new String[pairs.length * 2];
    for (int i = 0; i < pairs.length; i++) {
      String[] kv = pairs[i].split("=", 2);
      flat[2 * i] = kv[0];
      flat[2 * i + 1] = kv[1];
    }
    return ServerTest.get(s, ServerTest.signed("/" + options + "/plain/local:///l.jpg"), flat);
  }

  private static int width(HttpResponse<byte[]> r) throws Exception {
    assertThat(r.statusCode()).isEqualTo(200);
    return Probe.read(r.body()).width();
  }
}
