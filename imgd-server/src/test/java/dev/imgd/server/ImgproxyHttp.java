package dev.imgd.server;

import dev.imgd.server.settings.Settings;
import dev.imgd.testkit.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/** A server on loopback for the imgproxy ports: ServerTest's key and salt, a.jpg in its root. */
final class ImgproxyHttp {
  static final Signatures SIGNER =
      new Signatures(
          List.<byte[][]>of(
              new byte[][] {
                HexFormat.of().parseHex(ServerTest.KEY), HexFormat.of().parseHex(ServerTest.SALT)
              }),
          32);

  private ImgproxyHttp() {}

  /** A server whose local root is {@code root}, holding a.jpg (600x450). */
  static ImgdServer start(Path root, Map<String, String> extra) throws Exception {
    Path a = root.resolve("a.jpg");
    if (!Files.exists(a)) {
      Files.write(a, Fixtures.bytes("Landscape_1.jpg"));
    }
    Map<String, String> env = new HashMap<>();
    env.put("IMGD_BIND", "127.0.0.1:0");
    env.put("IMGD_LOCAL_ROOT", root.toString());
    env.put("IMGD_KEY", ServerTest.KEY);
    env.put("IMGD_SALT", ServerTest.SALT);
    env.put("IMGD_MODE", "in-process");
    env.put("IMGD_WORKERS", "2");
    env.put("IMGD_LIBVIPS_SYSTEM", "off");
    env.putAll(extra);
    return ImgdServer.start(Settings.from(env), Faults.NONE);
  }

  /** {@code path} behind its signature. */
  static String signed(String path) {
    return "/" + SIGNER.sign(path) + path;
  }
}
