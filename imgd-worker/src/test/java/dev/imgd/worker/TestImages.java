package dev.imgd.worker;

import dev.imgd.vips.VipsSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Test inputs and the libvips builds the tests run on. */
final class TestImages {
  private TestImages() {}

  /** A file of ../shared/images (system property imgd.shared). */
  static byte[] shared(String name) {
    try {
      return Files.readAllBytes(
          Path.of(System.getProperty("imgd.shared", "../../shared"), "images", name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] resource(String name) {
    try (var in = TestImages.class.getResourceAsStream(name)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The libvips the suite runs on (imgd.libvips, as for every module). */
  static Path library() {
    return VipsSettings.libraryFromEnvironment();
  }
}
