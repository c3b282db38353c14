package dev.imgd.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imgd.server.settings.Settings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * deploy/image: the Dockerfile is the image build's step list printed, not a hand-kept twin; what
 * the image sets agrees with imgd and with the Kubernetes Deployment (its variables are settings
 * imgd takes, its user, port, cache folder and name are the Deployment's). deploy/image/test.sh
 * builds and runs the image itself ({@code ./imgd image --test}, in .ci/run).
 */
class ImageStepsTest {
  private static final Path ROOT = Path.of("..");
  private static final Path DOCKERFILE = ROOT.resolve("deploy/image/Dockerfile");

  @Test
  void theDockerfileIsTheStepListPrinted() throws Exception {
    Process p =
        new ProcessBuilder("bash", "deploy/image/build.sh", "--dockerfile")
            .directory(ROOT.toFile())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    String printed = new String(p.getInputStream().readAllBytes(), UTF_8);
    assertThat(p.waitFor()).isZero();
    assertThat(Files.readString(DOCKERFILE))
        .as("deploy/image/build.sh --dockerfile > deploy/image/Dockerfile")
        .isEqualTo(printed);
  }

  /** The image's launcher gives jemalloc the options ./imgd gives it (it had none: issue 17). */
  @Test
  void theImagesLauncherSetsTheAllocatorAsImgdDoes() throws IOException {
    Pattern conf = Pattern.compile("export MALLOC_CONF=\"\\$\\{MALLOC_CONF:-([^}]+)}\"");
    Matcher launcher = conf.matcher(Files.readString(ROOT.resolve("imgd")));
    Matcher image = conf.matcher(Files.readString(ROOT.resolve("deploy/image/imgd")));
    assertThat(launcher.find()).as("./imgd sets MALLOC_CONF").isTrue();
    assertThat(image.find()).as("deploy/image/imgd sets MALLOC_CONF").isTrue();
    assertThat(image.group(1)).isEqualTo(launcher.group(1)).contains("narenas:1");
  }

  @Test
  void theImageAgreesWithImgdAndTheDeployment() throws IOException {
    Map<String, String> env = new HashMap<>();
    List<String> exposed = new ArrayList<>();
    String user = null;
    String version = null;
    for (String line : Files.readAllLines(DOCKERFILE)) {
      String[] words = line.split(" ", 2);
      switch (words[0]) {
        case "ENV" -> env.put(words[1].split("=", 2)[0], words[1].split("=", 2)[1]);
        case "USER" -> user = words[1];
        case "EXPOSE" -> exposed.add(words[1]);
        case "LABEL" -> {
          if (words[1].startsWith("org.opencontainers.image.version=")) {
            version = words[1].replaceAll(".*=\"(.*)\"", "$1");
          }
        }
        default -> {}
      }
    }
    assertThat(version).isEqualTo(projectVersion());

    // Every IMGD_ variable of the image is a setting imgd takes, with a value it accepts.
    Map<String, String> imgd = new HashMap<>();
    env.forEach((name, value) -> {
      if (name.startsWith("IMGD_")) {
        imgd.put(name, value);
      }
    });
    assertThat(imgd).containsKeys("IMGD_LIBVIPS", "IMGD_BIND", "IMGD_CACHE_DIR");
    Settings settings = Settings.from(imgd);
    assertThat(exposed).containsExactly(String.valueOf(settings.get(Settings.BIND).port()));

    // The Deployment runs this image (the name ./imgd image tags), as its user, on its port, with
    // the cache folder writable under a read-only root file system.
    JsonNode deployment = DeployTest.manifests().get("Deployment");
    assertThat(deployment).isNotNull();
    JsonNode pod = deployment.at("/spec/template/spec");
    JsonNode container = pod.at("/containers/0");
    assertThat(container.path("image").asText()).isEqualTo("imgd:" + version);
    assertThat(
            pod.at("/securityContext/runAsUser").asText()
                + ":"
                + pod.at("/securityContext/runAsGroup").asText())
        .isEqualTo(user);
    assertThat(container.findValuesAsText("containerPort")).contains(exposed.get(0));
    assertThat(container.findValuesAsText("mountPath")).contains(env.get("IMGD_CACHE_DIR"));
  }

  private static String projectVersion() throws IOException {
    Matcher m =
        Pattern.compile("<version>([^<]+)</version>")
            .matcher(Files.readString(ROOT.resolve("pom.xml")));
    assertThat(m.find()).isTrue();
    return m.group(1);
  }
}
