package dev.imgd.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgd.server.settings.Settings;
import dev.imgd.testkit.Fixtures;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server in its default, isolated mode: operational endpoints answer while every worker is busy
 * (FM-24), and a graceful shutdown completes the requests in flight.
 */
class IsolatedServerTest {
  @TempDir Path root;

  @Test
  void healthAndMetricsAnswerWhileEveryWorkerIsBusyAndShutdownDrains() throws Exception {
    Files.write(root.resolve("big.jpg"), Fixtures.bytes("2569067123_aca715a2ee_o.jpg"));
    ServerTest.root = root;
    ServerTest.signer = Signatures.of(Settings.from(ServerTest.settings(Map.of())));
    ImgdServer server =
        ServerTest.start(
            Map.of("IMGD_MODE", "isolated", "IMGD_WORKERS", "1", "IMGD_TIMEOUT", "60"));
    awaitMetric(server, "imgd_workers_spares 1.0"); // the pool at full strength
    // A large AVIF encode keeps the only worker busy for seconds.
    String path = ServerTest.signed("/rs:fit:800:0/f:avif/q:50/plain/local:///big.jpg");
    CompletableFuture<HttpResponse<byte[]>> slow = getAsync(server, path);
    awaitMetric(server, "imgd_workers_busy 1.0");
    ServerTest.assertEveryMetricHasHelp(metrics(server)); // the worker pool's metrics too
    // They answer while the image is still being made: they never queue behind image work.
    assertThat(ServerTest.get(server, "/health").statusCode()).isEqualTo(200);
    assertThat(ServerTest.get(server, "/metrics").statusCode()).isEqualTo(200);
    assertThat(ServerTest.get(server, "/ready").statusCode()).isEqualTo(200);
    assertThat(slow).isNotDone();

    server.close(); // waits for the request in flight
    HttpResponse<byte[]> done = slow.get();
    assertThat(done.statusCode()).isEqualTo(200);
    assertThat(done.headers().firstValue("Content-Type")).hasValue("image/avif");
    assertThat(done.body().length)
        .isEqualTo(done.headers().firstValueAsLong("Content-Length").orElseThrow());
  }

  /**
   * FM-24, regression: Jetty bounded the handlers' virtual threads at 200, below the connection
   * cap. At 256 connections the requests paused before their 503 held all 200, and a /health head
   * waited for one pause to end (bench/server.sh's OV: /health p99 0.35 s). Here the pause is 5 s:
   * the 250 were never all paused at once, and /health waited seconds.
   */
  @Test
  void healthAnswersWhileHundredsOfRefusalsArePaused() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    Faults held = servingA(release); // the first job holds the only slot until the test lets it go
    ImgdServer server =
        ServerTest.start(
            Map.of(
                "IMGD_MODE", "isolated",
                "IMGD_WORKERS", "1",
                "IMGD_QUEUE_SIZE", "1",
                "IMGD_QUEUE_FULL_PAUSE", "5",
                "IMGD_TIMEOUT", "60",
                "IMGD_QUEUE_TIMEOUT", "60"),
            held);
    try {
      // Distinct variants (no coalescing): one runs, one waits in the queue, 250 find it full.
      for (int w = 100; w < 352; w++) {
        String path = ServerTest.signed("/rs:fit:" + w + ":0/plain/local:///a.jpg@png");
        ServerTest.HTTP.sendAsync(
            HttpRequest.newBuilder(ServerTest.url(server, path)).build(),
            HttpResponse.BodyHandlers.discarding());
      }
      awaitMetric(server, "imgd_queue_pausing 250.0");
      HttpResponse<byte[]> health =
          ServerTest.HTTP.send(
              HttpRequest.newBuilder(ServerTest.url(server, "/health"))
                  .timeout(Duration.ofSeconds(2))
                  .build(),
              HttpResponse.BodyHandlers.ofByteArray());
      assertThat(health.statusCode()).isEqualTo(200);
    } finally {
      release.countDown();
      server.close(); // once the pauses end: they are refused, the job and the queued one run
    }
  }

  /**
   * Regression: a request that outlived the drain (IMGD_DRAIN_TIMEOUT) made the shutdown throw
   * Jetty's TimeoutException, which {@code imgd serve} printed as "imgd: shutdown: null". The
   * request is cut, and the shutdown ends normally with the rest of the server closed.
   */
  @Test
  void aRequestThatOutlivesTheDrainIsCutAndTheShutdownEndsNormally() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    Faults held = servingA(release); // the job holds its slot past the drain
    ImgdServer server =
        ServerTest.start(
            Map.of("IMGD_MODE", "isolated", "IMGD_DRAIN_TIMEOUT", "1", "IMGD_TIMEOUT", "60"), held);
    try {
      String path = ServerTest.signed("/rs:fit:100:0/plain/local:///a.jpg@png");
      CompletableFuture<HttpResponse<byte[]>> cut = getAsync(server, path);
      awaitMetric(server, "imgd_lane_in_flight{lane=\"small\"} 1.0");
      HttpRequest health = HttpRequest.newBuilder(ServerTest.url(server, "/health")).build();

      server.close(); // returns once the drain has run out, without throwing

      assertThat(cut).failsWithin(Duration.ofSeconds(10)); // the connection closed, no answer
      assertThatThrownBy(() -> ServerTest.HTTP.send(health, HttpResponse.BodyHandlers.discarding()))
          .isInstanceOf(java.io.IOException.class); // the port is closed
    } finally {
      release.countDown();
    }
  }

  /**
   * Puts a.jpg in the test's folder for ServerTest's signed URLs; the faults returned hold every
   * job before it runs until {@code release} opens.
   */
  private Faults servingA(CountDownLatch release) throws Exception {
    Files.write(root.resolve("a.jpg"), Fixtures.bytes("Landscape_1.jpg"));
    ServerTest.root = root;
    ServerTest.signer = Signatures.of(Settings.from(ServerTest.settings(Map.of())));
    return plan -> {
      try {
        release.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
  }

  private static CompletableFuture<HttpResponse<byte[]>> getAsync(ImgdServer server, String path) {
    return ServerTest.HTTP.sendAsync(
        HttpRequest.newBuilder(ServerTest.url(server, path)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  static String metrics(ImgdServer server) throws Exception {
    return new String(ServerTest.get(server, "/metrics").body(), StandardCharsets.UTF_8);
  }

  static void awaitMetric(ImgdServer server, String line) throws Exception {
    long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!metrics(server).contains(line)) {
      if (System.nanoTime() > until) {
        throw new AssertionError("no '" + line + "' in /metrics");
      }
      Thread.sleep(20);
    }
  }
}
