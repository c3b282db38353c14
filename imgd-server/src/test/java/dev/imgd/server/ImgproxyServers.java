package dev.imgd.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.imgd.core.probe.Probe;
import dev.imgd.core.probe.ProbeResult;
import dev.imgd.server.settings.Settings;
import dev.imgd.testkit.Fixtures;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What the ports of imgproxy's processing tests share: imgproxy's test images in a local root, and
 * two servers on it, one in the default isolated mode (where the server verifies the worker's
 * output against the plan) and one in process.
 */
final class ImgproxyServers implements AutoCloseable {
  final ImgdServer isolated;
  final ImgdServer inProcess;

  private ImgproxyServers(ImgdServer isolated, ImgdServer inProcess) {
    this.isolated = isolated;
    this.inProcess = inProcess;
  }

  static ImgproxyServers start(Path root) throws Exception {
    for (String f : List.of("trim1", "trim2", "trim3", "geometry")) {
      Files.write(root.resolve(f + ".png"), Fixtures.bytes("imgproxy-" + f + ".png"));
    }
    ServerTest.root = root;
    ServerTest.signer = Signatures.of(Settings.from(ServerTest.settings(Map.of())));
    return new ImgproxyServers(
        ServerTest.start(Map.of("IMGD_MODE", "isolated", "IMGD_WORKERS", "1")),
        ServerTest.start(Map.of()));
  }

  /** Both servers answer {@code width x height} for the options on the image. */
  void assertSize(String options, String image, int width, int height) throws Exception {
    for (ImgdServer s : List.of(isolated, inProcess)) {
      assertSize(s, options, image, width, height);
    }
  }

  static void assertSize(ImgdServer s, String options, String image, int width, int height)
      throws Exception {
    byte[] body = get(s, options, image);
    ProbeResult probe = Probe.read(body);
    assertThat(probe.width() + "x" + probe.height())
        .as("%s on %s", options, image)
        .isEqualTo(width + "x" + height);
  }

  /** The image made from {@code image} with {@code options}, which must be a 200. */
  static byte[] get(ImgdServer s, String options, String image) throws Exception {
    String path = "/" + options + "/plain/local:///" + image;
    HttpResponse<byte[]> r = ServerTest.get(s, ServerTest.signed(path));
    assertThat(r.statusCode()).as(path + ": " + new String(r.body(), UTF_8)).isEqualTo(200);
    return r.body();
  }

  @Override
  public void close() throws Exception {
    isolated.close();
    inProcess.close();
  }
}
