package dev.imgd.server.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImgdException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The HTTP source against a real origin on 127.0.0.1, the only address these tests allow (FM-22's
 * guard refuses loopback otherwise). Every connection attempt is recorded: none may go anywhere but
 * 127.0.0.1.
 */
class HttpSourceTest {
  private static final long CAP = 64 * 1024;

  private static TestOrigin origin;
  private static Sources sources;
  private static final List<InetSocketAddress> dialled = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    origin = new TestOrigin();
    sources = create(SourceSettings.builder());
  }

  @AfterAll
  static void stop() {
    sources.close();
    origin.close();
  }

  @AfterEach
  void onlyTheOriginWasDialled() {
    assertThat(dialled)
        .allSatisfy(a -> assertThat(a.getAddress().getHostAddress()).isEqualTo("127.0.0.1"));
  }

  static Sources create(SourceSettings.Builder settings) {
    return Sources.create(
        settings.allowedNetworks(List.of("127.0.0.1/32")).build(),
        host -> {
          throw new java.net.UnknownHostException(host); // no test asks real DNS
        },
        dialled::add);
  }

  private static byte[] fetch(String url) {
    return sources.fetch(URI.create(url), Instant.now().plusSeconds(5), CAP).bytes();
  }

  private static void assertFails(ErrorCode code, ThrowingCallable call) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(ImgdException.class, e -> assertThat(e.code()).isEqualTo(code));
  }

  @Test
  void servesAnImage() {
    assertThat(fetch(origin.url() + "/image")).isEqualTo(TestOrigin.IMAGE);
  }

  @Test
  void sendsUserAgentImgd() {
    assertThat(new String(fetch(origin.url() + "/user-agent"), StandardCharsets.UTF_8))
        .isEqualTo("imgd");
  }

  @Test
  void notFoundAndGoneAreSourceNotFound() {
    assertFails(ErrorCode.SOURCE_NOT_FOUND, () -> fetch(origin.url() + "/missing"));
    assertFails(ErrorCode.SOURCE_NOT_FOUND, () -> fetch(origin.url() + "/gone"));
  }

  @Test
  void serverErrorIsSourceFailed() {
    assertThatThrownBy(() -> fetch(origin.url() + "/error"))
        .isInstanceOfSatisfying(
            ImgdException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.SOURCE_FAILED);
              assertThat(e.getMessage()).doesNotContain("127.0.0.1");
            });
  }

  /**
   * Finding (issue 15): a 4xx, which a client chooses by picking the URL, counted as the origin's
   * failure. Only what the origin is to blame for is an {@link OriginFault} (FM-18).
   */
  @Test
  void forbiddenIsAnAnswerNotAnOriginFault() {
    assertThatThrownBy(() -> fetch(origin.url() + "/forbidden"))
        .isInstanceOfSatisfying(
            ImgdException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.SOURCE_FAILED);
              assertThat(e).isNotInstanceOf(OriginFault.class);
            });
    assertThatThrownBy(() -> fetch(origin.url() + "/error")).isInstanceOf(OriginFault.class);
    assertThatThrownBy(() -> fetch(origin.rawUrl() + "/reset")).isInstanceOf(OriginFault.class);
  }

  /**
   * Finding (issue 15): imgd asked origins for gzip and Jetty inflated the answer, bounded only by
   * the source cap. Origins are asked for identity, and a gzipped answer arrives as sent.
   */
  @Test
  void originsAreAskedForIdentityAndAGzipBombDoesNotExpand() {
    assertThat(fetch(origin.url() + "/gzip-if-asked")).isEqualTo(TestOrigin.IMAGE);
    assertThat(origin.acceptEncoding).isEqualTo("identity");
    // An origin that gzips anyway: its few KiB arrive as they are, never the 16 MiB inside.
    assertThat(fetch(origin.url() + "/gzip-bomb")).isEqualTo(TestOrigin.GZIP_BOMB);
  }

  @Test
  void declaredLengthOverTheCapIsTooLarge() {
    assertFails(ErrorCode.TOO_LARGE, () -> fetch(origin.url() + "/declared-big"));
  }

  @Test
  void streamedBodyWithoutLengthIsCappedWhileStreaming() {
    assertFails(ErrorCode.TOO_LARGE, () -> fetch(origin.url() + "/streamed-big"));
    assertFails(ErrorCode.TOO_LARGE, () -> fetch(origin.rawUrl() + "/unframed-big"));
  }

  /**
   * A Content-Length is never what enforces the cap. HTTP/1.1 framing means a body cannot run past
   * a declared length: the client takes exactly the declared bytes, and a length beside chunked
   * framing (the smuggling pattern) fails the exchange. Bodies with no length at all are capped as
   * they stream (above).
   */
  @Test
  void lyingSmallContentLengthIsNotTrusted() {
    assertThat(fetch(origin.rawUrl() + "/lying-short")).hasSize(10);
    assertFails(ErrorCode.SOURCE_FAILED, () -> fetch(origin.rawUrl() + "/lying-chunked"));
  }

  @Test
  void bodyShorterThanDeclaredThenCloseIsSourceFailed() {
    assertFails(ErrorCode.SOURCE_FAILED, () -> fetch(origin.rawUrl() + "/truncated"));
  }

  @Test
  void connectionResetIsSourceFailed() {
    assertFails(ErrorCode.SOURCE_FAILED, () -> fetch(origin.rawUrl() + "/reset"));
    assertFails(ErrorCode.SOURCE_FAILED, () -> fetch(origin.rawUrl() + "/half-reset"));
  }

  @Test
  void connectionRefusedIsSourceFailed() throws Exception {
    int closedPort;
    try (var socket =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      closedPort = socket.getLocalPort();
    }
    assertFails(ErrorCode.SOURCE_FAILED, () -> fetch("http://127.0.0.1:" + closedPort + "/"));
  }

  @Test
  void slowSourceStopsAtTheDeadlineAndTheTransferIsAborted() throws Exception {
    origin.trickleStopped = new CountDownLatch(1);
    Instant deadline = Instant.now().plusMillis(1000);
    long start = System.nanoTime();
    assertFails(
        ErrorCode.DEADLINE_EXCEEDED,
        () -> sources.fetch(URI.create(origin.url() + "/slow"), deadline, CAP));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2000));
    // The origin sees the connection go away: nothing is left reading.
    assertThat(origin.trickleStopped.await(2, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void downloadTimeoutAppliesWhenEarlierThanTheDeadline() {
    try (Sources quick = create(SourceSettings.builder().downloadTimeout(Duration.ofMillis(500)))) {
      long start = System.nanoTime();
      assertFails(
          ErrorCode.DEADLINE_EXCEEDED,
          () ->
              quick.fetch(URI.create(origin.url() + "/slow"), Instant.now().plusSeconds(30), CAP));
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1500));
    }
  }

  @Test
  void followsRedirectsUpToTheLimit() {
    assertThat(fetch(origin.url() + "/hops/2")).isEqualTo(TestOrigin.IMAGE); // 3 redirects
    assertFails(ErrorCode.SOURCE_FAILED, () -> fetch(origin.url() + "/hops/3")); // 4 redirects
  }

  @Test
  void noRedirectsWhenTheLimitIsZero() {
    try (Sources none = create(SourceSettings.builder().maxRedirects(0))) {
      assertFails(
          ErrorCode.SOURCE_FAILED,
          () ->
              none.fetch(URI.create(origin.url() + "/hops/0"), Instant.now().plusSeconds(5), CAP));
    }
  }

  @Test
  void redirectToAnotherLoopbackAddressOrNameIsForbidden() {
    int port = origin.port();
    for (String target :
        List.of(
            "http://127.0.0.2:" + port + "/image",
            "http://[::1]:" + port + "/image",
            "http://localhost:" + port + "/image",
            "http://0.0.0.0:" + port + "/image")) {
      assertFails(ErrorCode.SOURCE_FORBIDDEN, () -> fetch(redirectTo(target)));
    }
  }

  @Test
  void redirectToAnotherSchemeIsForbidden() {
    for (String target : List.of("file:///etc/passwd", "local:///image", "s3://b/k", "ftp://x/")) {
      assertFails(ErrorCode.SOURCE_FORBIDDEN, () -> fetch(redirectTo(target)));
    }
  }

  @Test
  void redirectOffTheAllowListIsForbidden() {
    String allowed = origin.url() + "/to";
    try (Sources listed = create(SourceSettings.builder().allowedSources(List.of(allowed)))) {
      URI redirect = URI.create(redirectTo(origin.url() + "/image"));
      assertFails(
          ErrorCode.SOURCE_FORBIDDEN,
          () -> listed.fetch(redirect, Instant.now().plusSeconds(5), CAP));
    }
    try (Sources listed = create(SourceSettings.builder().allowedSources(List.of(origin.url())))) {
      URI redirect = URI.create(redirectTo(origin.url() + "/image"));
      assertThat(listed.fetch(redirect, Instant.now().plusSeconds(5), CAP).bytes())
          .isEqualTo(TestOrigin.IMAGE);
    }
  }

  @Test
  void identityIsTheNormalisedUrlWithoutAnyRequest() {
    int before = dialled.size();
    assertThat(
            sources.identity(URI.create("HTTP://127.0.0.1:" + origin.port() + "/a/./b/../image#x")))
        .isEqualTo(origin.url() + "/a/image");
    assertThat(dialled).hasSize(before);
  }

  @Test
  void credentialsInTheUrlAreRefused() {
    assertFails(
        ErrorCode.SOURCE_FORBIDDEN,
        () -> fetch("http://user:pw@127.0.0.1:" + origin.port() + "/image"));
  }

  @Test
  void concurrentFetchesFromVirtualThreads() throws Exception {
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<byte[]>> results =
          java.util.stream.IntStream.range(0, 32)
              .mapToObj(i -> pool.submit(() -> fetch(origin.url() + "/image")))
              .toList();
      for (Future<byte[]> result : results) {
        assertThat(result.get()).isEqualTo(TestOrigin.IMAGE);
      }
    }
  }

  private static String redirectTo(String target) {
    return origin.url() + "/to?url=" + URLEncoder.encode(target, StandardCharsets.UTF_8);
  }
}
