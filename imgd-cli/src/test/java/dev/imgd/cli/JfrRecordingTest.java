package dev.imgd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JFR recording taken over the admin listener of a real {@code imgd serve} holds none of that
 * process's secrets (issue 15: the recording carried the environment, IMGD_KEY included). The
 * server runs in a child JVM so that the process that records has the secrets in its environment
 * and on its command line, as in production, and an operator's own recording runs beside.
 */
class JfrRecordingTest {
  private static final String KEY = "6b65792d6f662d7468652d736572766572";
  private static final String SALT = "73616c742d6f662d746865";
  private static final String AWS_SECRET = "awsSecretFAKE0123456789abcdefXYZ";
  private static final String TOKEN = "admin-token-FAKE-0123456789abcdef";
  private static final String PROPERTY_SECRET = "propertySecretFAKE9876543210";

  @TempDir Path dir;

  @Test
  void jfrRecordingHoldsNoEnvironmentOrSecret() throws Exception {
    int adminPort;
    try (ServerSocket free = new ServerSocket(0)) {
      adminPort = free.getLocalPort();
    }
    ProcessBuilder pb =
        new ProcessBuilder(
            ChildServe.command(
                List.of(
                    "-Dimgd.libvips=" + System.getProperty("imgd.libvips", ""),
                    "-Dimgd.test.secret=" + PROPERTY_SECRET,
                    // An operator's own recording beside imgd's, with the JDK's defaults
                    // (environment on): its events share the chunks imgd's recording is dumped
                    // from.
                    "-XX:StartFlightRecording:settings=default,filename="
                        + dir.resolve("own.jfr"))));
    pb.environment()
        .putAll(
            Map.of(
                "IMGD_BIND",
                "127.0.0.1:0",
                "IMGD_ADMIN_BIND",
                "127.0.0.1:" + adminPort,
                "IMGD_ADMIN_TOKEN",
                TOKEN,
                "IMGD_KEY",
                KEY,
                "IMGD_SALT",
                SALT,
                "AWS_SECRET_ACCESS_KEY",
                AWS_SECRET,
                "IMGD_MODE",
                "in-process",
                "IMGD_WORKERS",
                "1",
                "IMGD_LIBVIPS_SYSTEM",
                "off",
                "IMGD_LOCAL_ROOT",
                dir.toString()));
    Path log = dir.resolve("serve.log");
    pb.redirectErrorStream(true).redirectOutput(log.toFile());
    Process serve = pb.start();
    try {
      awaitListening(serve, adminPort, log);
      HttpResponse<byte[]> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + adminPort + "/admin/jfr?seconds=2"))
                      .header("Authorization", "Bearer " + TOKEN)
                      .timeout(Duration.ofSeconds(60))
                      .build(),
                  HttpResponse.BodyHandlers.ofByteArray());
      assertThat(r.statusCode()).isEqualTo(200);
      Path jfr = Files.write(dir.resolve("imgd.jfr"), r.body());
      String printed = jfr("print", jfr);
      // JFR writes ASCII as single bytes whatever a string's encoding: a byte search finds it.
      String bytes = new String(r.body(), StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
      // The search can find what is there: the recording names imgd's own threads and classes.
      assertThat(bytes).contains("imgd-engine");
      assertThat(printed).contains("dev.imgd.server");
      for (String secret : List.of(KEY, SALT, AWS_SECRET, TOKEN, PROPERTY_SECRET)) {
        String s = secret.toLowerCase(Locale.ROOT);
        assertThat(bytes.contains(s)).as("%s in the .jfr bytes", secret).isFalse();
        assertThat(printed.toLowerCase(Locale.ROOT).contains(s))
            .as("%s in jfr print", secret)
            .isFalse();
      }
      // The summary lists every known event type; those carrying secrets have none recorded.
      assertThat(jfr("summary", jfr))
          .doesNotContainPattern(
              "(?m)^ *jdk\\.(InitialEnvironmentVariable|InitialSystemProperty|JVMInformation) +[1-9]");
      // Nothing of them in the server's own log either.
      String logged = Files.readString(log);
      assertThat(logged).doesNotContain(TOKEN).doesNotContainIgnoringCase(KEY);
    } finally {
      serve.destroy();
      if (!serve.waitFor(30, TimeUnit.SECONDS)) {
        serve.destroyForcibly();
      }
    }
  }

  private static void awaitListening(Process serve, int port, Path log) throws Exception {
    for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60); System.nanoTime() < end; ) {
      assertThat(serve.isAlive()).as("imgd serve exited: %s", Files.readString(log)).isTrue();
      try (Socket s = new Socket("127.0.0.1", port)) {
        return;
      } catch (IOException notYet) {
        Thread.sleep(100);
      }
    }
    throw new AssertionError("imgd serve did not open its admin port: " + Files.readString(log));
  }

  /** The JDK's jfr tool on the file: what an operator reading the recording sees. */
  private static String jfr(String command, Path file) throws Exception {
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "jfr").toString(),
                command,
                file.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }
}
