package dev.imgd.cli;

import dev.imgd.core.ImageFormat;
import dev.imgd.core.Imgd;
import dev.imgd.core.options.Options;
import dev.imgd.vips.Vips;
import dev.imgd.vips.VipsImage;
import dev.imgd.vips.VipsOperation;
import dev.imgd.vips.VipsThreads;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.function.IntSupplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * In-process convert benchmark: process CPU ms per image for imgd's whole pipeline and for the bare
 * binding making the same calls as bench/floor.c, one image at a time, medians printed. Process CPU
 * (all threads: libvips', the JIT's, the GC's) is what a server pays.
 */
@Command(name = "bench-convert", description = "Median CPU ms per image, in-process (benchmark).")
final class BenchConvertCommand implements Callable<Integer> {
  @Option(names = "--image", description = "source JPEG (default: the shared benchmark image)")
  Path image = Path.of("..", "shared", "images", "2569067123_aca715a2ee_o.jpg");

  @Option(names = "--iterations", description = "measured conversions per variant")
  int iterations = 60;

  @Option(names = "--warmup", description = "unmeasured conversions first (JIT warm-up)")
  int warmup = 20;

  @Option(names = "--width", description = "target width")
  int width = 720;

  @Option(names = "--quality", description = "JPEG quality")
  int quality = 80;

  @Override
  public Integer call() throws Exception {
    byte[] source = Files.readAllBytes(image);
    try (Imgd imgd = Imgd.builder().threads(1).build()) {
      Options options =
          Options.builder().width(width).quality(quality).format(ImageFormat.JPEG).build();
      ExecutorService thread = VipsThreads.pool("bench", 1);
      try {
        int shrink = imgd.plan(source, options).load().shrink();
        double[] binding =
            thread.submit(() -> measure(() -> binding(source, shrink, width, quality))).get();
        double[] pipeline = measure(() -> imgd.process(source, options).bytes().length);
        System.out.printf(
            "libvips %s: imgd pipeline median %.2f ms (min %.2f, max %.2f); binding only median"
                + " %.2f ms (min %.2f); shrink-on-load %d; %d iterations%n",
            Vips.version(),
            pipeline[1],
            pipeline[0],
            pipeline[2],
            binding[1],
            binding[0],
            shrink,
            iterations);
      } finally {
        thread.shutdown();
      }
    }
    return 0;
  }

  /** {min, median, max} of process CPU ms per call, after the warm-up. */
  private double[] measure(IntSupplier call) {
    for (int i = 0; i < warmup; i++) {
      call.getAsInt();
    }
    var os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    double[] ms = new double[iterations];
    for (int i = 0; i < iterations; i++) {
      long t0 = os.getProcessCpuTime();
      call.getAsInt();
      ms[i] = (os.getProcessCpuTime() - t0) / 1e6;
    }
    Arrays.sort(ms);
    return new double[] {ms[0], ms[iterations / 2], ms[iterations - 1]};
  }

  /** The calls bench/floor.c makes from C. */
  static int binding(byte[] source, int shrink, int width, int quality) {
    try (VipsImage in =
            VipsOperation.of("jpegload_buffer")
                .set("buffer", source)
                .set("shrink", shrink)
                .set("access", "sequential")
                .set("fail_on", "truncated")
                .image();
        VipsImage out =
            VipsOperation.of("resize")
                .in(in)
                .set("scale", width / (double) in.width())
                .set("kernel", "lanczos3")
                .image()) {
      return VipsOperation.of("jpegsave_buffer")
          .in(out)
          .set("Q", quality)
          .set("optimize_coding", true)
          .bytes()
          .length;
    }
  }
}
