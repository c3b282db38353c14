package dev.imgd.bench;

import dev.imgd.core.Imgd;
import dev.imgd.core.plan.Plan;
import dev.imgd.vips.Vips;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Peak memory of one job in a fresh process, next to the plan's estimate: resident set growth
 * (VmHWM over the RSS before the job: libvips, its codecs, and the JVM together) and libvips' own
 * tracked high-water mark. Run it once per process (bench/pipeline.sh does).
 */
@Command(name = "bench-memory", description = "Peak memory of one job vs its estimate (benchmark).")
final class BenchMemoryCommand implements Callable<Integer> {
  @Parameters(index = "0", description = "source image")
  Path image;

  @Option(names = "--options", description = "imgproxy options", required = true)
  String imgproxyOptions;

  @Override
  public Integer call() throws IOException {
    byte[] source = Files.readAllBytes(image);
    try (Imgd imgd = Imgd.builder().threads(1).build()) {
      // Load the codecs and warm the engine on a tiny image, so the peak is the job's own.
      byte[] tiny = imgd.process(source, "rs:fit:16:16/f:png").bytes();
      imgd.process(tiny, imgproxyOptions);
      Plan plan = imgd.plan(source, imgd.parse(imgproxyOptions));
      System.gc();
      long rssBefore = status("VmRSS");
      long trackedBefore = Vips.stats().memoryHighwater();
      Imgd.Result result = imgd.process(source, imgproxyOptions);
      long rssPeak = status("VmHWM") - rssBefore;
      long tracked = Vips.stats().memoryHighwater() - trackedBefore;
      System.out.printf(
          "%s %s -> %dx%d: estimate %.1f MiB, RSS peak +%.1f MiB, libvips tracked peak +%.1f MiB,"
              + " estimate/measured %.2f%n",
          image.getFileName(),
          imgproxyOptions,
          result.width(),
          result.height(),
          mib(plan.memoryEstimate()),
          mib(rssPeak),
          mib(tracked),
          plan.memoryEstimate() / (double) Math.max(1, Math.max(rssPeak, tracked)));
    }
    return 0;
  }

  private static double mib(long bytes) {
    return bytes / (1024.0 * 1024.0);
  }

  /** A field of /proc/self/status in bytes. */
  private static long status(String field) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith(field + ":")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    throw new IOException(field + " not in /proc/self/status");
  }
}
