package dev.imgd.worker;

import dev.imgd.vips.VipsSettings;
import java.nio.file.Path;

/** The libvips builds the worker tests run on; their images come from Fixtures. */
final class TestImages {
  private TestImages() {}

  /** The libvips the suite runs on (imgd.libvips, as for every module). */
  static Path library() {
    return VipsSettings.libraryFromEnvironment();
  }
}
