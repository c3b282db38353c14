package dev.imgd.server;

import static dev.imgd.server.ServerTest.HTTP;
import static dev.imgd.server.ServerTest.get;
import static dev.imgd.server.ServerTest.signed;
import static dev.imgd.server.ServerTest.status;
import static org.assertj.core.api.Assertions.assertThat;

import dev.imgd.server.settings.Settings;
import dev.imgd.testkit.Fixtures;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15's findings, one test each, as an attacker on loopback sees them: the admin listener
 * answers only with its bearer token, /metrics leaves the image port when signing is on, a path
 * answers only its methods, and every answer forbids content sniffing.
 */
class HardeningTest {
  static final String TOKEN = "admin-token-0123456789abcdef";
  @TempDir static Path root;
  static ImgdServer server;

  @BeforeAll
  static void start() throws Exception {
    Files.write(root.resolve("a.jpg"), Fixtures.bytes("Landscape_1.jpg"));
    ServerTest.root = root;
    ServerTest.signer = Signatures.of(Settings.from(ServerTest.settings(Map.of())));
    // ServerTest's settings sign URLs; metrics where an operator finds them by default.
    server =
        ServerTest.start(
            Map.of(
                "IMGD_ADMIN_BIND",
                "127.0.0.1:0",
                "IMGD_ADMIN_TOKEN",
                TOKEN,
                "IMGD_METRICS",
                "auto"));
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  @Test
  void adminJfrNeedsTheBearerToken() throws Exception {
    // high: GET /admin/jfr answered anyone, and a recording holds the process's secrets.
    List<HttpResponse<byte[]>> refused = new ArrayList<>();
    refused.add(admin("/admin/jfr?seconds=1"));
    refused.add(admin("/admin/jfr?seconds=1", "Authorization", "Bearer " + TOKEN + "x"));
    refused.add(admin("/admin/jfr?seconds=1", "Authorization", "Bearer " + TOKEN.substring(1)));
    refused.add(admin("/admin/jfr?seconds=1", "Authorization", "Basic " + TOKEN));
    refused.add(admin("/admin/jfr?seconds=1", "Authorization", TOKEN));
    refused.add(admin("/metrics"));
    refused.add(admin("/no-such-admin-path"));
    for (HttpResponse<byte[]> r : refused) {
      assertThat(status(r)).isEqualTo("401 unauthorized");
      assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
      // No hint: a missing and a wrong token read alike (but for the path and request id).
      assertThat(new String(r.body(), StandardCharsets.UTF_8))
          .contains("\"detail\":\"the admin listener needs its bearer token\"")
          .doesNotContain(TOKEN.substring(4));
    }

    HttpResponse<byte[]> jfr = admin("/admin/jfr?seconds=1", "Authorization", "Bearer " + TOKEN);
    assertThat(jfr.statusCode()).isEqualTo(200);
    assertThat(new String(jfr.body(), 0, 3, StandardCharsets.ISO_8859_1)).isEqualTo("FLR");
    assertThat(admin("/nothing", "Authorization", "bearer " + TOKEN).statusCode()).isEqualTo(404);
  }

  @Test
  void metricsLeaveTheImagePortWhenSigningIsOn() throws Exception {
    // low: /metrics was served on the public image port, signing on or not.
    assertThat(status(get(server, "/metrics"))).isEqualTo("404 source_not_found");
    HttpResponse<byte[]> scrape = admin("/metrics", "Authorization", "Bearer " + TOKEN);
    assertThat(scrape.statusCode()).isEqualTo(200);
    assertThat(new String(scrape.body(), StandardCharsets.UTF_8)).contains("imgd_");
    // Without signing nothing is secret: metrics stay on the image port, as they always were.
    Map<String, String> unsigned = new HashMap<>(Map.of("IMGD_METRICS", "auto"));
    unsigned.putAll(Map.of("IMGD_KEY", "", "IMGD_SALT", ""));
    try (ImgdServer open = ServerTest.start(unsigned)) {
      assertThat(get(open, "/metrics").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void otherMethodsGet405WithAllow() throws Exception {
    // info: OPTIONS, TRACE, PUT, DELETE, PATCH and made-up methods were served as GET.
    String image = signed("/rs:fit:50:0/plain/local:///a.jpg@png");
    for (String method : List.of("OPTIONS", "TRACE", "PUT", "DELETE", "PATCH", "POST", "BREW")) {
      for (String path : List.of(image, "/health", "/ready", "/", "/metrics")) {
        HttpResponse<byte[]> r = send(ServerTest.url(server, path), method);
        assertThat(status(r)).as("%s %s", method, path).isEqualTo("405 method_not_allowed");
        assertThat(r.headers().firstValue("Allow")).hasValue("GET, HEAD");
      }
    }
    HttpResponse<byte[]> getProcess = get(server, "/process?rs:fit:50:0");
    assertThat(status(getProcess)).isEqualTo("405 method_not_allowed");
    assertThat(getProcess.headers().firstValue("Allow")).hasValue("POST");
    URI jfr = URI.create("http://127.0.0.1:" + server.adminPort() + "/admin/jfr?seconds=1");
    HttpResponse<byte[]> postJfr =
        HTTP.send(
            HttpRequest.newBuilder(jfr)
                .header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(status(postJfr)).isEqualTo("405 method_not_allowed");
    assertThat(postJfr.headers().firstValue("Allow")).hasValue("GET");

    // GET and HEAD still answer; HEAD without the body.
    assertThat(get(server, image).statusCode()).isEqualTo(200);
    HttpResponse<byte[]> head = send(ServerTest.url(server, image), "HEAD");
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
    assertThat(send(ServerTest.url(server, "/health"), "HEAD").statusCode()).isEqualTo(200);
  }

  @Test
  void everyAnswerSaysNosniff() throws Exception {
    // info: no X-Content-Type-Options: nosniff.
    String image = signed("/rs:fit:50:0/plain/local:///a.jpg@png");
    List<HttpResponse<byte[]>> answers =
        List.of(
            get(server, image),
            get(server, "/health"),
            get(server, "/ready"),
            get(server, "/insecure/rs:fit:50:0/plain/local:///a.jpg"),
            get(server, "/metrics"),
            send(ServerTest.url(server, "/health"), "PUT"),
            admin("/metrics"),
            admin("/metrics", "Authorization", "Bearer " + TOKEN));
    for (HttpResponse<byte[]> r : answers) {
      assertThat(r.headers().firstValue("X-Content-Type-Options"))
          .as("%s %s", r.statusCode(), r.uri())
          .hasValue("nosniff");
    }
  }

  private static HttpResponse<byte[]> admin(String path, String... headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.adminPort() + path))
            .timeout(Duration.ofSeconds(30));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static HttpResponse<byte[]> send(URI uri, String method) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(uri)
            .method(method, HttpRequest.BodyPublishers.noBody())
            .timeout(Duration.ofSeconds(30))
            .build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }
}
