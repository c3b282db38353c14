package dev.imgd.cli;

import dev.imgd.cli.CompareReport.Classification;
import dev.imgd.cli.CompareReport.Operation;
import dev.imgd.cli.CompareReport.Row;
import dev.imgd.cli.CompareSide.Attempt;
import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImgdException;
import dev.imgd.core.options.Options;
import dev.imgd.core.probe.Probe;
import dev.imgd.server.settings.Settings;
import dev.imgd.vips.VipsImage;
import dev.imgd.vips.VipsOperation;
import dev.imgd.vips.VipsSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Two libvips builds side by side over a corpus, before an upgrade: every image through every
 * operation on each build, in isolated workers; per row the status on each side, the pixel
 * difference, and the output size, time and memory ratios; gates that fail the command.
 */
@Command(
    name = "compare",
    description = {
      "Run every image under CORPUS_DIR through each operation on two libvips builds (A, the one in"
          + " use, and B, the candidate), each in its own isolated worker, and compare: a new"
          + " failure or crash on B, a fixed one, the pixel difference of the outputs (CIEDE2000,"
          + " mean and max), and B/A ratios of output size, time (median of --runs) and peak"
          + " worker memory. Prints a summary per operation, writes a JSON and an HTML report"
          + " (the worst differences side by side), and exits 5 when a gate is crossed.",
      "Example: imgd compare --a default --b system --json r.json --html r.html test-images"
    })
final class CompareCommand implements Callable<Integer> {
  /**
   * The operations compared without {@code --ops}: one per option group that touches a codec or the
   * resampler. Format conversions are bounded to 1024 px so that a corpus of large photos runs in
   * minutes (AVIF's encoder dominates otherwise).
   */
  static final List<Operation> DEFAULT_OPERATIONS =
      List.of(
          new Operation("thumbnail", "w:300", false),
          new Operation("fill-crop", "rs:fill:400:300/g:sm", false),
          new Operation("webp", "rs:fit:1024:1024/f:webp", false),
          new Operation("avif", "rs:fit:1024:1024/f:avif", false),
          new Operation("png", "rs:fit:1024:1024/f:png", false),
          new Operation("watermark", "rs:fit:800:800/wm:0.7:soea:10:10:0.3", false),
          new Operation("animated-gif", "rs:fit:200:200/f:gif", true));

  /**
   * ΔE2000 of the worst pixel that passes: between libvips 8.18 and 8.14 over the test images the
   * worst pixel is 29.9 (an edge of an AVIF output: another AV1 encoder), lossy outputs' edges 20
   * to 30 (docs/releases.md). Above that noise, the default catches gross damage (a truncated or
   * shifted region); the mean shows subtler shifts.
   */
  static final double DEFAULT_MAX_DELTA_E = 40;

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "CORPUS_DIR", description = "the folder of images")
  Path corpus;

  @Option(
      names = "--a",
      required = true,
      paramLabel = "LIB",
      description =
          "build A, the one in use: a libvips shared library, or 'default' (the launcher's,"
              + " IMGD_LIBVIPS) or 'system' (the system's, as IMGD_LIBVIPS_SYSTEM finds it)")
  String libraryA = "";

  @Option(
      names = "--b",
      required = true,
      paramLabel = "LIB",
      description = "build B, the candidate: as --a")
  String libraryB = "";

  @Option(
      names = "--ops",
      paramLabel = "FILE",
      description =
          "operations, one imgproxy option string per line ('#' starts a comment); default:"
              + " thumbnail, fill crop, WebP, AVIF and PNG out, watermark, animated GIF")
  @Nullable Path ops;

  @Option(names = "--json", paramLabel = "FILE", description = "write the JSON report here")
  @Nullable Path json;

  @Option(names = "--html", paramLabel = "FILE", description = "write the HTML report here")
  @Nullable Path html;

  @Option(
      names = "--runs",
      description = "runs per file, operation and build; time is their median (${DEFAULT-VALUE})")
  int runs = 3;

  @Option(
      names = "--watermark",
      paramLabel = "FILE",
      description = "the watermark image for wm: (default: a built-in 160x160 translucent disc)")
  @Nullable Path watermark;

  @Option(
      names = "--worst",
      description = "differences shown as images in the HTML report (${DEFAULT-VALUE})")
  int worst = 10;

  @Option(
      names = "--progress",
      description = "progress lines on stderr when it is not a terminal (on one, always)")
  boolean progress;

  @Option(
      names = "--max-new-failures",
      description = "gate: new failures and new crashes on B allowed (${DEFAULT-VALUE})")
  int maxNewFailures = 0;

  @Option(
      names = "--max-delta-e",
      description = "gate: the largest ΔE2000 of any pixel of any output (${DEFAULT-VALUE})")
  double maxDeltaE = DEFAULT_MAX_DELTA_E;

  @Option(
      names = "--max-time-ratio",
      description =
          "gate: B's time over A's, geometric mean of an operation's rows (${DEFAULT-VALUE})")
  double maxTimeRatio = 1.25;

  @Option(
      names = "--max-memory-ratio",
      description =
          "gate: B's peak worker RSS over A's, geometric mean of an operation's rows"
              + " (${DEFAULT-VALUE})")
  double maxMemoryRatio = 1.25;

  /** A row kept with its outputs, to be shown as images if it stays among the worst. */
  // The outputs travel to the report, never compared.
  @SuppressWarnings("ArrayRecordComponent")
  private record Shown(Row row, Attempt a, Attempt b) {
    double max() {
      return row.deltaE() == null ? 0 : row.deltaE().max();
    }
  }

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (runs < 1 || runs > 100) {
      throw new ImgdException(ErrorCode.BAD_OPTIONS, "--runs must be 1 to 100: " + runs);
    }
    if (worst < 0 || maxNewFailures < 0 || !(maxDeltaE >= 0)) {
      throw new ImgdException(
          ErrorCode.BAD_OPTIONS, "--worst, --max-new-failures and --max-delta-e must be >= 0");
    }
    if (!(maxTimeRatio > 0) || !(maxMemoryRatio > 0)) {
      throw new ImgdException(
          ErrorCode.BAD_OPTIONS, "--max-time-ratio and --max-memory-ratio must be > 0");
    }
    Settings settings = Settings.fromEnvironment();
    Path a = library(libraryA, "--a", settings);
    Path b = library(libraryB, "--b", settings);
    List<Operation> operations = ops == null ? DEFAULT_OPERATIONS : operations(ops);
    List<Path> files = LocalFiles.images(LocalFiles.folder(corpus), null);
    byte[] mark = watermark == null ? builtInWatermark() : LocalFiles.read(watermark);
    long memoryCap = settings.get(Settings.WORKER_MEMORY);

    List<Row> rows = new ArrayList<>();
    PriorityQueue<Shown> shown = new PriorityQueue<>(Comparator.comparingDouble(Shown::max));
    boolean terminal = Progress.onTerminal();
    Progress bar =
        new Progress(
            files.size() * operations.size(),
            "rows",
            terminal || progress ? err : new PrintWriter(Writer.nullWriter()),
            terminal);
    CompareReport report;
    try (CompareSide sideA = new CompareSide(a, memoryCap, mark);
        CompareSide sideB = new CompareSide(b, memoryCap, mark)) {
      List<Options> parsed = operations.stream().map(o -> parse(sideA, o)).toList();
      bar.workersStarted();
      int fresh = 0;
      for (Path file : files) {
        byte[] source = LocalFiles.read(file);
        for (int i = 0; i < operations.size(); i++) {
          Shown s = compare(file, source, operations.get(i), parsed.get(i), sideA, sideB);
          rows.add(s.row());
          if (s.max() > 0 && worst > 0) { // identical outputs are not worth a picture
            shown.add(s);
            if (shown.size() > worst) {
              shown.poll();
            }
          }
          Classification c = s.row().classification();
          fresh += c == Classification.NEW_FAILURE || c == Classification.NEW_CRASH ? 1 : 0;
          bar.update(rows.size(), fresh);
        }
      }
      bar.finish();
      report =
          new CompareReport(
              sideA.build,
              sideB.build,
              runs,
              operations,
              rows,
              new CompareReport.Gates(maxNewFailures, maxDeltaE, maxTimeRatio, maxMemoryRatio));
    }
    report.print(out);
    if (json != null) {
      LocalFiles.write(json, report.json().getBytes(StandardCharsets.UTF_8));
      out.println("json: " + json);
    }
    if (html != null) {
      LocalFiles.write(
          html, CompareHtml.of(report, previews(shown)).getBytes(StandardCharsets.UTF_8));
      out.println("html: " + html);
    }
    return report.crossed() ? Main.EXIT_GATE : 0;
  }

  /**
   * One file through one operation on both builds, {@code runs} times each, A and B alternating in
   * turn (ABBA...) so that a machine growing busier weighs on both; a side that failed is not run
   * again.
   */
  private Shown compare(
      Path file, byte[] source, Operation op, Options options, CompareSide sa, CompareSide sb) {
    String name = corpus.relativize(file).toString();
    if (op.animatedOnly() && !animated(source)) {
      Attempt skip = Attempt.skipped("not animated");
      return new Shown(
          new Row(name, op, skip, skip, Classification.SKIPPED, null, "not animated"), skip, skip);
    }
    Attempt ra = null;
    Attempt rb = null;
    for (int i = 0; i < runs; i++) {
      for (CompareSide side : i % 2 == 0 ? List.of(sa, sb) : List.of(sb, sa)) {
        Attempt before = side == sa ? ra : rb;
        if (before != null && !before.ok()) {
          continue;
        }
        Attempt now = side.run(source, options);
        Attempt all = before == null ? now : before.then(now);
        if (side == sa) {
          ra = all;
        } else {
          rb = all;
        }
      }
    }
    Attempt a = Objects.requireNonNull(ra, "run at least once");
    Attempt b = Objects.requireNonNull(rb, "run at least once");
    PixelDiff.Outcome diff =
        a.ok() && b.ok() ? PixelDiff.measure(a, b) : new PixelDiff.Outcome(Optional.empty(), "");
    Row row =
        new Row(
            name,
            op,
            a.withoutBytes(),
            b.withoutBytes(),
            Classification.of(a, b),
            diff.deltaE().orElse(null),
            diff.why());
    return new Shown(row, a, b);
  }

  /** Whether the probe finds more than one frame; an unreadable header is run, not skipped. */
  private static boolean animated(byte[] source) {
    try {
      return Probe.read(source).frames() > 1;
    } catch (ImgdException e) {
      return true;
    }
  }

  /** The worst rows, worst first, with their outputs and their difference as PNGs. */
  private static Map<Row, PixelDiff.Previews> previews(PriorityQueue<Shown> shown) {
    List<Shown> worstFirst = new ArrayList<>(shown);
    worstFirst.sort(Comparator.comparingDouble(Shown::max).reversed());
    Map<Row, PixelDiff.Previews> m = new LinkedHashMap<>();
    for (Shown s : worstFirst) {
      m.put(s.row(), PixelDiff.previews(s.a(), s.b()));
    }
    return m;
  }

  private static Options parse(CompareSide side, Operation op) {
    try {
      return side.parse(op.options());
    } catch (ImgdException e) {
      throw new ImgdException(
          ErrorCode.BAD_OPTIONS, "operation " + op.name() + ": " + e.getMessage(), e);
    }
  }

  /** A build named on the command line: a library file, "default" or "system". */
  private static Path library(String name, String option, Settings settings) throws IOException {
    Path p =
        switch (name) {
          case "default" -> VipsSettings.libraryFromEnvironment();
          case "system" ->
              VipsSettings.systemLibrary(settings.get(Settings.LIBVIPS_SYSTEM))
                  .orElseThrow(() ->
                      new IOException(
                          option
                              + " system: no system libvips found (install Debian's libvips42,"
                              + " or set IMGD_LIBVIPS_SYSTEM)"));
          default -> Path.of(name);
        };
    if (!Files.isRegularFile(p)) {
      throw new IOException(option + " " + p + ": not found");
    }
    return p;
  }

  /** The operations of an --ops file: one option string a line, named by itself. */
  static List<Operation> operations(Path file) throws IOException {
    List<Operation> list = new ArrayList<>();
    for (String line : new String(LocalFiles.read(file), StandardCharsets.UTF_8).lines().toList()) {
      int hash = line.indexOf('#');
      String options = (hash < 0 ? line : line.substring(0, hash)).strip();
      if (!options.isEmpty()) {
        list.add(new Operation(options, options, false));
      }
    }
    if (list.isEmpty()) {
      throw new ImgdException(ErrorCode.BAD_OPTIONS, file + ": no operations in it");
    }
    return list;
  }

  /**
   * The built-in watermark: a 160x160 disc, orange to blue, half transparent, fading to nothing at
   * its edge, so that placing it tests alpha compositing too.
   */
  static byte[] builtInWatermark() {
    Engines.startVips();
    int size = 160;
    byte[] pixels = new byte[size * size * 4];
    double r = size / 2.0;
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        double d = Math.hypot(x + 0.5 - r, y + 0.5 - r) / r;
        int i = (y * size + x) * 4;
        pixels[i] = (byte) (255 - x * 200 / size);
        pixels[i + 1] = (byte) (120 + y * 60 / size);
        pixels[i + 2] = (byte) (40 + x * 200 / size);
        pixels[i + 3] = (byte) (d >= 1 ? 0 : Math.round(180 * (1 - d * d)));
      }
    }
    try (VipsImage image = VipsImage.fromPixels(pixels, size, size, 4)) {
      return VipsOperation.of("pngsave_buffer").in(image).bytes();
    }
  }
}
