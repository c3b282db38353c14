package dev.imgd.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgd.core.ImageFormat;
import dev.imgd.core.probe.Probe;
import dev.imgd.server.settings.Settings;
import dev.imgd.testkit.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.CRC32;
import org.eclipse.jetty.io.ArrayByteBufferPool;
import org.eclipse.jetty.io.RetainableByteBuffer;
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
 * The server over real HTTP on loopback: every status code of the error table from a real request
 * (FM-12), signatures (FM-23), SSRF refused (FM-22), cache and conditional requests, content
 * negotiation, overload (FM-24) and deadlines (FM-15).
 */
class ServerTest {
  static final String KEY = "736563726574";
  static final String SALT = "68656C6C6F";
  static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir static Path root;
  static Server origin;
  static int originPort;
  static ImgdServer server;
  static Signatures signer;

  @BeforeAll
  static void start() throws Exception {
    Files.write(root.resolve("a.jpg"), Fixtures.bytes("Landscape_1.jpg"));
    Files.writeString(root.resolve("notes.txt"), "just text, not an image");
    Files.write(root.resolve("flood.png"), pngHeader(50_000, 50_000));
    origin = origin();
    server = start(Map.of("IMGD_MAX_BODY_SIZE", "150000", "IMGD_AUTO_WEBP", "true"));
    signer = Signatures.of(Settings.from(settings(Map.of())));
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
    origin.stop();
  }

  static Map<String, String> settings(Map<String, String> extra) {
    Map<String, String> env = new HashMap<>();
    env.put("IMGD_METRICS", "public"); // the tests read them; HardeningTest the default
    env.putAll(extra);
    return settings(root, env);
  }

  /**
   * An in-process server on loopback with these keys, serving {@code localRoot} as {@code
   * local:///}, allowed to fetch from 127.0.0.1, with {@code extra} settings over these.
   */
  static Map<String, String> settings(Path localRoot, Map<String, String> extra) {
    Map<String, String> env = new HashMap<>();
    env.put("IMGD_BIND", "127.0.0.1:0");
    env.put("IMGD_LOCAL_ROOT", localRoot.toString());
    env.put("IMGD_KEY", KEY);
    env.put("IMGD_SALT", SALT);
    env.put("IMGD_MODE", "in-process");
    env.put("IMGD_WORKERS", "2");
    env.put("IMGD_ALLOWED_NETWORKS", "127.0.0.1/32");
    env.put("IMGD_LIBVIPS_SYSTEM", "off");
    env.putAll(extra);
    return env;
  }

  static ImgdServer start(Map<String, String> extra) throws Exception {
    return start(extra, Faults.NONE);
  }

  static ImgdServer start(Map<String, String> extra, Faults faults) throws Exception {
    return ImgdServer.start(Settings.from(settings(extra)), faults);
  }

  static HttpResponse<byte[]> get(ImgdServer s, String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(url(s, path)).timeout(Duration.ofSeconds(30));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  static URI url(ImgdServer s, String path) {
    return URI.create("http://127.0.0.1:" + s.port() + path);
  }

  static String signed(String path) {
    return "/" + signer.sign(path) + path;
  }

  static String problemCode(HttpResponse<byte[]> r) {
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    String body = new String(r.body(), StandardCharsets.UTF_8);
    return body.replaceAll(".*\"code\":\"([a-z_]+)\".*", "$1");
  }

  @Test
  void signedRequestGetsAVerifiedImage() throws Exception {
    HttpResponse<byte[]> r = get(server, signed("/rs:fit:100:0/plain/local:///a.jpg@webp"));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("image/webp");
    assertThat(r.headers().firstValueAsLong("Content-Length")).hasValue(r.body().length);
    assertThat(Probe.read(r.body()).format()).isEqualTo(ImageFormat.WEBP);
    assertThat(Probe.read(r.body()).width()).isEqualTo(100);
    assertThat(r.headers().firstValue("ETag")).isPresent();
    assertThat(r.headers().firstValue("Cache-Control").orElseThrow()).contains("max-age=");
  }

  @Test
  void everyErrorStatusFromARealRequest() throws Exception {
    assertThat(status(get(server, signed("/rs:fit:abc/plain/local:///a.jpg"))))
        .isEqualTo("400 bad_options");
    assertThat(status(get(server, "/insecure/rs:fit:100:0/plain/local:///a.jpg")))
        .isEqualTo("403 bad_signature");
    String good = signed("/rs:fit:100:0/plain/local:///a.jpg");
    assertThat(status(get(server, good.replace("/rs:fit:100", "/rs:fit:101"))))
        .isEqualTo("403 bad_signature");
    assertThat(status(get(server, signed("/rs:fit:100:0/plain/local:///missing.jpg"))))
        .isEqualTo("404 source_not_found");
    // With Expect: 100-continue, as a client sending a large body should: the 413 comes before
    // the body. Without it, the server's early 413 and close raced the upload, and the client's
    // reset connection could lose the answer ("header parser received no bytes", CI, session 9).
    assertThat(status(post(server, "rs:fit:10:0", new byte[200_000], true)))
        .isEqualTo("413 too_large");
    assertThat(status(get(server, signed("/rs:fit:100:0/plain/local:///notes.txt"))))
        .isEqualTo("415 unsupported_format");
    assertThat(status(get(server, signed("/rs:fit:100:0/plain/local:///flood.png"))))
        .isEqualTo("422 limit_exceeded");
    String failing = "http://127.0.0.1:" + originPort + "/fail";
    assertThat(status(get(server, signed("/rs:fit:100:0/plain/" + failing))))
        .isEqualTo("502 source_failed");
  }

  /**
   * Issue 15 (low): {@code rs:force:500:500/sh:100} answered 500 naming IllegalArgumentException;
   * an option value libvips cannot take is a 4xx with a stable code and a safe message.
   */
  @Test
  void outOfRangeOptionValueIsA4xxNotA500() throws Exception {
    HttpResponse<byte[]> sharpen =
        get(server, signed("/rs:force:500:500/sh:100/plain/local:///a.jpg"));
    assertThat(status(sharpen)).isEqualTo("400 bad_options");
    assertThat(new String(sharpen.body(), StandardCharsets.UTF_8))
        .contains("Invalid sh sigma: '100'")
        .doesNotContain("Exception");
    assertThat(status(get(server, signed("/bl:1000.5/plain/local:///a.jpg"))))
        .isEqualTo("400 bad_options");
    assertThat(status(get(server, signed("/pd:2147483647/plain/local:///a.jpg"))))
        .isEqualTo("422 limit_exceeded");
  }

  @Test
  void deadlineCoversTheDownload() throws Exception {
    try (ImgdServer quick = start(Map.of("IMGD_TIMEOUT", "1"))) {
      long t0 = System.nanoTime();
      String slow = "http://127.0.0.1:" + originPort + "/trickle";
      HttpResponse<byte[]> r = get(quick, "/" + signer.sign("/plain/" + slow) + "/plain/" + slow);
      assertThat(status(r)).isEqualTo("504 deadline_exceeded");
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
    }
  }

  @Test
  void fullQueueAnswers503WithRetryAfterAndHealthStillAnswers() throws Exception {
    // An engine that hangs for 3 s (fault injection) holds the only slot.
    Faults hang = plan -> sleep(Duration.ofSeconds(3));
    try (ImgdServer small =
        start(Map.of("IMGD_WORKERS", "1", "IMGD_QUEUE_SIZE", "0", "IMGD_TIMEOUT", "20"), hang)) {
      String path = signed("/rs:fit:100:0/plain/local:///a.jpg");
      CompletableFuture<HttpResponse<byte[]>> holder =
          HTTP.sendAsync(
              HttpRequest.newBuilder(url(small, path)).build(),
              HttpResponse.BodyHandlers.ofByteArray());
      awaitInFlight(small);
      HttpResponse<byte[]> r = get(small, signed("/rs:fit:50:0/plain/local:///a.jpg"));
      assertThat(status(r)).isEqualTo("503 overloaded");
      assertThat(r.headers().firstValue("Retry-After")).isPresent();
      long t0 = System.nanoTime();
      assertThat(get(small, "/health").statusCode()).isEqualTo(200);
      assertThat(get(small, "/metrics").statusCode()).isEqualTo(200);
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(1));
      assertThat(holder.get().statusCode()).isEqualTo(200);
    }
  }

  static void sleep(Duration d) {
    try {
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Waits until a request holds an admission slot (the queue stage was recorded). */
  static void awaitInFlight(ImgdServer s) throws Exception {
    for (int i = 0; i < 400; i++) {
      String m = new String(get(s, "/metrics").body(), StandardCharsets.UTF_8);
      if (m.contains("imgd_stage_duration_seconds_count{stage=\"queue\"} 1")) {
        return;
      }
      Thread.sleep(25);
    }
    throw new AssertionError("no request took a slot");
  }

  @Test
  void cacheAnswersAgainAnd304OnIfNoneMatch() throws Exception {
    String path = signed("/rs:fit:120:0/plain/local:///a.jpg@png");
    HttpResponse<byte[]> first = get(server, path);
    HttpResponse<byte[]> second = get(server, path);
    assertThat(second.body()).isEqualTo(first.body());
    String etag = first.headers().firstValue("ETag").orElseThrow();
    HttpResponse<byte[]> notModified = get(server, path, "If-None-Match", etag);
    assertThat(notModified.statusCode()).isEqualTo(304);
    assertThat(notModified.body()).isEmpty();
    String metrics = new String(get(server, "/metrics").body(), StandardCharsets.UTF_8);
    assertThat(metrics)
        .containsPattern("imgd_cache_requests_total\\{result=\"hit\",tier=\"memory\"\\} [1-9]");
    assertEveryMetricHasHelp(metrics);
  }

  /** Each metric family of a scrape says what it counts: no empty HELP line. */
  static void assertEveryMetricHasHelp(String scrape) {
    List<String> help = scrape.lines().filter(l -> l.startsWith("# HELP ")).toList();
    assertThat(help).isNotEmpty();
    assertThat(help).allSatisfy(l -> assertThat(l).matches("# HELP \\w+ .*\\S.*"));
  }

  @Test
  void formatChosenFromAcceptVariesOnAccept() throws Exception {
    String path = signed("/rs:fit:80:0/plain/local:///a.jpg");
    HttpResponse<byte[]> webp = get(server, path, "Accept", "image/webp,*/*");
    assertThat(webp.headers().firstValue("Content-Type")).hasValue("image/webp");
    assertThat(webp.headers().firstValue("Vary")).hasValue("Accept");
    HttpResponse<byte[]> jpeg = get(server, path, "Accept", "*/*");
    assertThat(jpeg.headers().firstValue("Content-Type")).hasValue("image/jpeg");
  }

  @Test
  void ssrfThroughTheUrlIsRefused() throws Exception {
    try (ImgdServer guarded = start(Map.of("IMGD_ALLOWED_NETWORKS", ""))) {
      for (String target :
          List.of(
              "http://127.0.0.1:" + originPort + "/ok", "http://[::1]:80/", "http://10.0.0.1/")) {
        String encoded = java.net.URLEncoder.encode(target, StandardCharsets.UTF_8);
        assertThat(status(get(guarded, signed("/plain/" + encoded))))
            .isEqualTo("403 source_forbidden");
      }
    }
  }

  @Test
  void adminListenerServesBoundedJfrRecordings() throws Exception {
    // FM-14: profiling on demand, bounded in time, on the admin port only.
    String token = HardeningTest.TOKEN;
    try (ImgdServer withAdmin =
        start(Map.of("IMGD_ADMIN_BIND", "127.0.0.1:0", "IMGD_ADMIN_TOKEN", token))) {
      URI admin = URI.create("http://127.0.0.1:" + withAdmin.adminPort() + "/admin/jfr?seconds=1");
      HttpResponse<byte[]> jfr =
          HTTP.send(
              HttpRequest.newBuilder(admin).header("Authorization", "Bearer " + token).build(),
              HttpResponse.BodyHandlers.ofByteArray());
      assertThat(jfr.statusCode()).isEqualTo(200);
      assertThat(new String(jfr.body(), 0, 3, StandardCharsets.ISO_8859_1)).isEqualTo("FLR");
      URI tooLong =
          URI.create("http://127.0.0.1:" + withAdmin.adminPort() + "/admin/jfr?seconds=600");
      assertThat(
              HTTP.send(
                      HttpRequest.newBuilder(tooLong)
                          .header("Authorization", "Bearer " + token)
                          .build(),
                      HttpResponse.BodyHandlers.ofByteArray())
                  .statusCode())
          .isEqualTo(400);
      // The public port knows nothing of /admin.
      assertThat(get(withAdmin, "/admin/jfr?seconds=1").statusCode()).isNotEqualTo(200);
    }
  }

  @Test
  void bufferPoolKeepsWithinItsBoundsAndBodiesNeverMix() throws Exception {
    // FM-07: concurrent requests of different sizes, each answered with its own image...
    try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<Integer>> widths = new ArrayList<>();
      for (int w = 40; w < 72; w++) {
        String path = signed("/rs:fit:" + w + ":0/plain/local:///a.jpg@png");
        widths.add(clients.submit(() -> Probe.read(get(server, path).body()).width()));
      }
      for (int i = 0; i < widths.size(); i++) {
        assertThat(widths.get(i).get()).isEqualTo(40 + i);
      }
    }
    // ...and Jetty's buffer pool keeps at most its bounds however many buffers were out at once
    // (Jetty's defaults would keep an eighth of the heap).
    ArrayByteBufferPool pool = server.buffers();
    List<RetainableByteBuffer> out = new ArrayList<>();
    for (int i = 0; i < 2048; i++) {
      out.add(pool.acquire(32 << 10, i % 2 == 0)); // 64 MiB in all, half of it direct
    }
    out.forEach(RetainableByteBuffer::release);
    assertThat(pool.getHeapMemory()).isLessThanOrEqualTo(16L << 20);
    assertThat(pool.getDirectMemory()).isLessThanOrEqualTo(16L << 20);
    assertThat(pool.poolFor(32 << 10, false).size()).isLessThanOrEqualTo(64);
    assertThat(pool.poolFor(32 << 10, true).size()).isLessThanOrEqualTo(64);
  }

  @Test
  void postProcessTakesTheImageAsTheBody() throws Exception {
    HttpResponse<byte[]> r = post(server, "rs:fit:64:0/f:png", Fixtures.bytes("Landscape_1.jpg"));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(Probe.read(r.body()).width()).isEqualTo(64);
  }

  static HttpResponse<byte[]> post(ImgdServer s, String options, byte[] body) throws Exception {
    return post(s, options, body, false);
  }

  static HttpResponse<byte[]> post(
      ImgdServer s, String options, byte[] body, boolean expectContinue) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(url(s, "/process?" + options))
            .header("X-Imgd-Signature", signer.sign("/process?" + options))
            .expectContinue(expectContinue)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  static String status(HttpResponse<byte[]> r) {
    return r.statusCode() + " " + problemCode(r);
  }

  /** An origin on loopback: /fail answers 500, /trickle sends a byte every 300 ms. */
  static Server origin() throws Exception {
    Server s = new Server();
    ServerConnector c = new ServerConnector(s);
    c.setHost("127.0.0.1");
    s.addConnector(c);
    s.setHandler(
        new Handler.Abstract() {
          @Override
          public boolean handle(Request request, Response response, Callback callback)
              throws Exception {
            switch (request.getHttpURI().getPath()) {
              case "/trickle" -> {
                response.setStatus(200);
                response.getHeaders().put("Content-Length", "100000");
                for (int i = 0; i < 100; i++) {
                  Callback.Completable written = new Callback.Completable();
                  response.write(false, ByteBuffer.wrap(new byte[] {(byte) 0xff}), written);
                  try {
                    written.get();
                    Thread.sleep(300);
                  } catch (Exception e) {
                    break;
                  }
                }
                callback.failed(new IOException("done trickling"));
              }
              case "/ok" -> {
                response.setStatus(200);
                response.write(true, ByteBuffer.wrap(Fixtures.bytes("Landscape_1.jpg")), callback);
              }
              default -> {
                response.setStatus(500);
                callback.succeeded();
              }
            }
            return true;
          }
        });
    s.start();
    originPort = c.getLocalPort();
    return s;
  }

  /** A PNG that claims width x height and holds no pixels: a pixel flood (FM-01). */
  static byte[] pngHeader(int width, int height) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    DataOutputStream d = new DataOutputStream(out);
    d.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
    DataOutputStream h = new DataOutputStream(ihdr);
    h.writeBytes("IHDR");
    h.writeInt(width);
    h.writeInt(height);
    h.write(new byte[] {8, 2, 0, 0, 0});
    d.writeInt(13);
    d.write(ihdr.toByteArray());
    CRC32 crc = new CRC32();
    crc.update(ihdr.toByteArray());
    d.writeInt((int) crc.getValue());
    return out.toByteArray();
  }
}
