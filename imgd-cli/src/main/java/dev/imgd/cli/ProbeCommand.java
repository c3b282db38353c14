package dev.imgd.cli;

import dev.imgd.core.Limits;
import dev.imgd.core.plan.Page;
import dev.imgd.core.probe.Probe;
import dev.imgd.core.probe.ProbeResult;
import dev.imgd.server.settings.Settings;
import dev.imgd.worker.IsolatedEngine;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** What imgd reads from a header, without decoding a pixel; then the default limits' verdict. */
@Command(
    name = "probe",
    description =
        "Read an image's header: format, size, frames, metadata, the memory a full decode takes,"
            + " and the default limits' verdict. SVG and PDF are measured by the server's isolated"
            + " workers.")
final class ProbeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  private static final Duration MEASURE_TIME = Duration.ofSeconds(30);

  @Parameters(index = "0", description = "image file")
  Path file;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    byte[] bytes = LocalFiles.read(file);
    ProbeResult p = Probe.read(bytes);
    int pages = 0;
    if (p.format().isVector()) {
      // A document's size is the loader's to read: the server's isolated workers measure it.
      try (IsolatedEngine workers = Engines.workers(Settings.fromEnvironment(), 1)) {
        Page page = workers.measure(bytes, p.format(), 0, Instant.now().plus(MEASURE_TIME));
        p = p.withMeasuredSize(page.width(), page.height());
        pages = page.pages();
      }
    }
    out.println("format:        " + p.format());
    out.println(
        "size:          "
            + p.width()
            + "x"
            + p.height()
            + " ("
            + p.pixels()
            + " px"
            + (p.format().isVector() ? " at 72 dpi, page 1 of " + pages : "")
            + ")");
    ProbeResult.Thumbnail t = p.thumbnail();
    if (t != null) {
      out.println(
          "thumbnail:     " + t.width() + "x" + t.height() + " (" + t.codec() + ", for eth)");
    }
    out.println("frames:        " + p.frames() + (p.animated() ? " (animated)" : ""));
    out.println("orientation:   " + p.orientation());
    out.println(
        "colour space:  "
            + p.colourSpace()
            + ", "
            + p.bands()
            + " bands, "
            + p.bitsPerSample()
            + " bits"
            + (p.hasAlpha() ? ", alpha" : ""));
    out.println(
        "progressive:   " + p.progressive() + (p.scans() > 0 ? " (" + p.scans() + " scans)" : ""));
    out.println(
        "metadata:      ICC "
            + p.iccBytes()
            + " B, EXIF "
            + p.exifBytes()
            + " B, XMP "
            + p.xmpBytes()
            + " B"
            + (p.hasGps() ? ", GPS present" : ""));
    out.println("decode memory: " + p.estimatedDecodeBytes() + " bytes if fully decoded");
    Probe.check(bytes, Limits.DEFAULTS); // throws with the reason when refused
    out.println("limits:        within the defaults");
    return 0;
  }
}
