package dev.imgd.worker;

import dev.imgd.vips.VipsSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** Test inputs and the libvips builds the tests run on. */
final class TestImages {
  private TestImages() {}

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
