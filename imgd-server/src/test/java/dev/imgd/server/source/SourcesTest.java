package dev.imgd.server.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImgdException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Routing by scheme and the allow-list, which apply before any source is asked. */
class SourcesTest {
  @TempDir Path root;

  private static void assertFails(ErrorCode code, Runnable call) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(ImgdException.class, e -> assertThat(e.code()).isEqualTo(code));
  }

  private static byte[] fetch(Sources sources, String url) {
    return sources.fetch(URI.create(url), Instant.now().plusSeconds(5), 1 << 20).bytes();
  }

  @Test
  void unknownAndDisabledSchemesAreForbidden() {
    try (Sources sources = Sources.create(SourceSettings.builder().httpEnabled(false).build())) {
      for (String url :
          List.of(
              "local:///a.jpg",
              "http://example.com/a.jpg",
              "https://example.com/a.jpg",
              "s3://bucket/a.jpg",
              "file:///etc/passwd",
              "ftp://example.com/a.jpg",
              "jar:file:/x!/y")) {
        assertFails(ErrorCode.SOURCE_FORBIDDEN, () -> fetch(sources, url));
        assertFails(ErrorCode.SOURCE_FORBIDDEN, () -> sources.identity(URI.create(url)));
      }
      assertFails(ErrorCode.BAD_OPTIONS, () -> fetch(sources, "/no/scheme.jpg"));
    }
  }

  @Test
  void allowListAdmitsOnlyItsPrefixes() throws IOException {
    Files.createDirectories(root.resolve("public"));
    Files.write(root.resolve("public/a.jpg"), TestOrigin.IMAGE);
    Files.write(root.resolve("private.jpg"), TestOrigin.IMAGE);
    SourceSettings settings =
        SourceSettings.builder()
            .localRoot(root)
            .allowedSources(List.of("local:///public/", "HTTPS://Images.Example"))
            .build();
    try (Sources sources = Sources.create(settings)) {
      assertThat(fetch(sources, "local:///public/a.jpg")).isEqualTo(TestOrigin.IMAGE);
      assertFails(ErrorCode.SOURCE_FORBIDDEN, () -> fetch(sources, "local:///private.jpg"));
      assertFails(
          ErrorCode.SOURCE_FORBIDDEN, () -> fetch(sources, "local:///public/../private.jpg"));
      assertFails(
          ErrorCode.SOURCE_FORBIDDEN, () -> fetch(sources, "local:///public/%2e%2e/private.jpg"));

      // Identity only: no request leaves the machine. A bare host prefix gets its slash.
      assertThat(sources.identity(URI.create("https://images.example/a.jpg")))
          .isEqualTo("https://images.example/a.jpg");
      assertThat(sources.identity(URI.create("https://IMAGES.example/a.jpg")))
          .isEqualTo("https://images.example/a.jpg");
      for (String url :
          List.of(
              "https://images.example.evil.net/a.jpg",
              "https://images.example@evil.net/a.jpg",
              "https://images.example:8443/a.jpg",
              "http://images.example/a.jpg",
              "https://evil.net/?https://images.example/")) {
        assertFails(ErrorCode.SOURCE_FORBIDDEN, () -> sources.identity(URI.create(url)));
      }
    }
  }

  @Test
  void settingsNeverPrintTheSecret() {
    SourceSettings settings = SourceSettings.builder().s3Credentials("AKIA-test", "s3cr3t").build();
    assertThat(settings.toString()).contains("AKIA-test").doesNotContain("s3cr3t");
    assertThatThrownBy(() -> SourceSettings.builder().s3Credentials("a", null).build())
        .isInstanceOf(IllegalArgumentException.class);
  }
}
