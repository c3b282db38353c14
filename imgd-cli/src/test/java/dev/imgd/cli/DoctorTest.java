package dev.imgd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imgd.core.Version;
import dev.imgd.server.ImgdServer;
import dev.imgd.server.settings.Settings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code imgd doctor} lists what the server really reads and writes (FM-13): per worker pool
 * (libvips build) and in all, as the /health of a server started with the same settings reports.
 */
class DoctorTest {
  @TempDir Path root;

  @Test
  void doctorAgreesWithTheServerPerPool() throws Exception {
    Settings settings =
        Settings.from(
            Map.of(
                "IMGD_BIND", "127.0.0.1:0",
                "IMGD_LOCAL_ROOT", root.toString(),
                "IMGD_MODE", "isolated",
                "IMGD_WORKERS", "1"));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    DoctorCommand.print(settings, new PrintStream(out, true, StandardCharsets.UTF_8));
    List<String> doctor = out.toString(StandardCharsets.UTF_8).lines().toList();
    // "workers:    libvips 8.14.1 (/path/libvips.so.42): reads [...], writes [...]" without path
    List<String> doctorPools =
        doctor.stream()
            .filter(l -> l.startsWith("workers:"))
            .map(l -> l.replaceFirst("^workers: +libvips (\\S+) \\(.*\\): ", "$1: "))
            .toList();
    JsonNode health;
    try (ImgdServer server = ImgdServer.start(settings)) {
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + server.port() + "/health"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      health = new ObjectMapper().readTree(r.body());
    }
    List<String> serverPools = new ArrayList<>();
    for (JsonNode pool : health.get("pools")) {
      serverPools.add(
          "%s: reads %s, writes %s"
              .formatted(
                  pool.get("libvips").asText(), list(pool.get("reads")), list(pool.get("writes"))));
    }
    assertThat(doctorPools).isEqualTo(serverPools);
    assertThat(health.get("version").asText())
        .isEqualTo(Version.get()); // the build's, as --version
    // ./imgd test installs the system's build: two pools, and the formats only it has.
    assertThat(doctorPools).hasSize(2);
    assertThat(doctor).contains("reads:      " + list(health.get("reads")));
    assertThat(doctor).contains("writes:     " + list(health.get("writes")));
    assertThat(list(health.get("reads"))).contains("tiff", "jxl", "heic", "svg");
    assertThat(list(health.get("writes"))).contains("tiff", "jxl", "heic");
    // imgd's own codec: in every pool and in process.
    assertThat(doctorPools).allMatch(p -> p.contains("bmp") && p.contains("ico"));
    assertThat(doctor).anyMatch(l -> l.startsWith("in process: reads [avif, bmp, gif, ico,"));
    assertThat(list(health.get("writes"))).contains("bmp", "ico");
  }

  private static List<String> list(JsonNode array) {
    List<String> values = new ArrayList<>();
    array.forEach(v -> values.add(v.asText()));
    return values;
  }
}
