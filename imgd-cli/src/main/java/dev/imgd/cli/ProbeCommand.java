package dev.imgd.cli;

import dev.imgd.core.Limits;
import dev.imgd.core.probe.Probe;
import dev.imgd.core.probe.ProbeResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** What imgd reads from a header, without decoding a pixel; then the default limits' verdict. */
@Command(name = "probe", description = "Read an image's header: format, size, frames, metadata.")
final class ProbeCommand implements Callable<Integer> {
  @Parameters(index = "0", description = "image file")
  Path file;

  @Override
  public Integer call() throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    ProbeResult p = Probe.read(bytes);
    System.out.println("format:        " + p.format());
    System.out.println(
        "size:          " + p.width() + "x" + p.height() + " (" + p.pixels() + " px)");
    ProbeResult.Thumbnail t = p.thumbnail();
    if (t != null) {
      System.out.println(
          "thumbnail:     " + t.width() + "x" + t.height() + " (" + t.codec() + ", for eth)");
    }
    System.out.println("frames:        " + p.frames() + (p.animated() ? " (animated)" : ""));
    System.out.println("orientation:   " + p.orientation());
    System.out.println(
        "colour space:  "
            + p.colourSpace()
            + ", "
            + p.bands()
            + " bands, "
            + p.bitsPerSample()
            + " bits"
            + (p.hasAlpha() ? ", alpha" : ""));
    System.out.println(
        "progressive:   " + p.progressive() + (p.scans() > 0 ? " (" + p.scans() + " scans)" : ""));
    System.out.println(
        "metadata:      ICC "
            + p.iccBytes()
            + " B, EXIF "
            + p.exifBytes()
            + " B, XMP "
            + p.xmpBytes()
            + " B"
            + (p.hasGps() ? ", GPS present" : ""));
    System.out.println("decode memory: " + p.estimatedDecodeBytes() + " bytes if fully decoded");
    Probe.check(bytes, Limits.DEFAULTS); // throws with the reason when refused
    System.out.println("limits:        within the defaults");
    return 0;
  }
}
