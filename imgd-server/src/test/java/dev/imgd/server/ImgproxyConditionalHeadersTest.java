package dev.imgd.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgd.server.ScriptedOrigin.Reply;
import dev.imgd.testkit.Fixtures;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * imgproxy's conditional headers (httpheaders/conditionalheaders/request_test.go and the ETag,
 * Last-Modified, If-Modified-Since and Cache-Control cases of processing_handler_test.go), over
 * real HTTP, with a real origin on loopback that sees what imgd forwards. The result cache is off
 * so that every request reaches the origin.
 *
 * <p>Where imgd differs on purpose, the test says so: imgd's ETag binds the origin's to the
 * variant, so an origin's 304 only ever becomes a 304 for the same options and format.
 */
class ImgproxyConditionalHeadersTest {
  static final byte[] PNG = Fixtures.bytes("with-alpha.png");
  static final String ORIGIN_ETAG = "\"loremipsumdolor\"";
  static final String LAST_MODIFIED = "Wed, 21 Oct 2015 07:28:00 GMT";

  static ScriptedOrigin origin;
  static ImgdServer imgd;

  @BeforeAll
  static void start() throws Exception {
    origin = new ScriptedOrigin();
    imgd = origin.imgd(Map.of("IMGD_CACHE_MAX_BYTES", "0"));
  }

  @AfterAll
  static void stop() throws Exception {
    imgd.close();
    origin.close();
  }

  @BeforeEach
  void imageWithValidators() {
    origin.script =
        r -> {
          String inm = r.getHeaders().get(HttpHeader.IF_NONE_MATCH);
          if (ORIGIN_ETAG.equals(inm)) {
            return Reply.notModified("ETag", ORIGIN_ETAG);
          }
          return Reply.ok(PNG, "ETag", ORIGIN_ETAG, "Last-Modified", LAST_MODIFIED);
        };
  }

  private String path(String options) {
    return "/" + options + "/plain/" + origin.url("/test1.png") + "@png";
  }

  @Test
  void etagDataMatchAnswers304WithTheSameEtag() throws Exception {
    // TestETagDataMatch. Difference: imgd's ETag is not the origin's "loremipsumdolor" itself but
    // binds it to this variant, in the shape of imgproxy's ETag buster ("<variant>/<base64>").
    HttpResponse<byte[]> first = origin.get(imgd, path("rs:fill:4:4"));
    assertThat(first.statusCode()).isEqualTo(200);
    String etag = first.headers().firstValue("ETag").orElseThrow();
    String encoded = Base64.getUrlEncoder().withoutPadding().encodeToString(ORIGIN_ETAG.getBytes());
    assertThat(etag).endsWith("/" + encoded + "\"");

    HttpResponse<byte[]> again = origin.get(imgd, path("rs:fill:4:4"), "If-None-Match", etag);
    assertThat(origin.last().get(HttpHeader.IF_NONE_MATCH)).isEqualTo(ORIGIN_ETAG);
    assertThat(again.statusCode()).isEqualTo(304);
    assertThat(again.body()).isEmpty();
    assertThat(again.headers().firstValue("ETag")).hasValue(etag);
    assertThat(again.headers().firstValue("Last-Modified")).isEmpty(); // the origin's 304 had none
  }

  @Test
  void theOriginsOwnEtagIsNotSentBack() throws Exception {
    // Difference: imgproxy forwards any If-None-Match; imgd only the ones it issued for this key.
    HttpResponse<byte[]> r = origin.get(imgd, path("rs:fill:4:4"), "If-None-Match", ORIGIN_ETAG);
    assertThat(origin.last().get(HttpHeader.IF_NONE_MATCH)).isNull();
    assertThat(r.statusCode()).isEqualTo(200);
  }

  @Test
  void anEtagOfOtherOptionsNeverBecomesA304() throws Exception {
    String etag = origin.get(imgd, path("rs:fill:4:4")).headers().firstValue("ETag").orElseThrow();
    HttpResponse<byte[]> other = origin.get(imgd, path("rs:fill:8:8"), "If-None-Match", etag);
    assertThat(origin.last().get(HttpHeader.IF_NONE_MATCH)).isNull();
    assertThat(other.statusCode()).isEqualTo(200);
    assertThat(other.headers().firstValue("ETag").orElseThrow()).isNotEqualTo(etag);
  }

  @Test
  void etagDisabledNeitherCarriesNorForwardsTheOrigins() throws Exception {
    // TestETagDisabled, and request_test's "all disabled". Difference: imgproxy then sends no ETag;
    // imgd still sends its own, a hash of the bytes, which its result cache revalidates.
    try (ImgdServer off =
        origin.imgd(Map.of("IMGD_CACHE_MAX_BYTES", "0", "IMGD_USE_ETAG", "false"))) {
      HttpResponse<byte[]> first = origin.get(off, path("rs:fill:4:4"));
      String etag = first.headers().firstValue("ETag").orElseThrow();
      assertThat(etag).doesNotContain("/");
      origin.get(off, path("rs:fill:4:4"), "If-None-Match", etag);
      assertThat(origin.last().get(HttpHeader.IF_NONE_MATCH)).isNull();
    }
  }

  @Test
  void lastModifiedEnabledPassesItOn() throws Exception {
    // TestLastModifiedEnabled
    HttpResponse<byte[]> r = origin.get(imgd, path("rs:fill:4:4"));
    assertThat(r.headers().firstValue("Last-Modified")).hasValue(LAST_MODIFIED);
  }

  @Test
  void lastModifiedDisabledDropsItAndForwardsNothing() throws Exception {
    // TestLastModifiedDisabled, TestModifiedSinceReq*LastModifiedDisabled
    try (ImgdServer off =
        origin.imgd(Map.of("IMGD_CACHE_MAX_BYTES", "0", "IMGD_USE_LAST_MODIFIED", "false"))) {
      HttpResponse<byte[]> r = origin.get(off, path("rs:fill:4:4"));
      assertThat(r.headers().firstValue("Last-Modified")).isEmpty();
      for (String since : new String[] {LAST_MODIFIED, "Thu, 25 Feb 2021 01:45:00 GMT"}) {
        HttpResponse<byte[]> c = origin.get(off, path("rs:fill:4:4"), "If-Modified-Since", since);
        assertThat(origin.last().get(HttpHeader.IF_MODIFIED_SINCE)).isNull();
        assertThat(c.statusCode()).isEqualTo(200);
      }
    }
  }

  @Test
  void ifModifiedSinceIsForwardedAndTheOrigins304Passed() throws Exception {
    // TestModifiedSinceReqExactMatchLastModifiedEnabled, ...CompareMoreRecent..., ...TooOld...
    origin.script =
        r -> {
          String since = r.getHeaders().get(HttpHeader.IF_MODIFIED_SINCE);
          long at = org.eclipse.jetty.http.HttpDateTime.parseToEpoch(since);
          boolean fresh = at >= org.eclipse.jetty.http.HttpDateTime.parseToEpoch(LAST_MODIFIED);
          return fresh ? Reply.notModified() : Reply.ok(PNG, "Last-Modified", LAST_MODIFIED);
        };
    for (String since : new String[] {LAST_MODIFIED, "Thu, 25 Feb 2021 01:45:00 GMT"}) {
      HttpResponse<byte[]> r = origin.get(imgd, path("rs:fill:4:4"), "If-Modified-Since", since);
      assertThat(origin.last().get(HttpHeader.IF_MODIFIED_SINCE)).isEqualTo(since);
      assertThat(r.statusCode()).isEqualTo(304);
    }
    String old = "Tue, 01 Oct 2013 17:31:00 GMT";
    HttpResponse<byte[]> r = origin.get(imgd, path("rs:fill:4:4"), "If-Modified-Since", old);
    assertThat(origin.last().get(HttpHeader.IF_MODIFIED_SINCE)).isEqualTo(old);
    assertThat(r.statusCode()).isEqualTo(200);
  }

  @Test
  void ifModifiedSinceIsNotForwardedForAFormatChosenFromAccept() throws Exception {
    // Difference: a 304 that carries only a date could refresh another Accept's variant in a
    // shared cache, so imgd forwards If-Modified-Since only when the URL fixes the format.
    try (ImgdServer auto =
        origin.imgd(Map.of("IMGD_CACHE_MAX_BYTES", "0", "IMGD_AUTO_WEBP", "true"))) {
      String negotiated = "/rs:fill:4:4/plain/" + origin.url("/test1.png");
      HttpResponse<byte[]> r =
          origin.get(auto, negotiated, "Accept", "image/webp", "If-Modified-Since", LAST_MODIFIED);
      assertThat(origin.last().get(HttpHeader.IF_MODIFIED_SINCE)).isNull();
      assertThat(r.statusCode()).isEqualTo(200);
    }
  }

  @Test
  void aResultCacheHitRevalidatesWithTheSameValidators() throws Exception {
    try (ImgdServer cached = origin.imgd(Map.of())) {
      HttpResponse<byte[]> first = origin.get(cached, path("rs:fill:4:4"));
      String etag = first.headers().firstValue("ETag").orElseThrow();
      int asked = origin.requests.size();
      HttpResponse<byte[]> hit = origin.get(cached, path("rs:fill:4:4"), "If-None-Match", etag);
      HttpResponse<byte[]> since =
          origin.get(cached, path("rs:fill:4:4"), "If-Modified-Since", LAST_MODIFIED);
      assertThat(origin.requests).hasSize(asked); // both answered from the cache
      assertThat(hit.statusCode()).isEqualTo(304);
      assertThat(since.statusCode()).isEqualTo(304);
      assertThat(since.headers().firstValue("ETag")).hasValue(etag);
    }
  }

  @Test
  void cacheControlIsImgdsAndNoExpiresIsSent() throws Exception {
    // TestCacheControlPassthroughDisabled (imgproxy's default): the origin's Cache-Control and
    // Expires are not passed on, and imgproxy sends no Expires of its own.
    origin.script =
        r -> Reply.ok(PNG, "Cache-Control", "max-age=1234, public", "Expires", LAST_MODIFIED);
    HttpResponse<byte[]> r = origin.get(imgd, path("rs:fill:4:4"));
    assertThat(r.headers().firstValue("Cache-Control")).hasValue("max-age=31536000, public");
    assertThat(r.headers().firstValue("Expires")).isEmpty();
    assertThat(r.headers().firstValue("Content-Security-Policy").orElseThrow()).contains("sandbox");
  }

  @Test
  void expiresCapsTheMaxAge() throws Exception {
    // imgproxy's SetExpires: max-age is at most the time the URL has left.
    long exp = Instant.now().getEpochSecond() + 100;
    HttpResponse<byte[]> r = origin.get(imgd, path("rs:fill:4:4/exp:" + exp));
    assertThat(r.statusCode()).isEqualTo(200);
    String cacheControl = r.headers().firstValue("Cache-Control").orElseThrow();
    long maxAge = Long.parseLong(cacheControl.replaceAll("max-age=(\\d+), public", "$1"));
    assertThat(maxAge).isBetween(80L, 100L);
    long far = Instant.now().getEpochSecond() + 10 * 31536000L;
    assertThat(
            origin.get(imgd, path("rs:fill:4:4/exp:" + far)).headers().firstValue("Cache-Control"))
        .hasValue("max-age=31536000, public");
  }
}
