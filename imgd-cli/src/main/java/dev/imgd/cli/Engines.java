package dev.imgd.cli;

import dev.imgd.vips.Vips;

/** Starts libvips for a command from the library the launcher resolved. */
final class Engines {
  private Engines() {}

  static void startVips() {
    if (!Vips.isStarted()) {
      Vips.startFromEnvironment();
    }
  }
}
