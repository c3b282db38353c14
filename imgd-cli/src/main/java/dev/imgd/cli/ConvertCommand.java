package dev.imgd.cli;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImageFormat;
import dev.imgd.core.Imgd;
import dev.imgd.core.ImgdException;
import dev.imgd.core.options.Options;
import dev.imgd.core.options.ResizingType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** One image through the whole pipeline: probe, limits, plan, libvips, verification. */
@Command(
    name = "convert",
    description =
        "Resize and convert one image. The shrink-on-load factor is chosen from the size.")
final class ConvertCommand implements Callable<Integer> {
  @Parameters(index = "0", description = "input image")
  Path input;

  @Parameters(
      index = "1",
      description = "output image; its extension picks the format unless --format")
  Path output;

  @Option(names = "--width", description = "target width in px (0: from height)")
  int width;

  @Option(names = "--height", description = "target height in px (0: from width)")
  int height;

  @Option(names = "--fit", description = "fit, fill, fill-down, force or auto (default fit)")
  @Nullable String fit;

  @Option(names = "--quality", description = "1-100 (default: per format, JPEG 80)")
  int quality;

  @Option(names = "--format", description = "jpeg, png, webp, avif or gif")
  @Nullable String format;

  @Option(names = "--options", description = "more options in imgproxy syntax, e.g. 'g:sm/bl:2'")
  @Nullable String imgproxyOptions;

  @Option(names = "--watermark", description = "watermark image for the wm option")
  @Nullable Path watermark;

  @Override
  public Integer call() throws IOException {
    byte[] source = Files.readAllBytes(input);
    String ext = format != null ? format : extension(output);
    ImageFormat outFormat =
        ImageFormat.fromExtension(ext)
            .orElseThrow(
                () -> new ImgdException(ErrorCode.BAD_OPTIONS, "unknown output format: " + ext));
    Imgd.Builder engine = Imgd.builder().threads(1);
    if (watermark != null) {
      engine.watermark(Files.readAllBytes(watermark));
    }
    try (Imgd imgd = engine.build()) {
      Options.Builder b =
          (imgproxyOptions == null ? Options.DEFAULTS : imgd.parse(imgproxyOptions)).toBuilder();
      // Flags given on the command line win over the same settings in --options.
      b.format(outFormat);
      if (fit != null) {
        b.resizingType(resizingType(fit));
      }
      if (width > 0) {
        b.width(width);
      }
      if (height > 0) {
        b.height(height);
      }
      if (quality > 0) {
        b.quality(quality);
      }
      Imgd.Result result = imgd.process(source, b.build());
      Path tmp = Files.createTempFile(output.toAbsolutePath().getParent(), ".imgd", ".tmp");
      Files.write(tmp, result.bytes());
      Files.move(tmp, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      System.out.printf(
          "%s: %dx%d %s, %d bytes (shrink-on-load 1/%d)%n",
          output,
          result.width(),
          result.height(),
          result.format().extension(),
          result.bytes().length,
          result.plan().load().shrink());
    }
    return 0;
  }

  private static ResizingType resizingType(String fit) {
    try {
      return ResizingType.valueOf(fit.toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw new ImgdException(
          ErrorCode.BAD_OPTIONS, "unknown --fit " + fit + ": fit, fill, fill-down, force or auto");
    }
  }

  private static String extension(Path p) {
    String name = p.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return dot < 0 ? "" : name.substring(dot + 1);
  }
}
