package dev.imgd.vips;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Starts libvips for tests from the library the launcher resolved, and finds shared images. */
public final class TestVips {
  private TestVips() {}

  public static void start() {
    Vips.start(VipsSettings.defaults(VipsSettings.libraryFromEnvironment()).withLeakCheck(true));
  }

  public static Path images() {
    String shared = System.getProperty("imgd.shared", "../../shared");
    Path dir = Path.of(shared, "images");
    if (!Files.isDirectory(dir)) {
      dir = Path.of("..", "..", "shared", "images");
    }
    return dir.toAbsolutePath().normalize();
  }

  public static byte[] image(String name) {
    try {
      return Files.readAllBytes(images().resolve(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
