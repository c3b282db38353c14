package dev.imgd.server.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which sources are decoded in the server process: matched on the parsed URL, checked on every
 * redirect hop (FM-20: anything else goes to the isolated workers).
 */
class TrustedSourcesTest {

  private static boolean trusts(String entry, String url) {
    return TrustedSources.parse(List.of(entry)).trusts(URI.create(url));
  }

  /**
   * Finding (issue 15): trusted sources were a string prefix, so {@code http://trusted.test}
   * trusted {@code http://trusted.test.evil.test/} and {@code http://trusted.testevil.test/}.
   */
  @Test
  void trustedSourcesAreMatchedOnTheParsedUrlNotAsAStringPrefix() {
    String entry = "http://trusted.test";
    for (String same :
        List.of(
            "http://trusted.test/a.jpg",
            "http://trusted.test",
            "HTTP://TRUSTED.test./a.jpg",
            "http://trusted.test:80/a.jpg")) {
      assertThat(trusts(entry, same)).as(same).isTrue();
    }
    for (String other :
        List.of(
            "http://trusted.test.evil.test/a.jpg",
            "http://trusted.testevil.test/a.jpg",
            "http://trusted.test:8080/a.jpg",
            "https://trusted.test/a.jpg",
            "http://user@trusted.test/a.jpg",
            "http://trusted.test@evil.test/a.jpg",
            "http://evil.test/http://trusted.test/a.jpg")) {
      assertThat(trusts(entry, other)).as(other).isFalse();
    }
  }

  @Test
  void pathsMatchWholeSegments() {
    String entry = "https://cdn.test/photos/";
    assertThat(trusts(entry, "https://cdn.test/photos/a.jpg")).isTrue();
    assertThat(trusts(entry, "https://cdn.test/photos/2024/a.jpg")).isTrue();
    assertThat(trusts(entry, "https://cdn.test:443/photos/./a.jpg")).isTrue();
    assertThat(trusts("https://cdn.test/photos", "https://cdn.test/photos/a.jpg")).isTrue();
    for (String other :
        List.of(
            "https://cdn.test/photos-upload/a.jpg",
            "https://cdn.test/photosa.jpg",
            "https://cdn.test/a.jpg",
            "https://cdn.test/Photos/a.jpg",
            "https://cdn.test/photos/../uploads/a.jpg",
            "https://cdn.test/photos/%2e%2e/uploads/a.jpg",
            "https://cdn.test/photos%2F..%2Fuploads/a.jpg")) {
      assertThat(trusts(entry, other)).as(other).isFalse();
    }
  }

  @Test
  void hostsAreNormalisedInEntries() {
    assertThat(trusts("https://bücher.test/", "https://xn--bcher-kva.test/a.jpg")).isTrue();
    assertThat(trusts("https://CDN.test.:8443/", "https://cdn.test:8443/a.jpg")).isTrue();
    assertThat(trusts("https://cdn.test:8443/", "https://cdn.test/a.jpg")).isFalse();
    assertThat(trusts("http://[::1]:8080/", "http://[::1]:8080/a.jpg")).isTrue();
  }

  @Test
  void localAndS3() {
    assertThat(trusts("local:///", "local:///a/b.jpg")).isTrue();
    assertThat(trusts("local://", "local:///a/b.jpg")).isTrue();
    assertThat(trusts("local:///a", "local:///ab.jpg")).isFalse();
    assertThat(trusts("local:///", "s3://b/a.jpg")).isFalse();
    assertThat(trusts("s3://bucket/dir/", "s3://bucket/dir/a.jpg")).isTrue();
    assertThat(trusts("s3://bucket/dir/", "s3://bucket2/dir/a.jpg")).isFalse();
    assertThat(trusts("s3://bucket/dir/", "s3://bucket/dirx/a.jpg")).isFalse();
    assertThat(trusts("s3://", "s3://any/a.jpg")).isTrue();
  }

  @Test
  void badEntriesAreRefused() {
    for (String bad :
        List.of(
            "trusted.test",
            "ftp://trusted.test/",
            "http:///nohost",
            "http://user@trusted.test/",
            "https://a.test/?q=1",
            "https://a.test/#f",
            "local://host/",
            "s3:///key",
            "http://a b/")) {
      assertThatThrownBy(() -> TrustedSources.parse(List.of(bad)))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(TrustedSources.parse(List.of()).isEmpty()).isTrue();
  }

  /**
   * Finding (issue 15): whatever a trusted origin redirected to was decoded in the server process.
   * Real HTTP on loopback: the fetch names every hop, and trust needs every one.
   */
  @Test
  void aTrustedUrlThatRedirectsElsewhereIsNotTrusted() throws Exception {
    try (TestOrigin origin = new TestOrigin();
        TestOrigin elsewhere = new TestOrigin();
        Sources sources = HttpSourceTest.create(SourceSettings.builder())) {
      TrustedSources trusted = TrustedSources.parse(List.of(origin.url() + "/"));
      Fetched direct = fetch(sources, origin.url() + "/image");
      assertThat(trusted.trusts(direct)).isTrue();

      String redirect =
          origin.url()
              + "/to?url="
              + URLEncoder.encode(elsewhere.url() + "/image", StandardCharsets.UTF_8);
      Fetched away = fetch(sources, redirect);
      assertThat(away.bytes()).isEqualTo(TestOrigin.IMAGE);
      assertThat(away.urls())
          .containsExactly(URI.create(redirect), URI.create(elsewhere.url() + "/image"));
      assertThat(trusted.trusts(away)).isFalse();

      // Within the trusted folder only: a redirect out of it is not trusted either.
      TrustedSources folder = TrustedSources.parse(List.of(origin.url() + "/hops"));
      assertThat(folder.trusts(fetch(sources, origin.url() + "/hops/1"))).isFalse();
      assertThat(trusted.trusts(fetch(sources, origin.url() + "/hops/1"))).isTrue();
    }
  }

  private static Fetched fetch(Sources sources, String url) {
    return sources.fetch(URI.create(url), Instant.now().plusSeconds(5), 1 << 20);
  }
}
