package dev.imgd.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgd.server.settings.Settings;
import dev.imgd.testkit.Fixtures;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 17, W6 (mixed traffic): large jobs take at most all workers but one, so small requests keep
 * flowing while the large lane is full. Before, two large jobs held both slots and every small
 * request waited behind them.
 */
class LanesTest {
  /** 0.1 megapixels: a.jpg (600x450) at full size is large, to 50 px (shrink-on-load 8) small. */
  private static final Map<String, String> LANES =
      Map.of("IMGD_WORKERS", "2", "IMGD_LARGE_JOB_RESOLUTION", "0.1", "IMGD_METRICS", "public");

  @TempDir static Path root;
  static Signatures signer;

  @BeforeAll
  static void images() throws Exception {
    Files.write(root.resolve("a.jpg"), Fixtures.bytes("Landscape_1.jpg"));
    signer = Signatures.of(Settings.from(ServerTest.settings(root, Map.of())));
  }

  @ParameterizedTest
  @ValueSource(strings = {"isolated", "in-process"})
  void smallRequestsFlowWhileTheLargeLaneIsFull(String mode) throws Exception {
    CountDownLatch lane = new CountDownLatch(1);
    Faults heldLarge = // a large job runs until the test lets it: the lane stays full meanwhile
        plan -> {
          if (Admission.decodedPixels(plan) > 100_000) {
            try {
              lane.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        };
    Map<String, String> settings = new java.util.HashMap<>(LANES);
    settings.put("IMGD_MODE", mode);
    settings.put("IMGD_QUEUE_TIMEOUT", "60"); // the large job waits for its lane all along
    settings.put("IMGD_TIMEOUT", "90");
    try (ImgdServer s =
        ImgdServer.start(Settings.from(ServerTest.settings(root, settings)), heldLarge)) {
      List<CompletableFuture<HttpResponse<byte[]>>> large = new ArrayList<>();
      for (int q = 70; q < 72; q++) {
        large.add(send(s, "/rs:fit:600:0/q:" + q + "/plain/local:///a.jpg@jpg"));
      }
      try {
        BodiesTest.awaitMetric(
            s, "imgd_lane_large_waits_total", 1); // one runs, one waits for the lane
        assertThat(BodiesTest.metric(s, "imgd_lane_in_flight{lane=\"large\"}")).isEqualTo(1);
        for (int w = 40; w < 44; w++) {
          HttpResponse<byte[]> small =
              send(s, "/rs:fit:" + w + ":0/plain/local:///a.jpg@png").join();
          assertThat(small.statusCode()).isEqualTo(200);
          assertThat(large).noneMatch(CompletableFuture::isDone); // answered while the lane is full
        }
        assertThat(BodiesTest.metric(s, "imgd_lane_jobs_total{lane=\"small\"}")).isEqualTo(4);
      } finally {
        lane.countDown(); // the large jobs go on, whatever happened
      }
      for (CompletableFuture<HttpResponse<byte[]>> r : large) {
        assertThat(r.join().statusCode()).isEqualTo(200);
      }
      assertThat(BodiesTest.metric(s, "imgd_lane_jobs_total{lane=\"large\"}")).isEqualTo(2);
    }
  }

  private static CompletableFuture<HttpResponse<byte[]>> send(ImgdServer s, String path) {
    String signed = "/" + signer.sign(path) + path;
    return ServerTest.HTTP.sendAsync(
        HttpRequest.newBuilder(ServerTest.url(s, signed)).timeout(Duration.ofSeconds(60)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }
}
