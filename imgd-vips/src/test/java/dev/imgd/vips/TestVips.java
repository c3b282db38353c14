package dev.imgd.vips;

/** Starts libvips for tests from the library the launcher resolved. */
public final class TestVips {
  private TestVips() {}

  public static void start() {
    Vips.start(VipsSettings.defaults(VipsSettings.libraryFromEnvironment()).withLeakCheck(true));
  }
}
