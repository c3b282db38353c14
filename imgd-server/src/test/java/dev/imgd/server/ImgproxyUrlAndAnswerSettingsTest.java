package dev.imgd.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgd.core.probe.Probe;
import dev.imgd.server.ScriptedOrigin.Reply;
import dev.imgd.server.settings.Settings;
import dev.imgd.testkit.Fixtures;
import java.net.URLDecoder;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * imgproxy's URL, source and answer settings under their own names, each over real HTTP: the path
 * prefix, the base URL and URL replacements, presets from a file, formats answered unprocessed,
 * enforced WebP, the loopback source switch, and the ETag and Last-Modified busters. The servers
 * serve imgd's test images as {@code local:///} (Landscape_1.jpg is a 600x450 JPEG) and fetch from
 * a scripted origin on loopback.
 */
class ImgproxyUrlAndAnswerSettingsTest {
  static final byte[] JPEG = Fixtures.bytes("Landscape_1.jpg");
  static final String LAST_MODIFIED = "Wed, 21 Oct 2015 07:28:00 GMT";

  @TempDir static Path dir;
  static ScriptedOrigin origin;

  @BeforeAll
  static void start() throws Exception {
    origin = new ScriptedOrigin();
    origin.script = r -> Reply.ok(JPEG, "Last-Modified", LAST_MODIFIED);
  }

  @AfterAll
  static void stop() throws Exception {
    origin.close();
  }

  static HttpResponse<byte[]> get(ImgdServer s, String url, String... headers) throws Exception {
    return ServerTest.get(s, url, headers);
  }

  static String size(HttpResponse<byte[]> r) {
    assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
    var p = Probe.read(r.body());
    return p.format() + " " + p.width() + "x" + p.height();
  }

  /** The format and size {@code s} answers for {@code path}, signed; the answer must be a 200. */
  static String sized(ImgdServer s, String path) throws Exception {
    return size(get(s, ImgproxyHttp.signed(path)));
  }

  static String b64(String s) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(UTF_8));
  }

  @Test
  void pathPrefixIsTakenOffBeforeRoutingAndSigning() throws Exception {
    try (ImgdServer s = origin.imgd(Map.of("IMGPROXY_PATH_PREFIX", "/img"))) {
      String signed = ImgproxyHttp.signed("/rs:fit:100:0/plain/local:///Landscape_1.jpg");
      assertThat(size(get(s, "/img" + signed))).isEqualTo("JPEG 100x75");
      assertThat(ServerTest.status(get(s, signed))).isEqualTo("404 source_not_found");
      assertThat(ServerTest.status(get(s, "/imgx" + signed))).isEqualTo("404 source_not_found");
      assertThat(get(s, "/img/health").statusCode()).isEqualTo(200); // as imgproxy's router
    }
  }

  @Test
  void baseUrlIsPrependedToSourcesWithoutIt() throws Exception {
    try (ImgdServer s = origin.imgd(Map.of("IMGPROXY_BASE_URL", "local:///"))) {
      assertThat(sized(s, "/rs:fit:100:0/plain/Landscape_1.jpg")).isEqualTo("JPEG 100x75");
      assertThat(sized(s, "/rs:fit:90:0/plain/local:///Landscape_1.jpg")).isEqualTo("JPEG 90x68");
    }
  }

  /** imgproxy's patterns: anchored prefixes, * up to a '/', ${1} what it matched. */
  @Test
  void urlReplacementsRewriteSourcesInOrder() throws Exception {
    try (ImgdServer s =
        origin.imgd(
            Map.of("IMGPROXY_URL_REPLACEMENTS", "img://*/=local:///;pic:*=local:///${1}"))) {
      assertThat(sized(s, "/rs:fit:100:0/plain/img://any/Landscape_1.jpg"))
          .isEqualTo("JPEG 100x75");
      assertThat(sized(s, "/rs:fit:100:0/plain/pic:Landscape_1.jpg")).isEqualTo("JPEG 100x75");
    }
    assertThatThrownBy(() -> origin.imgd(Map.of("IMGPROXY_URL_REPLACEMENTS", "img://=a$2")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("IMGPROXY_URL_REPLACEMENTS");
  }

  /**
   * processing_options_test.go's source URL cases with IMGPROXY_BASE_URL and
   * IMGPROXY_URL_REPLACEMENTS (base64, plain, plain escaped), over HTTP: the path and query the
   * origin got are the URL imgproxy's parser makes (no result cache: two cases are one source).
   */
  @Test
  void imgproxysBaseUrlAndReplacementCases() throws Exception {
    List<String> got = new CopyOnWriteArrayList<>();
    origin.script =
        r -> {
          got.add(r.getHttpURI().getPathQuery());
          return Reply.ok(JPEG);
        };
    String base = URLDecoder.decode(origin.url("/"), UTF_8); // http://127.0.0.1:port/
    try (ImgdServer s =
        origin.imgd(Map.of("IMGPROXY_BASE_URL", base, "IMGD_CACHE_MAX_BYTES", "0"))) {
      String b64 = b64("lorem/ipsum.jpg?param=value");
      assertThat(sized(s, "/size:100:100/" + b64 + ".png")).isEqualTo("PNG 100x75");
      assertThat(got.getLast()).isEqualTo("/lorem/ipsum.jpg?param=value");
      assertThat(sized(s, "/size:100:100/plain/lorem/ipsum.jpg@png")).isEqualTo("PNG 100x75");
      assertThat(got.getLast()).isEqualTo("/lorem/ipsum.jpg");
      String escaped = "/size:100:100/plain/lorem%2Fipsum.jpg%3Fparam=value@png"; // Go's PathEscape
      assertThat(sized(s, escaped)).isEqualTo("PNG 100x75");
      assertThat(got.getLast()).isEqualTo("/lorem/ipsum.jpg?param=value");
    }
    String host = base.substring("http://".length()); // 127.0.0.1:port/
    try (ImgdServer s =
        origin.imgd(
            Map.of(
                "IMGPROXY_URL_REPLACEMENTS",
                "test://*/=test2://" + host + "${1}/dolor/;test2://=http://"))) {
      String b64 = b64("test://lorem/ipsum.jpg?param=value");
      assertThat(sized(s, "/size:100:100/" + b64 + ".png")).isEqualTo("PNG 100x75");
      assertThat(got.getLast()).isEqualTo("/lorem/dolor/ipsum.jpg?param=value");
      assertThat(sized(s, "/size:100:100/plain/test://lorem/ipsum.jpg@png"))
          .isEqualTo("PNG 100x75");
      assertThat(got.getLast()).isEqualTo("/lorem/dolor/ipsum.jpg");
    } finally {
      origin.script = r -> Reply.ok(JPEG, "Last-Modified", LAST_MODIFIED);
    }
  }

  @Test
  void presetsFromAFileJoinThoseOfTheSetting() throws Exception {
    Path file = dir.resolve("presets.txt");
    Files.writeString(file, "# thumbnails\nsmall=rs:fit:50:50\n\n  tiny = rs:fit:20:20 \n");
    try (ImgdServer s =
        origin.imgd(
            Map.of(
                "IMGPROXY_PRESETS_PATH",
                file.toString(),
                "IMGPROXY_PRESETS",
                "small=rs:fit:70:70,png=f:png"))) {
      assertThat(sized(s, "/pr:small:png/plain/local:///Landscape_1.jpg"))
          .isEqualTo("PNG 50x38"); // the file's "small" wins, as imgproxy reads the file last
      assertThat(sized(s, "/pr:tiny/plain/local:///Landscape_1.jpg")).isEqualTo("JPEG 20x15");
    }
  }

  @Test
  void skipProcessingFormatsAnswerTheSourceUnlessAnotherFormatIsAsked() throws Exception {
    try (ImgdServer s = origin.imgd(Map.of("IMGPROXY_SKIP_PROCESSING_FORMATS", "jpg,gif"))) {
      HttpResponse<byte[]> same =
          get(s, ImgproxyHttp.signed("/rs:fit:100:0/plain/local:///Landscape_1.jpg"));
      assertThat(same.body()).isEqualTo(JPEG);
      assertThat(sized(s, "/rs:fit:100:0/plain/local:///Landscape_1.jpg@png"))
          .isEqualTo("PNG 100x75");
    }
    assertThatThrownBy(() -> origin.imgd(Map.of("IMGPROXY_SKIP_PROCESSING_FORMATS", "jpg,nope")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /** imgproxy's enforce: WebP where Accept allows it, even over the URL's format. */
  @Test
  void enforceWebpOverridesTheUrlsFormatWhenAcceptAllowsIt() throws Exception {
    try (ImgdServer s = origin.imgd(Map.of("IMGPROXY_ENFORCE_WEBP", "true"))) {
      String png = ImgproxyHttp.signed("/rs:fit:100:0/plain/local:///Landscape_1.jpg@png");
      HttpResponse<byte[]> webp = get(s, png, "Accept", "image/webp,*/*");
      assertThat(size(webp)).isEqualTo("WEBP 100x75");
      assertThat(webp.headers().firstValue("Vary")).hasValue("Accept");
      HttpResponse<byte[]> asked = get(s, png, "Accept", "image/*");
      assertThat(size(asked)).isEqualTo("PNG 100x75");
      assertThat(asked.headers().firstValue("Vary")).hasValue("Accept");
      // Enforcing offers WebP where the URL names no format too, as imgproxy's detector does.
      String none = ImgproxyHttp.signed("/rs:fit:100:0/plain/local:///Landscape_1.jpg");
      assertThat(size(get(s, none, "Accept", "image/webp"))).isEqualTo("WEBP 100x75");
    }
    try (ImgdServer s = origin.imgd(Map.of("IMGPROXY_AUTO_WEBP", "true"))) {
      String png = ImgproxyHttp.signed("/rs:fit:100:0/plain/local:///Landscape_1.jpg@png");
      assertThat(size(get(s, png, "Accept", "image/webp"))).isEqualTo("PNG 100x75");
    }
  }

  /**
   * IMGPROXY_ENFORCE_JXL: JPEG XL where Accept allows it, first of the enforced formats as in
   * imgproxy, where a pool writes it (the system's libvips, isolated). Where none does, the format
   * is not offered, as any enforced format imgd cannot write: imgproxy would fail every such
   * request with its save error instead.
   */
  @Test
  void enforceJxlWhereAPoolWritesIt() throws Exception {
    String png = ImgproxyHttp.signed("/rs:fit:100:0/plain/local:///Landscape_1.jpg@png");
    try (ImgdServer s =
        origin.imgd(
            Map.of(
                "IMGPROXY_ENFORCE_JXL", "true",
                "IMGPROXY_ENFORCE_WEBP", "true",
                "IMGD_MODE", "isolated",
                "IMGD_WORKERS", "1",
                "IMGD_LIBVIPS_SYSTEM", "detected",
                // The system's pool starts its worker on its first job, on a busy machine.
                "IMGD_TIMEOUT", "25"))) {
      HttpResponse<byte[]> jxl = get(s, png, "Accept", "image/webp,image/jxl,*/*");
      assertThat(size(jxl)).isEqualTo("JXL 100x75");
      assertThat(jxl.headers().firstValue("Vary")).hasValue("Accept");
      assertThat(size(get(s, png, "Accept", "image/webp,*/*"))).isEqualTo("WEBP 100x75");
      assertThat(size(get(s, png, "Accept", "image/*"))).isEqualTo("PNG 100x75");
    }
    try (ImgdServer s = origin.imgd(Map.of("IMGPROXY_ENFORCE_JXL", "true"))) {
      HttpResponse<byte[]> asked = get(s, png, "Accept", "image/jxl,*/*");
      assertThat(size(asked)).isEqualTo("PNG 100x75");
      assertThat(asked.headers().firstValue("Vary")).hasValue("Accept");
    }
  }

  /** Off by default (imgd's safe default); imgproxy's switch adds 127.0.0.0/8 and ::1. */
  @Test
  void allowLoopbackSourceAddressesLetsSourcesReachLoopback() throws Exception {
    String path = "/rs:fit:100:0/plain/" + origin.url("/a.jpg");
    try (ImgdServer s = origin.imgd(Map.of("IMGD_ALLOWED_NETWORKS", ""))) {
      assertThat(ServerTest.status(get(s, ImgproxyHttp.signed(path))))
          .isEqualTo("403 source_forbidden");
    }
    try (ImgdServer s =
        origin.imgd(
            Map.of(
                "IMGD_ALLOWED_NETWORKS", "", "IMGPROXY_ALLOW_LOOPBACK_SOURCE_ADDRESSES", "true"))) {
      assertThat(sized(s, path)).isEqualTo("JPEG 100x75");
    }
  }

  @Test
  void privateAndLinkLocalSwitchesAreRead() {
    Settings s =
        Settings.from(
            Map.of(
                "IMGPROXY_ALLOW_PRIVATE_SOURCE_ADDRESSES", "true",
                "IMGPROXY_ALLOW_LINK_LOCAL_SOURCE_ADDRESSES", "1"));
    assertThat(s.get(Settings.ALLOW_PRIVATE_SOURCES)).isTrue();
    assertThat(s.get(Settings.ALLOW_LINK_LOCAL_SOURCES)).isTrue();
    assertThat(s.get(Settings.ALLOW_LOOPBACK_SOURCES)).isFalse();
  }

  /**
   * processing_handler_test.go's TestCacheControlPassthrough{CacheControl,Expires,Disabled}: the
   * origin's Cache-Control as it is, else the time its Expires leaves, never an Expires header.
   */
  @Test
  void cacheControlPassthrough() throws Exception {
    String path = ImgproxyHttp.signed("/rs:fill:4:4/plain/" + origin.url("/cc.jpg"));
    String inAnHour =
        DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusHours(1));
    try (ImgdServer on = origin.imgd(Map.of("IMGPROXY_CACHE_CONTROL_PASSTHROUGH", "true"));
        ImgdServer off = origin.imgd(Map.of())) {
      origin.script =
          r -> Reply.ok(JPEG, "Cache-Control", "max-age=1234, public", "Expires", inAnHour);
      HttpResponse<byte[]> passed = get(on, path);
      assertThat(passed.headers().firstValue("Cache-Control")).hasValue("max-age=1234, public");
      assertThat(passed.headers().firstValue("Expires")).isEmpty();
      HttpResponse<byte[]> disabled = get(off, path);
      assertThat(disabled.headers().firstValue("Cache-Control"))
          .hasValue("max-age=31536000, public");
      assertThat(disabled.headers().firstValue("Expires")).isEmpty();

      String later =
          DateTimeFormatter.RFC_1123_DATE_TIME.format(
              ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(1239));
      origin.script = r -> Reply.ok(JPEG, "Expires", later);
      String other = ImgproxyHttp.signed("/rs:fill:5:5/plain/" + origin.url("/cc.jpg"));
      HttpResponse<byte[]> expires = get(on, other);
      assertThat(expires.headers().firstValue("Cache-Control").orElseThrow())
          .matches("max-age=123[0-9], public");
      assertThat(expires.headers().firstValue("Expires")).isEmpty();
      // The URL's own exp comes first, as imgproxy's explicit max-age does.
      long exp = Instant.now().getEpochSecond() + 600;
      String withExp =
          ImgproxyHttp.signed("/rs:fill:6:6/exp:" + exp + "/plain/" + origin.url("/cc.jpg"));
      assertThat(get(on, withExp).headers().firstValue("Cache-Control").orElseThrow())
          .matches("max-age=(600|59[0-9]), public");
    } finally {
      origin.script = r -> Reply.ok(JPEG, "Last-Modified", LAST_MODIFIED);
    }
  }

  /** A changed buster matches no ETag issued before it; its own still gives 304. */
  @Test
  void etagBusterChangesEveryEtag() throws Exception {
    String path = ImgproxyHttp.signed("/rs:fit:100:0/plain/local:///Landscape_1.jpg");
    String before;
    try (ImgdServer s = origin.imgd(Map.of())) {
      before = get(s, path).headers().firstValue("ETag").orElseThrow();
    }
    try (ImgdServer s = origin.imgd(Map.of("IMGPROXY_ETAG_BUSTER", "v2"))) {
      String busted = get(s, path).headers().firstValue("ETag").orElseThrow();
      assertThat(busted).isNotEqualTo(before);
      assertThat(get(s, path, "If-None-Match", before).statusCode()).isEqualTo(200);
      assertThat(get(s, path, "If-None-Match", busted).statusCode()).isEqualTo(304);
    }
  }

  /**
   * No Last-Modified older than the buster, and an If-Modified-Since not later than it is neither
   * honoured nor sent to the origin.
   */
  @Test
  void lastModifiedBusterIsTheOldestLastModified() throws Exception {
    String path = "/rs:fit:100:0/plain/" + origin.url("/lm.jpg");
    try (ImgdServer s =
        origin.imgd(
            Map.of(
                "IMGPROXY_LAST_MODIFIED_BUSTER",
                "2020-01-01T00:00:00Z",
                "IMGD_CACHE_MAX_BYTES",
                "0"))) {
      HttpResponse<byte[]> r = get(s, ImgproxyHttp.signed(path));
      assertThat(r.headers().firstValue("Last-Modified")).hasValue("Wed, 01 Jan 2020 00:00:00 GMT");
      HttpResponse<byte[]> old =
          get(s, ImgproxyHttp.signed(path), "If-Modified-Since", LAST_MODIFIED);
      assertThat(old.statusCode()).isEqualTo(200);
      assertThat(origin.last().get("If-Modified-Since")).isNull();
      String later = "Thu, 02 Jan 2020 00:00:00 GMT";
      assertThat(get(s, ImgproxyHttp.signed(path), "If-Modified-Since", later).statusCode())
          .isEqualTo(304);
      assertThat(origin.last().get("If-Modified-Since")).isEqualTo(later);
    }
  }
}
