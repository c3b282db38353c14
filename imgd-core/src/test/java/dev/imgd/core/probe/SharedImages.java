package dev.imgd.core.probe;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The shared test images, found through the {@code imgd.shared} system property. */
public final class SharedImages {
  private SharedImages() {}

  /** The images directory: {@code ${imgd.shared}/images}, by default ../../shared/images. */
  public static Path dir() {
    return Path.of(System.getProperty("imgd.shared", "../../shared"), "images");
  }

  public static byte[] bytes(String name) {
    try {
      return Files.readAllBytes(dir().resolve(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
