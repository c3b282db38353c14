package dev.imgd.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgd.core.ErrorCode;
import dev.imgd.server.settings.Settings;
import dev.imgd.testkit.Fixtures;
import dev.imgd.worker.WorkerFaults;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The shared tier and the shared quarantine (issue 19) with a real redis-server and two imgd
 * instances on it: a result rendered by one is served by the other without a job; Redis killed
 * (SIGKILL) mid-traffic fails no request and the tier comes back once Redis does; an input that
 * crashed a worker on one instance is refused by the other without a job; a value over the cap is
 * not stored; a value that does not decode is a miss, never a 500.
 */
class SharedCacheTest {
  @TempDir static Path root;
  @TempDir static Path redisDir;
  static RedisServer redis;
  static Signatures signer;

  @BeforeAll
  static void start() throws Exception {
    redis = RedisServer.start(redisDir);
    for (String name : List.of("a.jpg", "kill.jpg", "cap.jpg", "garbage.jpg")) {
      Files.write(root.resolve(name), Fixtures.bytes("Landscape_1.jpg"));
    }
    signer = Signatures.of(Settings.from(ServerTest.settings(root, Map.of())));
  }

  @BeforeEach
  void emptyRedis() throws Exception {
    redis.command("FLUSHALL");
  }

  @AfterAll
  static void stop() throws Exception {
    redis.close();
  }

  static ImgdServer server(String mode, Map<String, String> extra) throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("IMGD_METRICS", "public");
    env.put("IMGD_MODE", mode);
    env.put("IMGD_WORKERS", mode.equals("isolated") ? "1" : "2");
    env.put("IMGD_REDIS_URL", redis.url());
    // Generous for a loaded test machine: a slow answer would be a miss, not a failure.
    env.put("IMGD_REDIS_TIMEOUT", "0.5");
    env.putAll(extra);
    ImgdServer s = ImgdServer.start(Settings.from(ServerTest.settings(root, env)));
    try {
      awaitMetric(s, "imgd_redis_available", 1, Duration.ofSeconds(30));
      return s;
    } catch (Exception | Error e) {
      s.close();
      throw e;
    }
  }

  static String signed(String path) {
    return "/" + signer.sign(path) + path;
  }

  static String tier(HttpResponse<byte[]> r) {
    return r.headers().firstValue(CacheTiers.HEADER).orElse("");
  }

  @ParameterizedTest
  @ValueSource(strings = {"isolated", "in-process"})
  void resultRenderedOnAIsServedByBFromTheSharedTierWithoutAJob(String mode) throws Exception {
    try (ImgdServer a = server(mode, Map.of());
        ImgdServer b = server(mode, Map.of())) {
      String path = signed("/rs:fit:150:0/plain/local:///a.jpg@png");
      HttpResponse<byte[]> first = ServerTest.get(a, path);
      assertThat(first.statusCode()).isEqualTo(200);
      assertThat(tier(first)).isEqualTo("miss");
      awaitKeys("a.jpg", 1);

      HttpResponse<byte[]> second = ServerTest.get(b, path);
      assertThat(second.statusCode()).isEqualTo(200);
      assertThat(tier(second)).isEqualTo("shared");
      assertThat(second.body()).isEqualTo(first.body());
      assertThat(second.headers().firstValue("ETag")).isEqualTo(first.headers().firstValue("ETag"));
      assertThat(second.headers().firstValue("Content-Type")).hasValue("image/png");
      assertThat(metric(b, "imgd_stage_duration_seconds_count\\{stage=\"processing\"\\}")).isZero();
      assertThat(metric(b, "imgd_cache_requests_total\\{result=\"hit\",tier=\"shared\"\\}"))
          .isEqualTo(1);
      // The shared hit filled B's memory tier.
      assertThat(tier(ServerTest.get(b, path))).isEqualTo("memory");
    }
  }

  @Test
  void redisKilledMidTrafficFailsNoRequestAndTheSharedTierComesBack() throws Exception {
    try (ImgdServer a = server("isolated", Map.of());
        ImgdServer b = server("isolated", Map.of())) {
      ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
      AtomicBoolean going = new AtomicBoolean(true);
      List<Thread> clients = new ArrayList<>();
      int[] answered = new int[1];
      for (ImgdServer s : List.of(a, b)) {
        clients.add(
            Thread.ofVirtual()
                .start(() -> {
                  for (int i = 0; going.get(); i++) {
                    String path =
                        signed("/rs:fit:" + (100 + i % 30) + ":0/plain/local:///kill.jpg@png");
                    try {
                      HttpResponse<byte[]> r = ServerTest.get(s, path);
                      if (r.statusCode() != 200) {
                        failures.add(
                            r.statusCode() + " " + new String(r.body(), StandardCharsets.UTF_8));
                      }
                      synchronized (answered) {
                        answered[0]++;
                      }
                    } catch (Exception e) {
                      failures.add(e.toString());
                    }
                  }
                }));
      }
      Thread.sleep(1500);
      redis.kill();
      // Misses while Redis is away (each one asks it): answered all the same, and the breaker
      // opens (ten calls at least, most failed).
      for (int w = 300; w < 315; w++) {
        HttpResponse<byte[]> r =
            ServerTest.get(a, signed("/rs:fit:" + w + ":0/plain/local:///kill.jpg@png"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(tier(r)).isEqualTo("miss");
      }
      assertThat(metric(a, "imgd_redis_breaker_transitions_total\\{state=\"open\"\\}"))
          .isPositive();
      assertThat(metric(a, "imgd_redis_available")).isZero();
      redis.start();
      long restarted = System.nanoTime();
      // Back within seconds: a new variant rendered on A is served by B from Redis again.
      long backAfterMs = -1;
      for (int w = 400; backAfterMs < 0 && System.nanoTime() - restarted < 20e9; w++) {
        String path = signed("/rs:fit:" + w + ":0/plain/local:///kill.jpg@png");
        assertThat(ServerTest.get(a, path).statusCode()).isEqualTo(200);
        Thread.sleep(100);
        if (tier(ServerTest.get(b, path)).equals("shared")) {
          backAfterMs = (System.nanoTime() - restarted) / 1_000_000;
        }
      }
      going.set(false);
      for (Thread t : clients) {
        t.join();
      }
      System.out.printf(
          "redis killed mid-traffic: %d requests, %d failed; shared tier back %d ms after the"
              + " restart%n",
          answered[0], failures.size(), backAfterMs);
      assertThat(failures).isEmpty();
      assertThat(answered[0]).isGreaterThan(10);
      assertThat(backAfterMs).isBetween(0L, 15_000L);
      // A's breaker closes once its half-open calls succeed, and only new variants call Redis:
      // B may read A's write before A has made them all.
      String closed = "imgd_redis_breaker_transitions_total\\{state=\"closed\"\\}";
      long until = System.nanoTime() + 10_000_000_000L;
      for (int w = 600; metric(a, closed) == 0; w++) {
        assertThat(System.nanoTime()).as("A's breaker closed within 10 s").isLessThan(until);
        String path = signed("/rs:fit:" + w + ":0/plain/local:///kill.jpg@png");
        assertThat(ServerTest.get(a, path).statusCode()).isEqualTo(200);
      }
    }
  }

  @Test
  void inputThatCrashedAWorkerOnAIsRefusedQuarantinedByBWithoutAJob() throws Exception {
    try (ImgdServer a = server("isolated", Map.of());
        ImgdServer b = server("isolated", Map.of())) {
      // A real JPEG (the server probes and plans it) that crashes the worker it reaches.
      Files.write(
          root.resolve("crash.jpg"),
          WorkerFaults.crashesEveryWorker(Fixtures.bytes("Landscape_1.jpg")));
      String path = signed("/rs:fit:100:0/plain/local:///crash.jpg@png");

      HttpResponse<byte[]> onA = ServerTest.get(a, path);
      assertThat(ServerTest.problemCode(onA)).isEqualTo(ErrorCode.WORKER_CRASHED.code());
      awaitMetric(b, "imgd_quarantine_shared_total", 1, Duration.ofSeconds(10));

      HttpResponse<byte[]> onB = ServerTest.get(b, path);
      assertThat(ServerTest.problemCode(onB)).isEqualTo(ErrorCode.QUARANTINED.code());
      assertThat(metric(b, "imgd_workers_replaced_total")).isZero();
      assertThat(metric(b, "imgd_stage_duration_seconds_count\\{stage=\"processing\"\\}")).isZero();
      // An instance started after the crash reads the quarantine's set.
      try (ImgdServer c = server("isolated", Map.of())) {
        awaitMetric(c, "imgd_quarantine_shared_total", 1, Duration.ofSeconds(10));
        assertThat(ServerTest.problemCode(ServerTest.get(c, path)))
            .isEqualTo(ErrorCode.QUARANTINED.code());
        assertThat(metric(c, "imgd_workers_replaced_total")).isZero();
      }
    }
  }

  @Test
  void valueOverTheCapIsNotStored() throws Exception {
    try (ImgdServer a = server("in-process", Map.of("IMGD_REDIS_MAX_VALUE_BYTES", "3000"))) {
      String small = signed("/rs:fit:8:0/plain/local:///cap.jpg@png");
      String large = signed("/rs:fit:300:0/plain/local:///cap.jpg@png");
      assertThat(ServerTest.get(a, small).body().length).isLessThan(2000);
      assertThat(ServerTest.get(a, large).body().length).isGreaterThan(3000);
      awaitKeys("cap.jpg", 1); // the small one
      Thread.sleep(300);
      assertThat(keys("cap.jpg")).hasSize(1);
      assertThat(metric(a, "imgd_redis_values_skipped_total")).isEqualTo(1);
    }
  }

  @Test
  void valueThatDoesNotDecodeIsAMissNeverAnError() throws Exception {
    try (ImgdServer a = server("in-process", Map.of())) {
      String path = signed("/rs:fit:120:0/plain/local:///garbage.jpg@png");
      HttpResponse<byte[]> first = ServerTest.get(a, path);
      String key = awaitKeys("garbage.jpg", 1).getFirst();
      // Not a layout at all; the right version byte, then cut short.
      for (String garbage : List.of("not an entry", "\u0001\u0000\u0000\u0009image/png")) {
        redis.command("SET", key, garbage);
        try (ImgdServer b = server("in-process", Map.of())) {
          HttpResponse<byte[]> r = ServerTest.get(b, path);
          assertThat(r.statusCode()).isEqualTo(200);
          assertThat(tier(r)).isEqualTo("miss");
          assertThat(r.body()).isEqualTo(first.body());
        }
      }
    }
  }

  /** The result keys whose text contains {@code part}, once there are {@code n}. */
  static List<String> awaitKeys(String part, int n) throws Exception {
    long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (true) {
      List<String> keys = keys(part);
      if (keys.size() >= n || System.nanoTime() > until) {
        assertThat(keys).hasSizeGreaterThanOrEqualTo(n);
        return keys;
      }
      Thread.sleep(20);
    }
  }

  @SuppressWarnings("unchecked")
  static List<String> keys(String part) throws Exception {
    List<String> all = (List<String>) redis.command("KEYS", "imgd:result:*");
    return all.stream().filter(k -> k.contains(part)).toList();
  }

  static double metric(ImgdServer s, String regex) throws Exception {
    String scrape = new String(ServerTest.get(s, "/metrics").body(), StandardCharsets.UTF_8);
    Matcher m = Pattern.compile("(?m)^" + regex + " ([0-9.E+-]+)$").matcher(scrape);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  static void awaitMetric(ImgdServer s, String regex, double atLeast, Duration within)
      throws Exception {
    long until = System.nanoTime() + within.toNanos();
    while (metric(s, regex) < atLeast) {
      assertThat(System.nanoTime()).as(regex).isLessThan(until);
      Thread.sleep(50);
    }
  }
}
