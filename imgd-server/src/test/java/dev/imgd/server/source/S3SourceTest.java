package dev.imgd.server.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImgdException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The S3 source against a real S3-compatible server: s3mock's standalone jar (fetched by the build
 * into target/, its path given as the system property {@code imgd.s3mock.jar}), started once for
 * the class on free local ports.
 */
class S3SourceTest {
  private static final String BUCKET = "b";
  private static final long CAP = 64 * 1024;

  private static Process s3mock;
  private static Path store;
  private static Sources sources;
  private static S3Client client;

  @BeforeAll
  static void start() throws Exception {
    String jar = System.getProperty("imgd.s3mock.jar");
    assertThat(jar).as("system property imgd.s3mock.jar (set by the pom)").isNotBlank();
    assertThat(Path.of(jar)).exists();
    store = Files.createTempDirectory("imgd-s3mock");
    int httpPort = freePort();
    int httpsPort = freePort();
    String java = ProcessHandle.current().info().command().orElse("java");
    s3mock =
        new ProcessBuilder(
                java,
                "-Xmx256m",
                "-XX:TieredStopAtLevel=1", // starts faster; it serves a handful of requests
                "-XX:+UseSerialGC",
                "-jar",
                jar,
                "--http.port=" + httpPort,
                "--server.port=" + httpsPort,
                "--com.adobe.testing.s3mock.store.root=" + store,
                "--com.adobe.testing.s3mock.store.initial-buckets=" + BUCKET,
                "--spring.main.banner-mode=off",
                "--logging.level.root=WARN")
            .redirectErrorStream(true)
            .redirectOutput(store.resolveSibling(store.getFileName() + ".log").toFile())
            .start();
    awaitPort(httpPort, Duration.ofSeconds(60));

    String endpoint = "http://127.0.0.1:" + httpPort;
    SourceSettings settings =
        SourceSettings.builder()
            .httpEnabled(false)
            .s3Enabled(true)
            .s3Endpoint(endpoint)
            .s3PathStyle(true)
            .s3Credentials("test", "test")
            .build();
    sources = Sources.create(settings);
    client =
        S3Client.builder()
            .httpClientBuilder(UrlConnectionHttpClient.builder())
            .endpointOverride(URI.create(endpoint))
            .forcePathStyle(true)
            .region(Region.US_EAST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
            .build();
    client.putObject(
        r -> r.bucket(BUCKET).key("images/cat.jpg"), RequestBody.fromBytes(TestOrigin.IMAGE));
    client.putObject(
        r -> r.bucket(BUCKET).key("a b+c.jpg"), RequestBody.fromBytes(TestOrigin.IMAGE));
    client.putObject(r -> r.bucket(BUCKET).key("big.bin"), RequestBody.fromBytes(TestOrigin.BIG));
  }

  @AfterAll
  static void stop() throws Exception {
    if (sources != null) {
      sources.close();
    }
    if (client != null) {
      client.close();
    }
    if (s3mock != null) {
      s3mock.destroy();
      if (!s3mock.waitFor(10, TimeUnit.SECONDS)) {
        s3mock.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    }
    if (store != null) {
      try (var files = Files.walk(store)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
      Files.deleteIfExists(store.resolveSibling(store.getFileName() + ".log"));
    }
  }

  private static byte[] fetch(String url, long cap) {
    return sources.fetch(URI.create(url), Instant.now().plusSeconds(10), cap).bytes();
  }

  private static void assertFails(ErrorCode code, Runnable call) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(ImgdException.class, e -> assertThat(e.code()).isEqualTo(code));
  }

  @Test
  void fetchesAnObject() {
    assertThat(fetch("s3://b/images/cat.jpg", CAP)).isEqualTo(TestOrigin.IMAGE);
    assertThat(fetch("s3://b/a%20b+c.jpg", CAP)).isEqualTo(TestOrigin.IMAGE);
  }

  @Test
  void missingKeyOrBucketIsNotFound() {
    assertFails(ErrorCode.SOURCE_NOT_FOUND, () -> fetch("s3://b/images/nope.jpg", CAP));
    assertFails(ErrorCode.SOURCE_NOT_FOUND, () -> fetch("s3://no-such-bucket/cat.jpg", CAP));
  }

  /**
   * Finding (issue 15): S3 answers 403 AccessDenied for a key the credentials may not list (a
   * missing one): not found, and not the bucket's fault. The endpoint here is a real HTTP origin
   * answering S3's XML, as s3mock has no access control.
   */
  @Test
  void accessDeniedIsNotFoundNotTheBucketsFault() throws Exception {
    try (TestOrigin denying = new TestOrigin();
        Sources s3 =
            Sources.create(
                SourceSettings.builder()
                    .httpEnabled(false)
                    .s3Enabled(true)
                    .s3Endpoint(denying.url())
                    .s3PathStyle(true)
                    .s3Credentials("test", "test")
                    .build())) {
      assertThatThrownBy(
              () -> s3.fetch(URI.create("s3://denied/key"), Instant.now().plusSeconds(10), CAP))
          .isInstanceOfSatisfying(
              ImgdException.class,
              e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.SOURCE_NOT_FOUND);
                assertThat(e).isNotInstanceOf(OriginFault.class);
              });
    }
  }

  @Test
  void overTheCapIsTooLarge() {
    assertFails(ErrorCode.TOO_LARGE, () -> fetch("s3://b/big.bin", CAP));
    assertThat(fetch("s3://b/big.bin", TestOrigin.BIG.length)).isEqualTo(TestOrigin.BIG);
  }

  @Test
  void identityIsTheUrlWithoutARequest() {
    assertThat(sources.identity(URI.create("s3://b/images/cat.jpg")))
        .isEqualTo("s3://b/images%2Fcat.jpg");
    assertThat(sources.identity(URI.create("s3://b/images/cat.jpg?versionId=v1")))
        .isEqualTo("s3://b/images%2Fcat.jpg?versionId=v1");
    // A key cannot pose as another key plus a version.
    assertThat(sources.identity(URI.create("s3://b/images/cat.jpg%3FversionId=v1")))
        .isNotEqualTo(sources.identity(URI.create("s3://b/images/cat.jpg?versionId=v1")));
  }

  @Test
  void malformedUrlsAreBadOptions() {
    for (String url : List.of("s3://b/", "s3://b", "s3:b/key", "s3://user@b/key")) {
      assertFails(ErrorCode.BAD_OPTIONS, () -> sources.identity(URI.create(url)));
    }
  }

  @Test
  void pastDeadlineIsDeadlineExceeded() {
    assertFails(
        ErrorCode.DEADLINE_EXCEEDED,
        () ->
            sources.fetch(URI.create("s3://b/images/cat.jpg"), Instant.now().minusMillis(1), CAP));
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return socket.getLocalPort();
    }
  }

  private static void awaitPort(int port, Duration limit) throws Exception {
    Instant end = Instant.now().plus(limit);
    while (Instant.now().isBefore(end)) {
      assertThat(s3mock.isAlive()).as("s3mock exited; see its log beside " + store).isTrue();
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException e) {
        Thread.sleep(250);
      }
    }
    throw new AssertionError("s3mock did not start within " + limit);
  }
}
