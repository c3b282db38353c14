package dev.imgd.bench;

import dev.imgd.testkit.hostile.HostileFile;
import dev.imgd.testkit.hostile.HostileFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The hostile-input corpus the runners send over HTTP: every generated hostile file ({@link
 * HostileFiles#all}), the test images as controls, and each intact test image cut at many lengths
 * (FM-11). Deterministic: the same files, names and order on every run.
 */
final class Corpus {
  /** Shared images that are broken on purpose (see their SOURCES.md): imgd must refuse them. */
  private static final List<String> BROKEN = List.of("truncated", "corrupt-header");

  /** The fuzzers' committed corpora (bench/fuzz.sh), read when the runner starts in the project. */
  private static final Path FUZZ_IMAGES =
      Path.of("imgd-core/src/test/resources/dev/imgd/core/probe/ProbeFuzzTestInputs/probe");

  private static final Path FUZZ_PATHS =
      Path.of("imgd-core/src/test/resources/dev/imgd/core/options/OptionsParserFuzzTestInputs");

  /** The group of the fuzzers' URL paths: sent as the request's path, not as a source. */
  static final String URL_GROUP = "fuzz-url";

  private static final Map<String, String> EXTENSIONS =
      Map.of(
          "jpeg", "jpg", "jpg", "jpg", "png", "png", "gif", "gif", "webp", "webp", "avif", "avif",
          "heic", "heic", "tiff", "tiff", "svg", "svg", "pdf", "pdf");

  private Corpus() {}

  /** What must happen to a file. */
  enum Expect {
    /** Processed: a 200 with a valid image. */
    CLEAN,
    /** Refused with an error answer; a 200 is a failure. */
    REFUSE,
    /** Refused, or a 200 byte-identical to the intact file's answer (only the end was lost). */
    TRUNCATED,
    /** Refused, or a 200 with a valid image (e.g. a vector an isolated worker may render). */
    EITHER
  }

  /**
   * One file of the corpus.
   *
   * @param file its file name in the corpus folder
   * @param group the failure mode it exercises ("FM-01") or "control"
   * @param expect what must happen to it
   * @param bytes its content
   * @param intact for a cut test image, the intact file's name; else null
   */
  record Item(String file, String group, Expect expect, byte[] bytes, String intact) {}

  /**
   * The whole corpus; {@code cuts} truncations of each intact test image; the probe fuzzer's inputs
   * (group "fuzz") when the folder is there.
   */
  static List<Item> build(Path sharedImages, int cuts) throws IOException {
    List<Item> items = new ArrayList<>();
    List<Path> shared = new ArrayList<>();
    if (Files.isDirectory(sharedImages)) {
      try (Stream<Path> s = Files.list(sharedImages)) {
        s.filter(p -> extension(p.getFileName().toString()) != null).sorted().forEach(shared::add);
      }
    }
    for (Path p : shared) {
      String name = p.getFileName().toString();
      boolean broken = BROKEN.stream().anyMatch(name::startsWith);
      items.add(
          new Item(
              name, "control", broken ? Expect.REFUSE : Expect.CLEAN, Files.readAllBytes(p), null));
    }
    for (HostileFile f : HostileFiles.all()) {
      String ext = "bin";
      for (String token : f.name().toLowerCase(Locale.ROOT).split("[^a-z0-9]+")) {
        if (EXTENSIONS.containsKey(token)) {
          ext = EXTENSIONS.get(token);
          break;
        }
      }
      Expect e =
          switch (f.expected()) {
            case CLEAN -> Expect.CLEAN;
            // A cut file may give the whole image; a vector may be rendered by a worker.
            case TRUNCATED, ISOLATED_RENDERS -> Expect.EITHER;
            default -> Expect.REFUSE;
          };
      items.add(new Item(f.name() + "." + ext, f.failureMode(), e, f.bytes(), null));
    }
    for (Path p : files(FUZZ_IMAGES)) {
      String name = "fuzz-" + p.getFileName() + ".bin";
      items.add(new Item(name, "fuzz", Expect.EITHER, Files.readAllBytes(p), null));
    }
    for (Path p : shared) {
      String name = p.getFileName().toString();
      if (BROKEN.stream().anyMatch(name::startsWith)) {
        continue;
      }
      byte[] bytes = Files.readAllBytes(p);
      for (int length : HostileFiles.cutLengths(bytes.length, cuts)) {
        int dot = name.lastIndexOf('.');
        String file = name.substring(0, dot) + "-cut-" + length + name.substring(dot);
        items.add(new Item(file, "FM-11", Expect.TRUNCATED, Arrays.copyOf(bytes, length), name));
      }
    }
    return List.copyOf(items);
  }

  /**
   * The options parser fuzzer's inputs (group {@link #URL_GROUP}): each the path of a request after
   * "/insecure/", its bytes as UTF-8; none when the folder is not there.
   */
  static List<Item> fuzzPaths() throws IOException {
    List<Item> items = new ArrayList<>();
    for (String target : List.of("parse", "parsePath")) {
      for (Path p : files(FUZZ_PATHS.resolve(target))) {
        String name = "url-" + target + "-" + p.getFileName();
        items.add(new Item(name, URL_GROUP, Expect.EITHER, Files.readAllBytes(p), null));
      }
    }
    return items;
  }

  private static List<Path> files(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(Files::isRegularFile).sorted().toList();
    }
  }

  /** Every {@code size / n}-th item, in order: a deterministic sample over all groups. */
  static List<Item> sample(List<Item> items, int n) {
    if (n <= 0 || n >= items.size()) {
      return items;
    }
    List<Item> picked = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      picked.add(items.get((int) ((long) i * items.size() / n)));
    }
    return picked;
  }

  /** Writes the items into {@code dir} with an index.tsv (file, group, expectation, bytes). */
  static void writeTo(Path dir, List<Item> items) throws IOException {
    Files.createDirectories(dir);
    StringBuilder index = new StringBuilder("file\tgroup\texpect\tbytes\n");
    for (Item i : items) {
      Files.write(dir.resolve(i.file()), i.bytes());
      index
          .append(i.file())
          .append('\t')
          .append(i.group())
          .append('\t')
          .append(i.expect())
          .append('\t')
          .append(i.bytes().length)
          .append('\n');
    }
    Files.writeString(dir.resolve("index.tsv"), index);
  }

  private static String extension(String file) {
    int dot = file.lastIndexOf('.');
    return dot < 0 ? null : EXTENSIONS.get(file.substring(dot + 1).toLowerCase(Locale.ROOT));
  }
}
