package dev.imgd.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imgd.server.settings.Settings;
import dev.imgd.testkit.Fixtures;
import dev.imgd.vips.VipsSettings;
import dev.imgd.worker.WorkerFaults;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The canary pool (issue 20) over real HTTP, with real workers: a canary build that crashes on some
 * inputs is switched off at its first crash and no request fails, the input that tripped it is
 * answered by the stable build and not quarantined; one image always lands on the same build; the
 * share moves only through the admin listener, with its token; the metrics carry the pool and the
 * build.
 */
class CanaryTest {
  private static final String TOKEN = HardeningTest.TOKEN;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final byte[] JPEG = Fixtures.bytes("Landscape_1.jpg");
  private static final String OPTIONS = "rs:fit:120:0/f:png";

  @TempDir static Path root;

  @BeforeAll
  static void signer() {
    ServerTest.signer = Signatures.of(Settings.from(ServerTest.settings(root, Map.of())));
  }

  /** An isolated server with one worker per pool, an admin listener and no result cache. */
  private static ImgdServer start(Path canary, int percent, Map<String, String> extra)
      throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("IMGD_MODE", "isolated");
    env.put("IMGD_WORKERS", "1");
    env.put("IMGD_CACHE_MAX_BYTES", "0"); // every request reaches a worker
    env.put("IMGD_TIMEOUT", "60"); // a crash report takes its time on a loaded machine
    env.put("IMGD_QUEUE_TIMEOUT", "60");
    env.put("IMGD_METRICS", "public");
    env.put("IMGD_ADMIN_BIND", "127.0.0.1:0");
    env.put("IMGD_ADMIN_TOKEN", TOKEN);
    env.put("IMGD_CANARY_LIBVIPS", canary.toString());
    env.put("IMGD_CANARY_PERCENT", Integer.toString(percent));
    env.putAll(extra);
    return ImgdServer.start(Settings.from(ServerTest.settings(root, env)));
  }

  /** The same picture, as bytes of their own: a JPEG decoder stops at its end marker. */
  private static byte[] distinct(int n) {
    return WorkerFaults.crashesFaultyBuild(JPEG, n);
  }

  @Test
  void aCanaryThatCrashesOnSomeInputsIsSwitchedOffAndNoRequestFails_FM20(@TempDir Path dir)
      throws Exception {
    Path faulty = WorkerFaults.faultyBuild(VipsSettings.libraryFromEnvironment(), dir);
    try (ImgdServer s = start(faulty, 100, Map.of())) {
      // Good inputs on the canary (a plain JPEG: no faulty build's trailer).
      for (int i = 0; i < 3; i++) {
        assertThat(servedBy(s, JPEG)).isEqualTo("canary");
      }
      assertThat(canary(s).path("state").asText()).isEqualTo("on");

      // Inputs that crash the canary build, sent at once: every one answered 200.
      List<Integer> statuses = new ArrayList<>();
      try (ExecutorService clients = Executors.newFixedThreadPool(4)) {
        List<Future<HttpResponse<byte[]>>> answers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
          byte[] input = distinct(i);
          answers.add(clients.submit(() -> ServerTest.post(s, OPTIONS, input)));
        }
        for (Future<HttpResponse<byte[]>> a : answers) {
          statuses.add(a.get().statusCode());
        }
      }
      assertThat(statuses).containsOnly(200);

      JsonNode canary = canary(s);
      assertThat(canary.path("state").asText()).isEqualTo("off");
      assertThat(canary.path("percent").asInt()).isZero();
      assertThat(canary.path("off_reason").asText()).isEqualTo("crash");
      assertThat(canary.path("off_detail").asText()).contains("worker_crashed");
      assertThat(pool(s, "canary").path("crashes").asLong()).isPositive();
      assertThat(pool(s, "stable").path("crashes").asLong()).isZero();
      String scrape = new String(ServerTest.get(s, "/metrics").body(), StandardCharsets.UTF_8);
      assertThat(scrape).contains("imgd_canary_switched_off_total{reason=\"crash\"} 1.0");
      assertThat(scrape).contains("imgd_canary_percent 0.0");

      // The inputs that tripped it are not quarantined: the stable build answers them again, and
      // no job reaches the canary once it is off.
      for (int i = 0; i < 8; i++) {
        assertThat(servedBy(s, distinct(i))).isEqualTo("stable");
      }
      assertThat(servedBy(s, JPEG)).isEqualTo("stable");
    }
  }

  @Test
  void theShareMovesOnlyThroughTheAdminListenerAndOneImageStaysOnOneBuild() throws Exception {
    Path library = VipsSettings.libraryFromEnvironment(); // the same build: routing only
    try (ImgdServer s = start(library, 0, Map.of())) {
      // 0%: every job on the stable build, the canary's workers not even started.
      for (int i = 0; i < 5; i++) {
        assertThat(ServerTest.post(s, OPTIONS, distinct(i)).statusCode()).isEqualTo(200);
      }
      assertThat(pool(s, "canary").path("jobs").asLong()).isZero();
      assertThat(canary(s).path("state").asText()).isEqualTo("waiting");

      // Refused without the token, and only POST moves it.
      for (String token : new String[] {null, TOKEN + "x"}) {
        assertThat(admin(s, "POST", "/admin/canary/step", token).statusCode()).isEqualTo(401);
      }
      assertThat(admin(s, "GET", "/admin", null).statusCode()).isEqualTo(401);
      assertThat(admin(s, "GET", "/admin/canary/step", TOKEN).statusCode()).isEqualTo(405);
      assertThat(canary(s).path("percent").asInt()).isZero();

      List<Integer> steps = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        HttpResponse<byte[]> r = admin(s, "POST", "/admin/canary/step", TOKEN);
        assertThat(r.statusCode()).isEqualTo(200);
        steps.add(JSON.readTree(r.body()).path("canary").path("percent").asInt());
      }
      assertThat(steps).containsExactly(1, 5, 20);

      // 20%: each image on one build, whichever its bytes choose, request after request.
      Map<Integer, String> first = new HashMap<>();
      for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 15; i++) {
          String pool = servedBy(s, distinct(i));
          assertThat(first.putIfAbsent(i, pool)).as("image %d", i).isIn(null, pool);
        }
      }
      assertThat(first.values()).contains("canary", "stable");

      // 100%: every one on the canary; a step past it stays; off by hand.
      assertThat(
              JSON.readTree(admin(s, "POST", "/admin/canary/step", TOKEN).body())
                  .path("canary")
                  .path("percent")
                  .asInt())
          .isEqualTo(100);
      for (int i = 0; i < 15; i++) {
        assertThat(servedBy(s, distinct(i))).isEqualTo("canary");
      }
      admin(s, "POST", "/admin/canary/step", TOKEN);
      assertThat(canary(s).path("percent").asInt()).isEqualTo(100);
      JsonNode off = JSON.readTree(admin(s, "POST", "/admin/canary/off", TOKEN).body());
      assertThat(off.path("canary").path("state").asText()).isEqualTo("off");
      assertThat(off.path("canary").path("off_reason").asText()).isEqualTo("manual");
      assertThat(servedBy(s, distinct(0))).isEqualTo("stable");
    }
  }

  @Test
  void metricsCarryThePoolAndTheBuild() throws Exception {
    // A real second build as the canary: the system's libvips 8.14.
    Path system = VipsSettings.systemLibrary().orElseThrow();
    try (ImgdServer s = start(system, 100, Map.of())) {
      assertThat(ServerTest.post(s, OPTIONS, JPEG).statusCode()).isEqualTo(200);
      JsonNode canary = pool(s, "canary");
      String build = canary.path("libvips").asText();
      String stable = pool(s, "stable").path("libvips").asText();
      assertThat(build).startsWith("8.14");
      String scrape = new String(ServerTest.get(s, "/metrics").body(), StandardCharsets.UTF_8);
      ServerTest.assertEveryMetricHasHelp(scrape);
      assertThat(scrape)
          .contains("imgd_pool_job_duration_seconds_count{build=\"" + build + "\",pool=\"canary\"}")
          .contains(
              "imgd_pool_job_duration_seconds_count{build=\"" + stable + "\",pool=\"stable\"}")
          .contains("imgd_pool_crashes_total{build=\"" + build + "\",pool=\"canary\"} 0.0")
          .contains("imgd_pool_worker_peak_bytes{build=\"" + build + "\",pool=\"canary\"}")
          .contains("imgd_canary_percent 100.0");
      assertThat(canary.path("window").path("peak_worker_bytes").asLong()).isPositive();
      assertThat(canary.path("window").path("p99_ms").asDouble()).isPositive();
    }
  }

  /**
   * Which pool ran the job: the one whose job count went up. The health check's tiny image runs
   * every 5 s as well: if both went up, the job is sent again.
   */
  private static String servedBy(ImgdServer s, byte[] input) throws Exception {
    for (int attempt = 0; attempt < 5; attempt++) {
      long canary = pool(s, "canary").path("jobs").asLong();
      long stable = pool(s, "stable").path("jobs").asLong();
      assertThat(ServerTest.post(s, OPTIONS, input).statusCode()).isEqualTo(200);
      long canaryAfter = pool(s, "canary").path("jobs").asLong();
      long stableAfter = pool(s, "stable").path("jobs").asLong();
      if ((canaryAfter > canary) != (stableAfter > stable)) {
        return canaryAfter > canary ? "canary" : "stable";
      }
    }
    throw new AssertionError("the job's pool could not be told apart from the health check's");
  }

  private static JsonNode pool(ImgdServer s, String role) throws Exception {
    for (JsonNode p : state(s).path("pools")) {
      if (p.path("pool").asText().equals(role)) {
        return p;
      }
    }
    throw new AssertionError("no " + role + " pool in " + state(s));
  }

  private static JsonNode canary(ImgdServer s) throws Exception {
    return state(s).path("canary");
  }

  private static JsonNode state(ImgdServer s) throws Exception {
    HttpResponse<byte[]> r = admin(s, "GET", "/admin", TOKEN);
    assertThat(r.statusCode()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  private static HttpResponse<byte[]> admin(ImgdServer s, String method, String path, String token)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.adminPort() + path))
            .method(method, HttpRequest.BodyPublishers.noBody());
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return ServerTest.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }
}
