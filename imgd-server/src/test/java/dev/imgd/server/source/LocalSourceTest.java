package dev.imgd.server.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImgdException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code local:///} files, jailed to the root: no {@code ..}, no symbolic link out of it. */
class LocalSourceTest {
  private static final long CAP = 64 * 1024;

  @TempDir Path temp;
  private Path root;
  private Sources sources;

  @BeforeEach
  void setUp() throws IOException {
    root = Files.createDirectories(temp.resolve("root"));
    Files.createDirectories(root.resolve("a/b"));
    Files.write(root.resolve("a/b/cat.jpg"), TestOrigin.IMAGE);
    Files.write(root.resolve("top.jpg"), TestOrigin.IMAGE);
    Files.write(temp.resolve("secret.txt"), "outside the root".getBytes());
    sources = Sources.create(SourceSettings.builder().localRoot(root).httpEnabled(false).build());
  }

  @AfterEach
  void tearDown() {
    sources.close();
  }

  private byte[] fetch(String url) {
    return sources.fetch(URI.create(url), Instant.now().plusSeconds(5), CAP).bytes();
  }

  private void assertFails(ErrorCode code, Runnable call) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(
            ImgdException.class,
            e -> {
              assertThat(e.code()).isEqualTo(code);
              assertThat(e.getMessage()).doesNotContain(temp.toString());
            });
  }

  @Test
  void servesAFile() {
    assertThat(fetch("local:///a/b/cat.jpg")).isEqualTo(TestOrigin.IMAGE);
    assertThat(fetch("local:///top.jpg")).isEqualTo(TestOrigin.IMAGE);
    assertThat(fetch("local:/top.jpg")).isEqualTo(TestOrigin.IMAGE);
    assertThat(fetch("local:///a//b/cat.jpg")).isEqualTo(TestOrigin.IMAGE);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "local:///../secret.txt",
        "local:///%2e%2e/secret.txt",
        "local:///%2E%2E/secret.txt",
        "local:///a/../../secret.txt",
        "local:///a/b/../../../secret.txt",
        "local:///a/%2e%2e/%2e%2e/secret.txt",
        "local:///a/..%2f..%2fsecret.txt",
        "local:///./top.jpg",
        "local:///top.jpg%00.png",
        "local:///a%5c..%5c..%5csecret.txt"
      })
  void traversalIsForbidden(String url) {
    assertFails(ErrorCode.SOURCE_FORBIDDEN, () -> fetch(url));
    assertFails(ErrorCode.SOURCE_FORBIDDEN, () -> sources.identity(URI.create(url)));
  }

  @Test
  void symlinkOutOfTheRootIsForbidden() throws IOException {
    Files.createSymbolicLink(root.resolve("escape.jpg"), temp.resolve("secret.txt"));
    Files.createSymbolicLink(root.resolve("a/out"), temp);
    Files.createSymbolicLink(root.resolve("rel.jpg"), Path.of("../secret.txt"));
    assertFails(ErrorCode.SOURCE_FORBIDDEN, () -> fetch("local:///escape.jpg"));
    assertFails(ErrorCode.SOURCE_FORBIDDEN, () -> fetch("local:///a/out/secret.txt"));
    assertFails(ErrorCode.SOURCE_FORBIDDEN, () -> fetch("local:///rel.jpg"));
    assertFails(ErrorCode.SOURCE_FORBIDDEN, () -> sources.identity(URI.create("local:///rel.jpg")));
  }

  @Test
  void symlinkWithinTheRootIsFollowed() throws IOException {
    Files.createSymbolicLink(root.resolve("alias.jpg"), root.resolve("a/b/cat.jpg"));
    assertThat(fetch("local:///alias.jpg")).isEqualTo(TestOrigin.IMAGE);
  }

  @Test
  void rootGivenThroughASymlinkStillJails() throws IOException {
    Path link = Files.createSymbolicLink(temp.resolve("root-link"), root);
    try (Sources viaLink = Sources.create(SourceSettings.builder().localRoot(link).build())) {
      assertThat(
              viaLink
                  .fetch(URI.create("local:///top.jpg"), Instant.now().plusSeconds(5), CAP)
                  .bytes())
          .isEqualTo(TestOrigin.IMAGE);
      assertThatThrownBy(() ->
              viaLink.fetch(
                  URI.create("local:///../secret.txt"), Instant.now().plusSeconds(5), CAP))
          .isInstanceOf(ImgdException.class);
    }
  }

  @Test
  void missingFileAndDirectoriesAreNotFound() {
    assertFails(ErrorCode.SOURCE_NOT_FOUND, () -> fetch("local:///nope.jpg"));
    assertFails(ErrorCode.SOURCE_NOT_FOUND, () -> fetch("local:///a/nope/x.jpg"));
    assertFails(ErrorCode.SOURCE_NOT_FOUND, () -> fetch("local:///a/b"));
    assertFails(ErrorCode.SOURCE_NOT_FOUND, () -> fetch("local:///"));
    assertFails(ErrorCode.SOURCE_NOT_FOUND, () -> sources.identity(URI.create("local:///nope")));
  }

  @Test
  void tooLargeIsRefusedBeforeReading() {
    assertFails(
        ErrorCode.TOO_LARGE,
        () ->
            sources.fetch(
                URI.create("local:///top.jpg"),
                Instant.now().plusSeconds(5),
                TestOrigin.IMAGE.length - 1));
    assertThat(
            sources
                .fetch(
                    URI.create("local:///top.jpg"),
                    Instant.now().plusSeconds(5),
                    TestOrigin.IMAGE.length)
                .bytes())
        .hasSize(TestOrigin.IMAGE.length);
  }

  @Test
  void aHostIsMalformed() {
    assertFails(ErrorCode.BAD_OPTIONS, () -> fetch("local://host/top.jpg"));
  }

  @Test
  void pastDeadlineIsDeadlineExceeded() {
    assertFails(
        ErrorCode.DEADLINE_EXCEEDED,
        () -> sources.fetch(URI.create("local:///top.jpg"), Instant.now().minusSeconds(1), CAP));
  }

  @Test
  void identityIsRelativePathSizeAndModificationTime() throws IOException {
    String before = sources.identity(URI.create("local:///a/b/cat.jpg"));
    assertThat(before).startsWith("local:///a/b/cat.jpg#10000-").doesNotContain(temp.toString());
    assertThat(sources.identity(URI.create("local:///a//b/cat.jpg"))).isEqualTo(before);
    Files.setLastModifiedTime(
        root.resolve("a/b/cat.jpg"), FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
    assertThat(sources.identity(URI.create("local:///a/b/cat.jpg"))).isNotEqualTo(before);
  }
}
