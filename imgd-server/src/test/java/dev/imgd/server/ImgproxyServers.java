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
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What the ports of imgproxy's processing tests share: imgproxy's test images in a local root, and
 * two servers on it, one in the default isolated mode (where the server verifies the worker's
 * output against the plan) and one in process, started once per test class that registers it.
 */
final class ImgproxyServers implements BeforeAllCallback, AfterAllCallback {
  @Nullable ImgdServer isolated;
  @Nullable ImgdServer inProcess;
  private @Nullable Both servers;
  private @Nullable Path root;
  private final Map<String, String> extra;

  ImgproxyServers() {
    this(Map.of());
  }

  /** Servers with {@code extra} settings (a watermark image, say). */
  ImgproxyServers(Map<String, String> extra) {
    this.extra = Map.copyOf(extra);
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    root = Files.createTempDirectory("imgd-imgproxy-");
    for (String f : List.of("trim1", "trim2", "trim3", "geometry")) {
      Files.write(root.resolve(f + ".png"), Fixtures.bytes("imgproxy-" + f + ".png"));
    }
    for (String f :
        List.of("rotating-squares.webp", "sdr_cosmos12920_cicp1-13-6_yuv444_full_qp10.avif")) {
      Files.write(root.resolve(f), Fixtures.bytes(f));
    }
    for (int i = 0; i < 8; i++) {
      String f = "orientation-" + i + ".png";
      Files.write(root.resolve(f), Fixtures.bytes("imgproxy-" + f));
    }
    ServerTest.root = root;
    ServerTest.signer = Signatures.of(Settings.from(ServerTest.settings(Map.of())));
    servers = Both.start(extra);
    isolated = servers.isolated();
    inProcess = servers.inProcess();
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    try (Stream<Path> files = Files.walk(Objects.requireNonNull(root))) {
      Objects.requireNonNull(servers).close();
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }

  /** The local root both servers read, for a test's own images. */
  Path root() {
    return Objects.requireNonNull(root, "not started");
  }

  /** Both servers, the isolated one first. */
  List<ImgdServer> both() {
    return Objects.requireNonNull(servers, "not started").list();
  }

  /**
   * An isolated server (one worker) and an in-process one with ServerTest's settings and {@code
   * extra}, on ServerTest's root (a registered ImgproxyServers' root), closed together: for a case
   * that needs settings of its own.
   */
  record Both(ImgdServer isolated, ImgdServer inProcess)
      implements AutoCloseable, Iterable<ImgdServer> {
    static Both start(Map<String, String> extra) throws Exception {
      Map<String, String> isolatedMode = new java.util.HashMap<>(extra);
      isolatedMode.putAll(Map.of("IMGD_MODE", "isolated", "IMGD_WORKERS", "1"));
      ImgdServer isolated = ServerTest.start(isolatedMode);
      try {
        return new Both(isolated, ServerTest.start(extra));
      } catch (Exception | Error e) {
        isolated.close();
        throw e;
      }
    }

    List<ImgdServer> list() {
      return List.of(isolated, inProcess);
    }

    @Override
    public java.util.Iterator<ImgdServer> iterator() {
      return list().iterator();
    }

    @Override
    public void close() throws Exception {
      try (inProcess) {
        isolated.close();
      }
    }
  }

  /** Both servers answer {@code width x height} for the options on the image. */
  void assertSize(String options, String image, int width, int height) throws Exception {
    for (ImgdServer s : both()) {
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

  /** Both servers refuse the options on the image with this status and problem code. */
  void assertRefused(String options, String image, int status, String code) throws Exception {
    for (ImgdServer s : both()) {
      String path = "/" + options + "/plain/local:///" + image;
      HttpResponse<byte[]> r = ServerTest.get(s, ServerTest.signed(path));
      String body = new String(r.body(), UTF_8);
      assertThat(r.statusCode()).as(path + ": " + body).isEqualTo(status);
      assertThat(body).as(path).contains("\"" + code + "\"");
    }
  }

  /** The image made from {@code image} with {@code options}, which must be a 200. */
  static byte[] get(ImgdServer s, String options, String image) throws Exception {
    String path = "/" + options + "/plain/local:///" + image;
    HttpResponse<byte[]> r = ServerTest.get(s, ServerTest.signed(path));
    assertThat(r.statusCode()).as(path + ": " + new String(r.body(), UTF_8)).isEqualTo(200);
    return r.body();
  }
}
