package dev.imgd.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImageFormat;
import dev.imgd.core.ImgdException;
import dev.imgd.server.settings.Settings;
import dev.imgd.testkit.Fixtures;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault injection against a real origin on loopback: a failing origin opens its circuit breaker
 * (FM-18), a flaky one is retried, a slow one fills only its own bulkhead (FM-10, FM-18), a failing
 * encoder falls back to what Accept allows and says so (FM-19), and memory pressure sheds load
 * (FM-16).
 */
class ResilienceTest {
  @TempDir static Path root;
  static Server origin;
  static int port;
  static final AtomicInteger failHits = new AtomicInteger();
  static final AtomicInteger flakyHits = new AtomicInteger();
  static final AtomicInteger forbiddenHits = new AtomicInteger();

  @BeforeAll
  static void start() throws Exception {
    Files.write(root.resolve("a.jpg"), Fixtures.bytes("Landscape_1.jpg"));
    ServerTest.root = root;
    ServerTest.signer = Signatures.of(Settings.from(ServerTest.settings(Map.of())));
    origin = new Server();
    ServerConnector c = new ServerConnector(origin);
    c.setHost("127.0.0.1");
    origin.addConnector(c);
    origin.setHandler(
        new Handler.Abstract() {
          @Override
          public boolean handle(Request request, Response response, Callback callback)
              throws Exception {
            String path = request.getHttpURI().getPath();
            if (path.startsWith("/fail")) {
              failHits.incrementAndGet();
              response.setStatus(500);
              callback.succeeded();
            } else if (path.startsWith("/forbidden")) {
              forbiddenHits.incrementAndGet();
              response.setStatus(403);
              callback.succeeded();
            } else if (path.startsWith("/flaky") && flakyHits.incrementAndGet() % 2 == 1) {
              response.setStatus(503);
              callback.succeeded();
            } else if (path.startsWith("/slow")) {
              Thread.sleep(3000);
              response.setStatus(500);
              callback.succeeded();
            } else {
              response.setStatus(200);
              response.write(true, ByteBuffer.wrap(Fixtures.bytes("Landscape_1.jpg")), callback);
            }
            return true;
          }
        });
    origin.start();
    port = c.getLocalPort();
  }

  @AfterAll
  static void stop() throws Exception {
    origin.stop();
  }

  static String remote(String path) {
    String url = "http://127.0.0.1:" + port + path;
    return ServerTest.signed(
        "/rs:fit:50:0/plain/" + URLEncoder.encode(url, StandardCharsets.UTF_8));
  }

  @Test
  void failingOriginOpensItsBreakerAndIsNoLongerCalled() throws Exception {
    try (ImgdServer s = ServerTest.start(Map.of("IMGD_SOURCE_RETRIES", "0"))) {
      for (int i = 0; i < 5; i++) {
        assertThat(ServerTest.status(ServerTest.get(s, remote("/fail/" + i))))
            .isEqualTo("502 source_failed");
      }
      int hits = failHits.get();
      HttpResponse<byte[]> open = ServerTest.get(s, remote("/fail/next"));
      assertThat(ServerTest.status(open)).isEqualTo("503 overloaded");
      assertThat(open.headers().firstValue("Retry-After")).isPresent();
      assertThat(failHits.get()).isEqualTo(hits);
      // Another origin (the local folder) is not affected.
      assertThat(
              ServerTest.get(s, ServerTest.signed("/rs:fit:50:0/plain/local:///a.jpg"))
                  .statusCode())
          .isEqualTo(200);
    }
  }

  /**
   * Finding (issue 15): the breaker counted an origin's 403 as its failure, and retried it, so a
   * few requests for one refused path made every image of that host answer 503 (FM-18).
   */
  @Test
  void forbiddenAnswersNeitherOpenTheBreakerNorAreRetried() throws Exception {
    try (ImgdServer s = ServerTest.start(Map.of())) {
      int before = forbiddenHits.get();
      for (int i = 0; i < 8; i++) {
        assertThat(ServerTest.status(ServerTest.get(s, remote("/forbidden/" + i))))
            .isEqualTo("502 source_failed");
      }
      assertThat(forbiddenHits.get() - before).as("never retried").isEqualTo(8);
      assertThat(ServerTest.get(s, remote("/image.jpg")).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void flakyOriginIsRetriedWithBackoff() throws Exception {
    try (ImgdServer s = ServerTest.start(Map.of())) {
      int before = flakyHits.get();
      assertThat(ServerTest.get(s, remote("/flaky/1")).statusCode()).isEqualTo(200);
      assertThat(flakyHits.get() - before).isEqualTo(2);
      String metrics = new String(ServerTest.get(s, "/metrics").body(), StandardCharsets.UTF_8);
      assertThat(metrics).containsPattern("imgd_source_retries_total [1-9]");
    }
  }

  @Test
  void slowOriginFillsOnlyItsOwnBulkhead() throws Exception {
    try (ImgdServer s =
        ServerTest.start(
            Map.of(
                "IMGD_SOURCE_CONCURRENCY", "1", "IMGD_WORKERS", "1", "IMGD_SOURCE_RETRIES", "0"))) {
      CompletableFuture<HttpResponse<byte[]>> slow =
          ServerTest.HTTP.sendAsync(
              HttpRequest.newBuilder(ServerTest.url(s, remote("/slow/1"))).build(),
              HttpResponse.BodyHandlers.ofByteArray());
      Thread.sleep(500);
      assertThat(ServerTest.status(ServerTest.get(s, remote("/slow/2"))))
          .isEqualTo("503 overloaded");
      // The only processing slot is free for everyone else meanwhile.
      assertThat(
              ServerTest.get(s, ServerTest.signed("/rs:fit:50:0/plain/local:///a.jpg"))
                  .statusCode())
          .isEqualTo(200);
      assertThat(slow).isNotDone();
      assertThat(slow.get().statusCode()).isEqualTo(502);
    }
  }

  @Test
  void failingEncoderFallsBackToWhatAcceptAllowsAndSaysSo() throws Exception {
    Faults avifFails =
        plan -> {
          if (plan.output().format() == ImageFormat.AVIF) {
            throw new ImgdException(ErrorCode.ENGINE_FAILED, "injected encoder failure");
          }
        };
    try (ImgdServer s =
        ServerTest.start(Map.of("IMGD_AUTO_AVIF", "true", "IMGD_AUTO_WEBP", "true"), avifFails)) {
      String auto = ServerTest.signed("/rs:fit:60:0/plain/local:///a.jpg");
      HttpResponse<byte[]> webp = ServerTest.get(s, auto, "Accept", "image/avif,image/webp");
      assertThat(webp.statusCode()).isEqualTo(200);
      assertThat(webp.headers().firstValue("Content-Type")).hasValue("image/webp");
      assertThat(webp.headers().firstValue("X-Imgd-Fallback"))
          .hasValue("avif->webp (encoder failed)");
      HttpResponse<byte[]> jpeg = ServerTest.get(s, auto, "Accept", "image/avif");
      assertThat(jpeg.headers().firstValue("Content-Type")).hasValue("image/jpeg");
      // An explicit format is never changed silently.
      String explicit = ServerTest.signed("/rs:fit:60:0/f:avif/plain/local:///a.jpg");
      assertThat(ServerTest.status(ServerTest.get(s, explicit))).isEqualTo("500 engine_failed");
      String metrics = new String(ServerTest.get(s, "/metrics").body(), StandardCharsets.UTF_8);
      assertThat(metrics).containsPattern("imgd_fallbacks_total\\{reason=\"encoder\"\\} [1-9]");
    }
  }

  @Test
  void memoryPressureShedsLoadAndTurnsReadyOff() throws Exception {
    try (ImgdServer s = ServerTest.start(Map.of("IMGD_RSS_BUDGET", "1000000"))) {
      assertThat(s.updatePressure()).isEqualTo(Pressure.Tier.SHEDDING);
      HttpResponse<byte[]> shed =
          ServerTest.get(s, ServerTest.signed("/rs:fit:70:0/plain/local:///a.jpg"));
      assertThat(ServerTest.status(shed)).isEqualTo("503 overloaded");
      assertThat(shed.headers().firstValue("Retry-After")).isPresent();
      HttpResponse<byte[]> ready = ServerTest.get(s, "/ready");
      assertThat(ready.statusCode()).isEqualTo(503);
      assertThat(new String(ready.body(), StandardCharsets.UTF_8)).contains("shedding");
      String metrics = new String(ServerTest.get(s, "/metrics").body(), StandardCharsets.UTF_8);
      assertThat(metrics).contains("imgd_memory_tier 2.0");
    }
  }
}
