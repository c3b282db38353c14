package dev.imgd.bench;

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
  @Option(
      names = "--image",
      description = "source JPEG (default: the benchmark image of test-images/)")
  Path image = Path.of("test-images", "2569067123_aca715a2ee_o.jpg");

  @Option(names = "--iterations", description = "measured conversions per variant")
  int iterations = 60;

  @Option(names = "--warmup", description = "unmeasured conversions first (JIT warm-up)")
  int warmup = 20;

  @Option(names = "--width", description = "target width")
  int width = 720;

  @Option(names = "--quality", description = "JPEG quality")
  int quality = 80;

  @Option(
      names = "--options",
      description =
          "imgproxy options for the pipeline instead of --width/--quality to JPEG;"
              + " the bare-binding variant is then skipped")
  String imgproxyOptions;

  @Override
  public Integer call() throws Exception {
    byte[] source = Files.readAllBytes(image);
    try (Imgd imgd = Imgd.builder().threads(1).build()) {
      Options options =
          imgproxyOptions != null
              ? imgd.parse(imgproxyOptions)
              : Options.builder().width(width).quality(quality).format(ImageFormat.JPEG).build();
      boolean withBinding = imgproxyOptions == null;
      ExecutorService thread = VipsThreads.pool("bench", 1);
      try {
        int shrink = imgd.plan(source, options).load().shrink();
        IntSupplier binding = withBinding ? () -> binding(source, shrink, width, quality) : () -> 0;
        IntSupplier pipeline = () -> imgd.process(source, options).bytes().length;
        for (int i = 0; i < warmup; i++) {
          thread.submit(binding::getAsInt).get();
          var _ = pipeline.getAsInt(); // warm-up: the result is not the point
        }
        // Batches alternate A B A B so that drift on a shared machine hits both alike.
        double[] bindingMs = new double[ROUNDS];
        double[] pipelineMs = new double[ROUNDS];
        int perBatch = Math.max(1, iterations / ROUNDS);
        for (int r = 0; r < ROUNDS; r++) {
          bindingMs[r] = thread.submit(() -> batch(binding, perBatch)).get();
          pipelineMs[r] = batch(pipeline, perBatch);
        }
        Arrays.sort(bindingMs);
        Arrays.sort(pipelineMs);
        String bindingFigures =
            withBinding
                ? String.format(
                    "binding only %.2f ms (batches %.2f-%.2f)",
                    bindingMs[ROUNDS / 2], bindingMs[0], bindingMs[ROUNDS - 1])
                : "binding only: skipped (--options)";
        System.out.printf(
            "libvips %s: imgd pipeline %.2f ms (batches %.2f-%.2f); %s; shrink-on-load %d;"
                + " %d rounds of %d%n",
            Vips.version(),
            pipelineMs[ROUNDS / 2],
            pipelineMs[0],
            pipelineMs[ROUNDS - 1],
            bindingFigures,
            shrink,
            ROUNDS,
            perBatch);
      } finally {
        thread.shutdown();
      }
    }
    return 0;
  }

  private static final int ROUNDS = 5;

  /**
   * Mean process CPU ms per call over a batch: the process clock ticks in 10 ms steps here, too
   * coarse for one call, fine for a batch.
   */
  private static double batch(IntSupplier call, int n) {
    var os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long t0 = os.getProcessCpuTime();
    for (int i = 0; i < n; i++) {
      var _ = call.getAsInt(); // timed: the result is not the point
    }
    return (os.getProcessCpuTime() - t0) / 1e6 / n;
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
