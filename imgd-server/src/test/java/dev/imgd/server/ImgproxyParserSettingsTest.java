package dev.imgd.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgd.core.probe.Probe;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * imgproxy's settings of the URL parser under their own names, over real HTTP on an isolated and an
 * in-process server: {@code IMGPROXY_ARGUMENTS_SEPARATOR}, {@code
 * IMGPROXY_BASE64_URL_INCLUDES_FILENAME} and {@code IMGPROXY_ALLOWED_PROCESSING_OPTIONS}, with the
 * cases of imgproxy's options/parser/processing_options_test.go that set them
 * (TestParseWithArgumentsSeparator, TestParseBase64URLWithFilename, TestParseAllowedOptions).
 * geometry.png is 200x100.
 */
class ImgproxyParserSettingsTest {
  /**
   * A preset is written with the separator too, and may use any option. In a file: the comma also
   * separates IMGPROXY_PRESETS' entries, in imgproxy as here.
   */
  static final Path PRESETS = presets("test1=blur,0.2");

  @RegisterExtension
  static final ImgproxyServers SERVERS =
      new ImgproxyServers(
          Map.of(
              "IMGPROXY_ARGUMENTS_SEPARATOR", ",",
              "IMGPROXY_BASE64_URL_INCLUDES_FILENAME", "true",
              "IMGPROXY_ALLOWED_PROCESSING_OPTIONS", "w, h, pr, size, f",
              "IMGPROXY_PRESETS_PATH", PRESETS.toString()));

  private static Path presets(String line) {
    try {
      Path file = Files.createTempFile("imgd-presets-", ".txt");
      file.toFile().deleteOnExit();
      return Files.writeString(file, line + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static HttpResponse<byte[]> get(ImgdServer s, String path) throws Exception {
    return ServerTest.get(s, ServerTest.signed(path));
  }

  static String size(HttpResponse<byte[]> r) {
    assertThat(r.statusCode()).as(new String(r.body(), UTF_8)).isEqualTo(200);
    var p = Probe.read(r.body());
    return p.format() + " " + p.width() + "x" + p.height();
  }

  static String b64(String s) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(UTF_8));
  }

  /** TestParseWithArgumentsSeparator: {@code size,100,100,1} is width, height and enlarge. */
  @Test
  void argumentsSeparator() throws Exception {
    for (ImgdServer s : SERVERS.both()) {
      assertThat(size(get(s, "/size,100,100,1/plain/local:///geometry.png")))
          .isEqualTo("PNG 100x50");
      assertThat(size(get(s, "/size,400,400,1/plain/local:///geometry.png")))
          .isEqualTo("PNG 400x200");
      // The colon is no separator any more: the segment is taken for the source, as imgproxy's
      // parser does (imgd's 400 where imgproxy answers 404, as for every malformed path).
      HttpResponse<byte[]> colon = get(s, "/size:100:100/plain/local:///geometry.png");
      assertThat(ServerTest.status(colon)).isEqualTo("400 bad_options");
    }
  }

  /** TestParseBase64URLWithFilename: the last segment of a split base64 source is a file name. */
  @Test
  void base64UrlIncludesFilename() throws Exception {
    String source = b64("local:///geometry.png");
    String half = source.substring(0, 8) + "/" + source.substring(8);
    for (ImgdServer s : SERVERS.both()) {
      assertThat(size(get(s, "/size,100,100/" + source + ".png/puppy.jpg")))
          .isEqualTo("PNG 100x50");
      assertThat(size(get(s, "/size,100,100/" + half + ".webp/puppy.jpg")))
          .isEqualTo("WEBP 100x50");
      // A source in one segment has no file name to drop, as in imgproxy.
      assertThat(size(get(s, "/size,100,100/" + source + ".png"))).isEqualTo("PNG 100x50");
    }
  }

  /**
   * TestParseAllowedOptions: each name is checked as the URL writes it; presets may use any option.
   * imgproxy answers 404 "Invalid URL" (its message names the option); imgd answers 400 bad_options
   * naming it, as for every malformed URL.
   */
  @Test
  void allowedProcessingOptions() throws Exception {
    String image = "/plain/local:///geometry.png@png";
    for (ImgdServer s : SERVERS.both()) {
      assertThat(size(get(s, "/w,100/h,200" + image))).isEqualTo("PNG 100x50");
      assertThat(size(get(s, "/w,100/h,200/pr,test1" + image))).isEqualTo("PNG 100x50");
      for (String forbidden :
          new String[] {"/w,100/h,200/blur,10", "/w,100/h,200/pr,test1/bl,10"}) {
        HttpResponse<byte[]> r = get(s, forbidden + image);
        assertThat(ServerTest.status(r)).isEqualTo("400 bad_options");
        assertThat(new String(r.body(), UTF_8)).contains("Forbidden processing option bl");
      }
      // An alias is another name: "width" is not "w".
      HttpResponse<byte[]> width = get(s, "/width,100" + image);
      assertThat(new String(width.body(), UTF_8)).contains("Forbidden processing option width");
    }
  }

  /** Values that cannot work stop the start. */
  @Test
  void unusableValuesStopTheStart() {
    for (Map<String, String> bad :
        java.util.List.of(
            Map.of("IMGPROXY_ARGUMENTS_SEPARATOR", "/"),
            Map.of("IMGD_ARGUMENTS_SEPARATOR", ""),
            Map.of("IMGPROXY_ALLOWED_PROCESSING_OPTIONS", "w,nope"))) {
      assertThatThrownBy(() -> ServerTest.start(bad).close())
          .as(bad.toString())
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
