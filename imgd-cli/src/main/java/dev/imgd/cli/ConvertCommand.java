package dev.imgd.cli;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImageFormat;
import dev.imgd.core.Imgd;
import dev.imgd.core.ImgdException;
import dev.imgd.core.options.Options;
import dev.imgd.core.options.ResizingType;
import dev.imgd.core.probe.Probe;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * One image through the whole pipeline (probe, limits, plan, libvips, verification), on the engine
 * the server would use for its format.
 */
@Command(
    name = "convert",
    description = {
      "Resize and convert one image, in any format the server reads (SVG and PDF included, rendered"
          + " by the server's isolated workers). The output's extension picks its format;"
          + " shrink-on-load is chosen from the size. Images are not enlarged unless asked"
          + " (--options el:1)."
    })
final class ConvertCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", description = "input image")
  Path input;

  @Parameters(index = "1", description = "output image; its extension picks the format")
  Path output;

  @Option(names = "--width", description = "target width in px (0: from height)")
  int width;

  @Option(names = "--height", description = "target height in px (0: from width)")
  int height;

  @Option(names = "--fit", description = "fit, fill, fill-down, force or auto (default fit)")
  @Nullable String fit;

  @Option(names = "--quality", description = "1-100 (default: per format, JPEG 80)")
  int quality;

  @Option(
      names = "--format",
      description =
          "jpg, png, webp, avif, gif, ...; for an output name without an extension (one that"
              + " names another format is refused)")
  @Nullable String format;

  @Option(names = "--options", description = "more options in imgproxy syntax, e.g. 'g:sm/bl:2'")
  @Nullable String imgproxyOptions;

  @Option(names = "--watermark", description = "watermark image for the wm option")
  @Nullable Path watermark;

  @Override
  public Integer call() throws IOException {
    byte[] source = LocalFiles.read(input);
    ImageFormat outFormat = outputFormat(output, format);
    ImageFormat inFormat = Probe.read(source).format();
    Imgd.Builder engine = Engines.forImage(inFormat, outFormat);
    if (watermark != null) {
      engine.watermark(LocalFiles.read(watermark));
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
      LocalFiles.write(output, result.bytes());
      spec.commandLine()
          .getOut()
          .printf(
              "%s: %dx%d %s, %d bytes (shrink-on-load 1/%d)%s%n",
              output,
              result.width(),
              result.height(),
              result.format().extension(),
              result.bytes().length,
              result.plan().load().shrink(),
              notEnlarged(result));
    }
    return 0;
  }

  /** Says why the result is smaller than asked: imgproxy's default is not to enlarge. */
  private String notEnlarged(Imgd.Result result) {
    boolean smaller =
        (width > result.width() && (height == 0 || height > result.height()))
            || (height > result.height() && width == 0);
    return smaller ? "; the source is smaller than asked and not enlarged (--options el:1)" : "";
  }

  /**
   * The output file's extension names the format; {@code --format} only for a name without one. A
   * contradiction is refused: a WebP file named .jpg misleads whatever opens it.
   */
  static ImageFormat outputFormat(Path output, @Nullable String format) {
    String ext = extension(output);
    Optional<ImageFormat> named = ImageFormat.fromExtension(ext);
    if (format == null) {
      return named.orElseThrow(() ->
          new ImgdException(
              ErrorCode.BAD_OPTIONS,
              "%s: the extension names no output format (%s), and no --format was given"
                  .formatted(output, outputs())));
    }
    ImageFormat asked = namedFormat(format);
    if (named.isPresent() && named.get() != asked) {
      throw new ImgdException(
          ErrorCode.BAD_OPTIONS,
          "--format %s contradicts %s, whose extension names %s: rename the output or drop --format"
              .formatted(format, output.getFileName(), named.get()));
    }
    return asked;
  }

  /** The format {@code --format} names. */
  static ImageFormat namedFormat(String format) {
    return ImageFormat.fromExtension(format)
        .filter(ImageFormat::isOutput)
        .orElseThrow(() ->
            new ImgdException(
                ErrorCode.BAD_OPTIONS, "unknown --format %s: %s".formatted(format, outputs())));
  }

  private static String outputs() {
    return Arrays.stream(ImageFormat.values())
        .filter(ImageFormat::isOutput)
        .map(ImageFormat::extension)
        .collect(Collectors.joining(", "));
  }

  private static ResizingType resizingType(String fit) {
    try {
      return ResizingType.valueOf(fit.toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw new ImgdException(
          ErrorCode.BAD_OPTIONS, "unknown --fit " + fit + ": fit, fill, fill-down, force or auto");
    }
  }

  static String extension(Path p) {
    String name = p.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return dot < 0 ? "" : name.substring(dot + 1);
  }
}
