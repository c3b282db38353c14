package dev.imgd.vips;

import java.util.Set;

/** Starts libvips for tests from the library the launcher resolved. */
public final class TestVips {
  /** The loaders imgd reaches in process; TIFF stays blocked, as a test proves. */
  private static final Set<String> WEB_LOADERS =
      Set.of(
          "VipsForeignLoadJpeg",
          "VipsForeignLoadPng",
          "VipsForeignLoadWebp",
          "VipsForeignLoadNsgif",
          "VipsForeignLoadHeif");

  private TestVips() {}

  public static void start() {
    Vips.start(
        VipsSettings.defaults(VipsSettings.libraryFromEnvironment())
            .withLoaders(WEB_LOADERS)
            .withLeakCheck(true));
  }
}
