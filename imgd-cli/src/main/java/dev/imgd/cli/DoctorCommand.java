package dev.imgd.cli;

import dev.imgd.vips.Capabilities;
import dev.imgd.vips.Vips;
import dev.imgd.vips.VipsSettings;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** What libvips this is, where it came from, and what it can read and write (FM-13). */
@Command(name = "doctor", description = "Print the libvips in use and what it can read and write.")
final class DoctorCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    Engines.startVips();
    Capabilities caps = Vips.capabilities();
    System.out.println("libvips:    " + VipsSettings.libraryFromEnvironment());
    System.out.println("version:    " + caps.version());
    System.out.println(
        "allocator:  " + System.getenv().getOrDefault("IMGD_ALLOCATOR_IN_USE", "glibc"));
    System.out.println(
        "java:       " + Runtime.version() + " (" + System.getProperty("java.home") + ")");
    System.out.println("reads:      " + caps.reads());
    System.out.println("writes:     " + caps.writes());
    System.out.println("operations: " + String.join(" ", caps.operations()));
    System.out.println("loaders reachable: " + Vips.settings().loaders());
    if (!caps.canRead(Capabilities.Format.HEIC)) {
      System.out.println(
          "note: HEIC input needs a libvips whose libheif has an HEVC decoder"
              + " (Debian's libvips42: IMGD_LIBVIPS=<path to libvips.so.42>)");
    }
    if (!caps.canRead(Capabilities.Format.PDF)) {
      System.out.println(
          "note: PDF input needs a libvips built with poppler or pdfium (Debian's libvips42)");
    }
    return 0;
  }
}
