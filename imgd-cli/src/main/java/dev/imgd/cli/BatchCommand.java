package dev.imgd.cli;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImageFormat;
import dev.imgd.core.Imgd;
import dev.imgd.core.ImgdException;
import dev.imgd.core.options.Options;
import dev.imgd.server.settings.Settings;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * A folder tree of images through the server's isolated workers, into the same tree under another
 * folder: resumable (an output newer than its input is kept), each output written whole or not at
 * all, failures counted by error code.
 */
@Command(
    name = "batch",
    description = {
      "Process every image under IN_DIR into the same tree under OUT_DIR, in the server's isolated"
          + " workers, with a progress line. An output newer than its input is skipped, so a cut"
          + " run resumes; outputs are written whole (a temporary name, then renamed). Ends with"
          + " the failures by error code, and exit code 3 if any file failed.",
      "Example: imgd batch photos thumbs --options rs:fit:720:0/q:80 --format webp"
    })
final class BatchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "IN_DIR", description = "the folder of images")
  Path in;

  @Parameters(
      index = "1",
      paramLabel = "OUT_DIR",
      description = "the folder the results go to (created if missing)")
  Path out;

  @Option(
      names = "--options",
      description = "processing options in imgproxy syntax, e.g. 'rs:fit:720:0/q:80'")
  String options = "";

  @Option(
      names = "--format",
      description =
          "output format (jpg, png, webp, avif, ...); default: the options' f:, else each input's"
              + " own where imgd writes it, else PNG")
  @Nullable String format;

  @Option(
      names = "--jobs",
      description =
          "images processed at once, each by its own worker (default: the cores, ${DEFAULT-VALUE})")
  int jobs = Runtime.getRuntime().availableProcessors();

  /** One file's outcome: written, skipped as up to date, or failed. */
  private record Outcome(Path file, boolean written, @Nullable Exception failure) {}

  @Override
  public Integer call() throws Exception {
    PrintWriter stdout = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (jobs < 1 || jobs > 256) {
      throw new ImgdException(ErrorCode.BAD_OPTIONS, "--jobs must be 1 to 256: " + jobs);
    }
    ImageFormat asked = format == null ? null : ConvertCommand.namedFormat(format);
    List<Path> inputs = LocalFiles.images(LocalFiles.folder(in), out);
    try {
      Files.createDirectories(out);
    } catch (IOException e) {
      throw new IOException("cannot create " + out + ": " + Main.oneLine(e), e);
    }
    Map<String, List<String>> failures = new TreeMap<>();
    int written = 0;
    int skipped = 0;
    Progress progress = new Progress(inputs.size(), "images", err, Progress.onTerminal());
    try (Imgd imgd =
            Imgd.builder().engine(Engines.workers(Settings.fromEnvironment(), jobs)).build();
        ExecutorService pool = Executors.newFixedThreadPool(jobs)) {
      Options base = options.isEmpty() ? Options.DEFAULTS : imgd.parse(options);
      progress.workersStarted();
      ImageFormat chosen = asked != null ? asked : base.format().orElse(null);
      CompletionService<Outcome> done = new ExecutorCompletionService<>(pool);
      Map<Path, Path> owners = new HashMap<>();
      int submitted = 0;
      for (Path file : inputs) {
        ImageFormat input = ImageFormat.fromExtension(ConvertCommand.extension(file)).orElseThrow();
        ImageFormat output =
            chosen != null
                ? chosen
                : input.isOutput() ? input : ImageFormat.fallbackOutput(true); // SVG, PDF: PNG
        Path target = target(file, input, output);
        Path owner = owners.putIfAbsent(target, file);
        if (owner != null) {
          // x.png and x.jxl both to x.webp: the second would overwrite, or be skipped as done.
          failures
              .computeIfAbsent("name_conflict", c -> new ArrayList<>())
              .add(
                  "%s: its output %s is %s's too"
                      .formatted(
                          in.relativize(file), out.relativize(target), in.relativize(owner)));
          continue;
        }
        Options job = base.toBuilder().format(output).build();
        done.submit(() -> process(imgd, job, file, target));
        submitted++;
      }
      int conflicts = inputs.size() - submitted;
      for (int i = conflicts; i < inputs.size(); i++) {
        Outcome o = done.take().get();
        switch (o.failure()) {
          case null -> {
            if (o.written()) {
              written++;
            } else {
              skipped++;
            }
          }
          case Exception e ->
              failures
                  .computeIfAbsent(code(e), c -> new ArrayList<>())
                  .add(in.relativize(o.file()) + ": " + Main.oneLine(e));
        }
        progress.update(i + 1, failures.values().stream().mapToInt(List::size).sum());
      }
    }
    progress.finish();
    int failed = failures.values().stream().mapToInt(List::size).sum();
    stdout.printf(
        "batch: %d images: %d written, %d skipped (up to date), %d failed, in %s%n",
        inputs.size(), written, skipped, failed, progress.elapsed());
    failures.forEach((code, list) -> {
      stdout.printf("  %s: %d%n", code, list.size());
      list.stream().sorted().limit(10).forEach(l -> stdout.println("    " + l));
      if (list.size() > 10) {
        stdout.printf("    ... and %d more%n", list.size() - 10);
      }
    });
    return failed == 0 ? 0 : Main.EXIT_REFUSED;
  }

  private static Outcome process(Imgd imgd, Options job, Path file, Path target) {
    try {
      if (Files.exists(target)
          && Files.getLastModifiedTime(target).compareTo(Files.getLastModifiedTime(file)) > 0) {
        return new Outcome(file, false, null);
      }
      Imgd.Result result = imgd.process(LocalFiles.read(file), job);
      Files.createDirectories(target.getParent());
      LocalFiles.write(target, result.bytes());
      return new Outcome(file, true, null);
    } catch (IOException | RuntimeException e) {
      return new Outcome(file, false, e);
    }
  }

  /** The output beside where the input is in its tree; renamed when the format changes. */
  private Path target(Path file, ImageFormat input, ImageFormat output) {
    Path relative = in.relativize(file);
    String name = relative.getFileName().toString();
    if (input != output) {
      name = name.substring(0, name.lastIndexOf('.') + 1) + output.extension();
    }
    return out.resolve(relative).resolveSibling(name);
  }

  private static String code(Throwable e) {
    return e instanceof ImgdException ie ? ie.code().code() : "io_error";
  }
}
