package dev.imgd.cli;

import dev.imgd.core.ImageFormat;
import dev.imgd.vips.Vips;
import dev.imgd.vips.VipsSettings;
import java.util.EnumSet;

/** Starts libvips for a command from the library the launcher resolved. */
final class Engines {
  private Engines() {}

  static void startVips() {
    if (!Vips.isStarted()) {
      Vips.start(
          VipsSettings.defaults(VipsSettings.libraryFromEnvironment())
              .withLoaders(ImageFormat.loaderClasses(EnumSet.of(ImageFormat.Reach.IN_PROCESS))));
    }
  }
}
