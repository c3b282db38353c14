package dev.imgd.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImgdException;
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
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 17, W7 (the thundering herd): 64 requests at once for one variant that is not cached yet
 * cost one render, and every one of them gets the same bytes. Before, each request that missed the
 * cache rendered the image itself: 64 worker jobs (and 64 downloads) for one result.
 */
class CoalescingTest {
  private static final int HERD = 64;

  @TempDir static Path root;
  static Signatures signer;

  @BeforeAll
  static void images() throws Exception {
    Files.write(root.resolve("a.jpg"), Fixtures.bytes("Landscape_1.jpg"));
    Files.writeString(root.resolve("notes.txt"), "just text, not an image");
    signer = Signatures.of(Settings.from(ServerTest.settings(root, Map.of())));
  }

  private static ImgdServer start(Map<String, String> extra, Faults faults) throws Exception {
    return ImgdServer.start(Settings.from(ServerTest.settings(root, extra)), faults);
  }

  private static String signed(String path) {
    return "/" + signer.sign(path) + path;
  }

  @ParameterizedTest
  @ValueSource(strings = {"isolated", "in-process"})
  void aHerdForOneNewVariantCostsOneRender(String mode) throws Exception {
    AtomicInteger renders = new AtomicInteger();
    Faults slowRender = // long enough for the whole herd to arrive while the first renders
        plan -> {
          renders.incrementAndGet();
          sleep(Duration.ofMillis(800));
        };
    try (ImgdServer s = start(Map.of("IMGD_MODE", mode, "IMGD_METRICS", "public"), slowRender)) {
      String path = signed("/rs:fit:160:0/plain/local:///a.jpg@png");
      List<CompletableFuture<HttpResponse<byte[]>>> herd = herd(s, path, HERD);
      byte[] first = herd.getFirst().join().body();
      for (CompletableFuture<HttpResponse<byte[]>> r : herd) {
        assertThat(r.join().statusCode()).isEqualTo(200);
        assertThat(r.join().body()).isEqualTo(first);
      }
      assertThat(renders).hasValue(1);
      // Every follower is counted: answered after the render, or a plain hit if it came later.
      double coalesced = BodiesTest.metric(s, "imgd_coalesced_requests_total");
      assertThat(coalesced).isPositive().isLessThanOrEqualTo(HERD - 1);
    }
  }

  @Test
  void aBadImageIsRefusedOnceForTheWholeHerd() throws Exception {
    AtomicInteger renders = new AtomicInteger();
    Faults slowRender =
        plan -> {
          renders.incrementAndGet();
          sleep(Duration.ofMillis(500));
        };
    try (ImgdServer s = start(Map.of(), slowRender)) {
      // notes.txt is not an image: the leader's 415 goes to every follower without a render.
      String path = signed("/rs:fit:160:0/plain/local:///notes.txt@png");
      assertEveryAnswer(herd(s, path, 16), 415, "unsupported_format");
      assertThat(renders).hasValue(0);
    }
  }

  /**
   * Regression: the leader's failure was recorded after its flight had landed (in the catch of the
   * try-with-resources that closes it), so the followers never got it and rendered one after
   * another. A render refused for its input's fault now answers the whole herd at once.
   */
  @Test
  void aRenderRefusedForItsInputIsRefusedOnceForTheWholeHerd_failureAfterLanding()
      throws Exception {
    AtomicInteger renders = new AtomicInteger();
    Faults refusedLate =
        plan -> {
          renders.incrementAndGet();
          sleep(Duration.ofMillis(800));
          throw new ImgdException(ErrorCode.CORRUPT_IMAGE, "the test's decoder refuses it");
        };
    try (ImgdServer s = start(Map.of(), refusedLate)) {
      String path = signed("/rs:fit:150:0/plain/local:///a.jpg@png");
      assertEveryAnswer(herd(s, path, 16), 422, "corrupt_image");
      assertThat(renders).hasValue(1);
    }
  }

  /** {@code n} requests for {@code path} sent at once. */
  private static List<CompletableFuture<HttpResponse<byte[]>>> herd(
      ImgdServer s, String path, int n) {
    List<CompletableFuture<HttpResponse<byte[]>>> herd = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      herd.add(
          ServerTest.HTTP.sendAsync(
              HttpRequest.newBuilder(ServerTest.url(s, path))
                  .timeout(Duration.ofSeconds(30))
                  .build(),
              HttpResponse.BodyHandlers.ofByteArray()));
    }
    return herd;
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Every request of the herd answered with this status and problem code. */
  private static void assertEveryAnswer(
      List<CompletableFuture<HttpResponse<byte[]>>> herd, int status, String code) {
    for (CompletableFuture<HttpResponse<byte[]>> r : herd) {
      assertThat(r.join().statusCode()).isEqualTo(status);
      assertThat(ServerTest.problemCode(r.join())).isEqualTo(code);
    }
  }
}
