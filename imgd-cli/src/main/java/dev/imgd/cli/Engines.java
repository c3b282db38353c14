package dev.imgd.cli;

import dev.imgd.core.ImageFormat;
import dev.imgd.core.Imgd;
import dev.imgd.server.ImgdServer;
import dev.imgd.server.settings.Settings;
import dev.imgd.vips.Vips;
import dev.imgd.vips.VipsSettings;
import dev.imgd.worker.IsolatedEngine;
import java.util.EnumSet;

/**
 * The engines the commands run on, chosen as the server chooses: libvips in this process for the
 * formats it reads there, else the server's worker pools (the launcher's libvips, then the system's
 * second build), each format going to the first pool that reads it and writes the output.
 */
final class Engines {
  private Engines() {}

  static void startVips() {
    if (!Vips.isStarted()) {
      Vips.start(
          VipsSettings.defaults(VipsSettings.libraryFromEnvironment())
              .withLoaders(ImageFormat.loaderClasses(EnumSet.of(ImageFormat.Reach.IN_PROCESS))));
    }
  }

  /** The server's worker pools for these settings, {@code workers} in the first. */
  static IsolatedEngine workers(Settings settings, int workers) {
    return IsolatedEngine.start(
        IsolatedEngine.Settings.defaults(ImgdServer.workerLibraries(settings), workers)
            .withMemoryCap(settings.get(Settings.WORKER_MEMORY)));
  }

  /**
   * An engine for one image: in this process when its libvips reads {@code input} there and writes
   * {@code output}, else isolated workers (SVG, PDF, TIFF, and what only the second build reads).
   */
  static Imgd.Builder forImage(ImageFormat input, ImageFormat output) {
    startVips();
    boolean inProcess =
        ImageFormat.readable(EnumSet.of(ImageFormat.Reach.IN_PROCESS)).contains(input)
            && ImageFormat.writable().contains(output);
    Imgd.Builder b = Imgd.builder().threads(1);
    return inProcess ? b : b.engine(workers(Settings.fromEnvironment(), 1));
  }
}
