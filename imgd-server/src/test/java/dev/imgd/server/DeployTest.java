package dev.imgd.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.imgd.server.settings.Settings;
import dev.imgd.testkit.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/ holds what runs imgd elsewhere: its numbers must be imgd's own. The Kubernetes manifests'
 * settings parse, and their memory, ports, probes and grace period agree with the settings; every
 * query of the Grafana dashboard names a metric that /metrics exposes.
 */
class DeployTest {
  private static final Path DEPLOY = Path.of("..", "deploy");

  /** An idle worker's resident memory, measured about 91 MiB (docs/benchmarks.md), with room. */
  private static final long WORKER_START_RSS = 128L << 20;

  /** The server JVM beside its heap: code, metaspace, threads, class-data archive. */
  private static final long SERVER_NON_HEAP = 64L << 20;

  @TempDir Path images;

  @Test
  void theKubernetesManifestsAgreeWithImgdsSettings() throws IOException {
    Map<String, JsonNode> kinds = manifests();
    assertThat(kinds)
        .containsKeys(
            "Deployment", "Service", "PodDisruptionBudget", "HorizontalPodAutoscaler", "Secret");
    JsonNode pod = kinds.get("Deployment").at("/spec/template/spec");
    JsonNode container = pod.at("/containers/0");

    // Every variable is a setting imgd knows, with a value it takes (the secret's own values are
    // placeholders, so stand-ins are used for them).
    Map<String, String> env = new HashMap<>();
    container.path("env").forEach(e -> env.put(e.path("name").asText(), e.path("value").asText()));
    kinds.get("Secret").path("stringData").fieldNames().forEachRemaining(name -> env.put(name, ""));
    // The Redis URL may hold a password: in the Secret, never in the pod's plain env.
    assertThat(env).containsKeys("IMGD_KEY", "IMGD_SALT", "IMGD_ADMIN_TOKEN", "IMGD_REDIS_URL");
    assertThat(container.path("env").findValuesAsText("name")).doesNotContain("IMGD_REDIS_URL");
    env.put("IMGD_KEY", "736563726574");
    env.put("IMGD_SALT", "68656c6c6f");
    env.put("IMGD_ADMIN_TOKEN", "a-token-long-enough-for-the-admin-listener");
    Settings settings = Settings.from(env);

    // Ports and probes: the listener imgd binds, readiness on the pressure-aware endpoint.
    Map<String, Integer> ports = new HashMap<>();
    container
        .path("ports")
        .forEach(p -> ports.put(p.path("name").asText(), p.path("containerPort").asInt()));
    assertThat(ports.get("http")).isEqualTo(port(env.get("IMGD_BIND")));
    assertThat(ports.get("admin")).isEqualTo(port(env.get("IMGD_ADMIN_BIND")));
    assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/ready");
    assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/health");

    // Stopping: the preStop pause, then imgd's drain, inside the grace period with room to exit.
    long preStop = container.at("/lifecycle/preStop/sleep/seconds").asLong();
    long drain = settings.get(Settings.DRAIN_TIMEOUT).toSeconds();
    assertThat(drain).isEqualTo(30); // the default: the manifest does not shorten it
    assertThat(pod.path("terminationGracePeriodSeconds").asLong())
        .isGreaterThanOrEqualTo(preStop + drain + 5);

    // Memory: the RSS budget imgd derives from the limit holds the image memory budget, the
    // server's heap and non-heap, and each worker (and the spare) at start.
    JsonNode resources = container.path("resources");
    long limit = bytes(resources.path("limits").path("memory").asText());
    assertThat(bytes(resources.path("requests").path("memory").asText())).isEqualTo(limit);
    int workers = settings.get(Settings.WORKERS);
    long needed =
        settings.get(Settings.MEMORY_BUDGET)
            + ServerHeap.needed(settings)
            + SERVER_NON_HEAP
            + (workers + 1) * WORKER_START_RSS;
    assertThat(Pressure.budgetFor(limit)).isGreaterThanOrEqualTo(needed);
    // One worker per core requested.
    assertThat(resources.path("requests").path("cpu").asInt()).isEqualTo(workers);
  }

  @Test
  void everyDashboardQueryNamesAMetricImgdExposes() throws Exception {
    Set<String> queried = new TreeSet<>();
    JsonNode dashboard = new ObjectMapper().readTree(DEPLOY.resolve("grafana/imgd.json").toFile());
    Pattern metricName = Pattern.compile("\\bimgd_[a-z_]+");
    dashboard
        .findValues("expr")
        .forEach(expr -> {
          Matcher m = metricName.matcher(expr.asText());
          while (m.find()) {
            queried.add(m.group());
          }
        });
    assertThat(queried).hasSizeGreaterThan(15);

    Files.write(images.resolve("a.jpg"), Fixtures.bytes("Landscape_1.jpg"));
    Files.writeString(images.resolve("notes.txt"), "not an image");
    Map<String, String> env = new HashMap<>(ServerTest.settings(images, Map.of()));
    env.put("IMGD_MODE", "isolated"); // the worker metrics exist only with workers
    env.put("IMGD_METRICS", "public");
    env.put("IMGD_KEY", "");
    env.put("IMGD_SALT", "");
    try (ImgdServer s = ImgdServer.start(Settings.from(env))) {
      // A 200, a cache hit, a 404 and a 415: the labelled series appear with their first event.
      for (String path :
          new String[] {
            "w:100/plain/local:///a.jpg",
            "w:100/plain/local:///a.jpg",
            "w:100/plain/local:///nope.jpg",
            "w:100/plain/local:///notes.txt"
          }) {
        ServerTest.get(s, "/insecure/" + path);
      }
      String exposed = BodiesTest.metrics(s);
      Set<String> names = new TreeSet<>();
      Matcher m = Pattern.compile("(?m)^(imgd_[a-z_]+)").matcher(exposed);
      while (m.find()) {
        names.add(m.group(1));
      }
      assertThat(names).containsAll(queried);
    }
  }

  private static int port(String hostPort) {
    return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
  }

  /** A Kubernetes quantity in Mi or Gi, in bytes. */
  private static long bytes(String quantity) {
    if (quantity.endsWith("Gi")) {
      return Long.parseLong(quantity.substring(0, quantity.length() - 2)) << 30;
    }
    assertThat(quantity).endsWith("Mi");
    return Long.parseLong(quantity.substring(0, quantity.length() - 2)) << 20;
  }

  /** deploy/kubernetes/imgd.yaml's documents by their kind. */
  static Map<String, JsonNode> manifests() throws IOException {
    Map<String, JsonNode> kinds = new HashMap<>();
    try (var docs =
        new YAMLMapper()
            .readerFor(JsonNode.class)
            .<JsonNode>readValues(DEPLOY.resolve("kubernetes/imgd.yaml").toFile())) {
      while (docs.hasNext()) {
        JsonNode doc = docs.next();
        kinds.put(doc.path("kind").asText(), doc);
      }
    }
    return kinds;
  }
}
