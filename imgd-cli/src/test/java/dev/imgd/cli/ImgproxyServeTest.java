package dev.imgd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgd.testkit.Fixtures;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code imgd serve} in a child JVM started with an imgproxy user's environment (issue 16): the
 * environment is what matters, so it is a real process's environment here.
 */
class ImgproxyServeTest {
  private static final String KEY = "736563726574";
  private static final String SALT = "68656C6C6F";

  @Test
  void onlyImgproxyKeyAndSaltSetRefusesUnsignedUrls(@TempDir Path dir) throws Exception {
    Files.write(dir.resolve("a.jpg"), Fixtures.bytes("Landscape_1.jpg"));
    Path log = dir.resolve("serve.log");
    ProcessBuilder pb = new ProcessBuilder(ChildServe.command(List.of()));
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("IMGD_KEY") || k.startsWith("IMGD_SALT"));
    env.put("IMGD_LIBVIPS", System.getProperty("imgd.libvips"));
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    env.put("IMGPROXY_BIND", "127.0.0.1:" + port);
    env.put("IMGPROXY_LOCAL_FILESYSTEM_ROOT", dir.toString());
    env.put("IMGPROXY_WORKERS", "1");
    env.put("IMGPROXY_KEY", KEY);
    env.put("IMGPROXY_SALT", SALT);
    env.put("IMGPROXY_USE_GCS", "true"); // unsupported: named, not fatal
    // The documented default, given explicitly: it used to stop the server (issue 16).
    env.put("IMGD_LIBVIPS_SYSTEM", "detected");
    pb.redirectErrorStream(true).redirectOutput(log.toFile());
    Process server = pb.start();
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      awaitListening(http, port, server, log);
      String path = "/rs:fit:100:0/plain/local:///a.jpg";
      for (String unsigned : List.of("/insecure" + path, path)) {
        assertThat(get(http, port, unsigned).statusCode()).as(unsigned).isEqualTo(403);
      }
      assertThat(get(http, port, "/" + sign(path) + path).statusCode()).isEqualTo(200);
      String output = Files.readString(log, StandardCharsets.UTF_8);
      assertThat(output)
          .contains("imgproxy settings imgd does not support are ignored: IMGPROXY_USE_GCS")
          .doesNotContain("NO URL SIGNATURES");
    } finally {
      server.destroy();
      if (!server.waitFor(30, TimeUnit.SECONDS)) {
        server.descendants().forEach(ProcessHandle::destroyForcibly);
        server.destroyForcibly();
      }
    }
  }

  /** imgproxy's signature: base64url, unpadded, of HMAC-SHA256(key, salt + path). */
  private static String sign(String path) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(HexFormat.of().parseHex(KEY), "HmacSHA256"));
    mac.update(HexFormat.of().parseHex(SALT));
    byte[] sig = mac.doFinal(path.getBytes(StandardCharsets.UTF_8));
    return Base64.getUrlEncoder().withoutPadding().encodeToString(sig);
  }

  private static HttpResponse<byte[]> get(HttpClient http, int port, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(30))
            .build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  private static void awaitListening(HttpClient http, int port, Process server, Path log)
      throws Exception {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < until) {
      assertThat(server.isAlive())
          .as("imgd serve exited: %s", Files.readString(log, StandardCharsets.UTF_8))
          .isTrue();
      try {
        get(http, port, "/health");
        return;
      } catch (IOException notYet) {
        Thread.sleep(200);
      }
    }
    throw new AssertionError(
        "imgd serve did not listen within 90 s: " + Files.readString(log, StandardCharsets.UTF_8));
  }
}
