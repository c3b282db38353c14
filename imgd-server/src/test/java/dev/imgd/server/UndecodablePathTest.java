package dev.imgd.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 17: fuzzed URL paths that Jetty cannot decode (bad UTF-8, bad %-escapes) were answered with
 * Jetty's bare 400 and no problem code; they are imgd's typed 400 now. Raw sockets: an HTTP client
 * would refuse to send such a path.
 */
class UndecodablePathTest {
  private static ImgdServer server;

  @BeforeAll
  static void start() throws Exception {
    server = BodiesTest.start(Map.of());
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/insecure/rs:fit:300:0/plain/local:///%ff%fe.jpg", // not UTF-8
        "/insecure/rs:fit:300:0/plain/local:///%C0%AF.jpg", // overlong UTF-8
        "/insecure/rs:fit:300:0/plain/local:///a%zz.jpg", // not an escape
        "/insecure/rs:fit:300:0/plain/local:///a%2", // an escape cut short
      })
  void undecodablePathIsATypedBadRequest(String path) throws IOException {
    String answer = get(path);
    assertThat(answer).startsWith("HTTP/1.1 400 ");
    assertThat(answer).containsIgnoringCase("Content-Type: application/problem+json");
    assertThat(answer).contains("\"code\":\"bad_options\"").contains("\"status\":400");
    // Refused by Jetty, answered by the server's error handler: imgd's handlers never saw it.
    assertThat(answer).contains("the request URL cannot be read");
    assertThat(answer).doesNotContain("Exception").doesNotContain("<html");
  }

  /** The whole answer to a GET of the raw path, on a connection closed after it. */
  private static String get(String path) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("GET " + path + " HTTP/1.1\r\nHost: imgd\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
