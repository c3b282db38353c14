package dev.imgd.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imgd.core.ImageFormat;
import dev.imgd.core.options.OptionReference;
import dev.imgd.core.probe.Probe;
import dev.imgd.core.probe.ProbeResult;
import dev.imgd.server.settings.Settings;
import dev.imgd.testkit.Fixtures;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The playground in a real headless browser (Debian's chromium over the DevTools protocol): the
 * page loads under its CSP, builds its controls from the option table, and when width and format
 * change it shows the image the server made for them. The image is taken from the page and decoded
 * here. Without keys the page is on the image port (isolated workers); with keys on the admin
 * listener, which signs (in process). {@code -Dimgd.writeScreenshot=true} writes
 * docs/playground.png.
 */
class PlaygroundBrowserTest {
  static final Duration WAIT = Duration.ofSeconds(90);
  static final String TOKEN = PlaygroundTest.TOKEN;
  static final String STATE =
      "({state: document.body.dataset.state, url: document.getElementById('url').value,"
          + " error: document.getElementById('error').textContent})";

  @TempDir static Path root;
  static Chromium chromium;

  @BeforeAll
  static void start() throws Exception {
    Files.write(root.resolve("landscape.jpg"), Fixtures.bytes("Landscape_1.jpg"));
    ServerTest.root = root;
    ServerTest.signer = Signatures.of(Settings.from(ServerTest.settings(Map.of())));
    chromium = Chromium.start(960, 640);
  }

  @AfterAll
  static void stop() throws Exception {
    if (chromium != null) {
      chromium.close();
    }
  }

  @Test
  void onTheImagePortWithoutKeys() throws Exception {
    try (ImgdServer server =
        ServerTest.start(Map.of("IMGD_KEY", "", "IMGD_SALT", "", "IMGD_MODE", "isolated"))) {
      ProbeResult image = widthAndFormat("http://127.0.0.1:" + server.port() + "/", "png", 120);
      assertThat(image.format()).isEqualTo(ImageFormat.PNG);
      assertThat(chromium.eval("document.getElementById('url').value").asText())
          .startsWith("http://127.0.0.1:" + server.port() + "/insecure/")
          .contains("/w:120/", "/f:png/", "/plain/local:///landscape.jpg");
      // An upload goes through POST /process with the same options.
      Path upload = root.resolve("upload.png");
      Files.write(upload, Fixtures.bytes("imgproxy-geometry.png"));
      chromium.chooseFile("#upload", upload);
      chromium.await(
          "document.body.dataset.state === 'done'"
              + " && document.getElementById('url').value === 'POST /process?w:120/f:png'",
          WAIT,
          STATE);
      assertThat(chromium.eval("document.getElementById('r-dimensions').textContent").asText())
          .startsWith("120 × ");
      if (Boolean.getBoolean("imgd.writeScreenshot")) {
        type("width.0", "600"); // the source's own width: only saturation differs on the slider
        type("saturation.0", "0");
        chromium.eval("document.getElementById('image').dispatchEvent(new Event('change'))");
        chromium.await(
            "document.body.dataset.state === 'done'"
                + " && document.getElementById('url').value.startsWith('http')"
                + " && document.getElementById('url').value.includes('sa:0')",
            WAIT,
            STATE);
        chromium.eval(
            "document.getElementById('slider').value = 40;"
                + " document.getElementById('slider').dispatchEvent(new Event('input'))");
        // Through imgd itself: 760 px wide, 32 colours: the README's image stays small.
        HttpResponse<byte[]> small =
            ServerTest.HTTP.send(
                HttpRequest.newBuilder(ServerTest.url(server, "/process?w:760/pngo:0:1:32/f:png"))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(chromium.screenshot()))
                    .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(small.statusCode()).isEqualTo(200);
        Files.write(Path.of("../docs/playground.png"), small.body());
      }
    }
  }

  @Test
  void onTheAdminListenerWhichSignsWithKeys() throws Exception {
    try (ImgdServer server =
        ServerTest.start(Map.of("IMGD_ADMIN_BIND", "127.0.0.1:0", "IMGD_ADMIN_TOKEN", TOKEN))) {
      chromium.headers(Map.of("Authorization", "Bearer " + TOKEN));
      try {
        ProbeResult image =
            widthAndFormat("http://127.0.0.1:" + server.adminPort() + "/", "webp", 90);
        assertThat(image.format()).isEqualTo(ImageFormat.WEBP);
        String path = chromium.eval("document.getElementById('url').value").asText();
        String rest = path.substring(path.indexOf('/', 1));
        assertThat(path).isEqualTo("/" + ServerTest.signer.sign(rest) + rest);
        // The signed path the page shows works on the image port.
        assertThat(Probe.read(ServerTest.get(server, path).body()).width()).isEqualTo(90);
      } finally {
        chromium.headers(Map.of());
      }
    }
  }

  /** Types {@code value} into the control {@code name} (option.argument), as a person would. */
  private static void type(String name, String value) throws Exception {
    chromium.eval(
        """
        (() => {
          const input = document.querySelector('input[name="%s"]');
          input.value = '%s';
          input.dispatchEvent(new Event('input', {bubbles: true}));
        })()
        """
            .formatted(name, value));
  }

  /**
   * Loads the page, waits for its first image, sets width and format through the controls, waits
   * for the image they give and returns what it decodes to (its width checked here).
   */
  private static ProbeResult widthAndFormat(String page, String format, int width)
      throws Exception {
    chromium.navigate(page);
    chromium.await("document.body.dataset.state === 'done'", WAIT, STATE);
    assertThat(chromium.eval("document.querySelectorAll('#options fieldset').length").asInt())
        .isEqualTo(OptionReference.all().size());
    type("width.0", String.valueOf(width));
    type("format.0", format);
    String url = "document.getElementById('url').value";
    chromium.await(
        "document.body.dataset.state === 'done' && %s.includes('w:%d') && %s.includes('f:%s')"
            .formatted(url, width, url, format),
        WAIT,
        STATE);
    JsonNode shown =
        chromium.eval(
            """
            (async () => {
              const img = document.getElementById('after');
              const bytes = new Uint8Array(await (await fetch(img.src)).arrayBuffer());
              let binary = '';
              bytes.forEach((b) => (binary += String.fromCharCode(b)));
              return {base64: btoa(binary), width: img.naturalWidth,
                      dimensions: document.getElementById('r-dimensions').textContent,
                      format: document.getElementById('r-format').textContent};
            })()
            """);
    ProbeResult image = Probe.read(Base64.getDecoder().decode(shown.get("base64").asText()));
    assertThat(image.width()).isEqualTo(width);
    assertThat(shown.get("width").asInt()).isEqualTo(width);
    assertThat(shown.get("dimensions").asText()).startsWith(width + " × " + image.height());
    assertThat(shown.get("format").asText()).isEqualTo(image.format().mimeType());
    return image;
  }
}
