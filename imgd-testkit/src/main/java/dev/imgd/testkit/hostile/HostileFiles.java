package dev.imgd.testkit.hostile;

import dev.imgd.testkit.hostile.HostileFile.Expectation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Generates the classic attack files, per format and failure mode (docs/failure-modes.md):
 *
 * <ul>
 *   <li>FM-01 pixel floods of every accepted format (JPEG SOF, PNG IHDR, GIF screens and frame
 *       descriptors beyond the screen, WebP VP8/VP8L/VP8X/ANMF, HEIF/AVIF ispe, TIFF tiles, SVG
 *       canvas, PDF MediaBox and page count), progressive-scan floods, and decompression bombs
 *       under the limits that must be processed safely;
 *   <li>FM-02 a source one byte over the size cap;
 *   <li>FM-11 truncations at many offsets, and garbage;
 *   <li>FM-17 metadata bombs and loops (EXIF IFD cycles and absurd counts, ICC tag tables that lie,
 *       huge and zlib-bombed ICC/XMP/text, XML entity bombs in XMP, GPS that must be stripped);
 *   <li>FM-20 formats whose loaders imgd never exposes, polyglots, and SVG and PDF bombs (entity
 *       and {@code <use>} bombs, deep nesting, a page-tree loop, a content stream bomb);
 *   <li>FM-22 SVG references to local files and the cloud metadata address.
 * </ul>
 *
 * <p>Files are built in memory, deterministically (fixed seeds, no clock, no machine path), and
 * kept small: a flood file is dangerous because it is tiny. Only metadata bombs, the FM-02 file and
 * a few decompression bombs are megabytes, as their point is size. Each has an {@link Expectation}
 * under {@code Limits.DEFAULTS}, including what an isolated worker must do with SVG, PDF and TIFF,
 * which the in-process engine refuses.
 */
public final class HostileFiles {
  /** File extensions by the first name token that names a format. */
  private static final Map<String, String> EXTENSIONS =
      Map.ofEntries(
          Map.entry("jpeg", "jpg"),
          Map.entry("jpg", "jpg"),
          Map.entry("png", "png"),
          Map.entry("gif", "gif"),
          Map.entry("webp", "webp"),
          Map.entry("avif", "avif"),
          Map.entry("heic", "heic"),
          Map.entry("tiff", "tif"),
          Map.entry("svg", "svg"),
          Map.entry("pdf", "pdf"),
          Map.entry("gzip", "gz"),
          Map.entry("svgz", "svgz"),
          Map.entry("xml", "xml"),
          Map.entry("html", "html"),
          Map.entry("mp4", "mp4"),
          Map.entry("cr3", "cr3"),
          Map.entry("riff", "avi"),
          Map.entry("bmp", "bmp"),
          Map.entry("ico", "ico"),
          Map.entry("psd", "psd"),
          Map.entry("jp2", "jp2"),
          Map.entry("j2k", "j2k"),
          Map.entry("jxl", "jxl"),
          Map.entry("ppm", "ppm"),
          Map.entry("pfm", "pfm"),
          Map.entry("fits", "fits"),
          Map.entry("vips", "v"),
          Map.entry("radiance", "hdr"),
          Map.entry("exr", "exr"),
          Map.entry("matlab", "mat"),
          Map.entry("dicom", "dcm"),
          Map.entry("bigtiff", "tif"));

  private HostileFiles() {}

  /** Generated once: the files are immutable (their bytes are copied out). */
  private static final class All {
    static final List<HostileFile> FILES = generate();
  }

  /** Every hostile file, in a fixed order with unique names. */
  public static List<HostileFile> all() {
    return All.FILES;
  }

  /** Builds every file anew (what {@link #all} returns, generated once). */
  public static List<HostileFile> generate() {
    List<HostileFile> files = new ArrayList<>();
    Jpegs.files(files);
    Pngs.files(files);
    Gifs.files(files);
    Webps.files(files);
    Heifs.files(files);
    Tiffs.files(files);
    Svgs.files(files);
    Pdfs.files(files);
    Others.files(files);
    return List.copyOf(files);
  }

  /** The small ones (at most {@code maxBytes}), e.g. to seed a fuzzer's corpus. */
  public static List<HostileFile> smallerThan(int maxBytes) {
    return all().stream().filter(f -> f.bytes().length <= maxBytes).toList();
  }

  /**
   * FM-11: {@code original} cut at up to {@code count} lengths ({@link #cutLengths}), named {@code
   * name-truncated-at-N}, each with the expectation {@code expectation} gives the cut bytes. The
   * header probe decides that (imgd-core's tests pass it: this module does not see imgd): where it
   * reads the header, TRUNCATED (refused, or the whole file's image if nothing decoded was cut),
   * else the probe's own error; for formats decoded only by isolated workers, ISOLATED_REFUSES.
   *
   * @param name a file-name-safe name, ideally with the original extension ("Landscape_1.jpg")
   */
  public static List<HostileFile> truncations(
      String name, byte[] original, int count, Function<byte[], Expectation> expectation) {
    if (count < 1 || original.length < 2) {
      throw new IllegalArgumentException("need count >= 1 and at least 2 bytes");
    }
    List<HostileFile> files = new ArrayList<>();
    for (int length : cutLengths(original.length, count)) {
      byte[] cut = Arrays.copyOf(original, length);
      files.add(
          new HostileFile(name + "-truncated-at-" + length, "FM-11", cut, expectation.apply(cut)));
    }
    return List.copyOf(files);
  }

  /**
   * FM-11: up to {@code count} lengths to cut a file of {@code size} bytes at: half of them in the
   * first 4 KB (the header region) at growing distances, the rest evenly over the whole file, and
   * always the file without its last byte (a file without its end marker is as truncated as any).
   * None when {@code count < 1} or {@code size < 2}.
   */
  public static TreeSet<Integer> cutLengths(int size, int count) {
    TreeSet<Integer> lengths = new TreeSet<>();
    if (count < 1 || size < 2) {
      return lengths;
    }
    int header = Math.min(size - 1, 4096);
    int early = (count + 1) / 2;
    int late = count - early;
    for (int i = 1; i <= early; i++) {
      lengths.add((int) Math.round(Math.pow(header, (double) i / early)));
    }
    for (int i = 1; i <= late; i++) {
      lengths.add((int) ((long) size * i / (late + 1)));
    }
    lengths.add(size - 1);
    return lengths;
  }

  /**
   * Writes every file of {@link #all} into {@code dir}, as {@code name.extension}, and an {@code
   * index.tsv} describing them: for a corpus runner that sends them over HTTP.
   */
  public static void writeTo(Path dir) throws IOException {
    writeTo(dir, all());
  }

  /**
   * Writes the files into {@code dir} (created if needed) with an {@code index.tsv}: a header line,
   * then one line per file with its file name, failure mode, expectation, size in bytes, the HTTP
   * status the server must answer (200 for a processed image) and the error code (or "-"). A
   * TRUNCATED file may also be answered 200 with the image of the whole file.
   */
  public static void writeTo(Path dir, List<HostileFile> files) throws IOException {
    Files.createDirectories(dir);
    StringBuilder index = new StringBuilder("file\tfm\texpectation\tbytes\tstatus\terror\n");
    for (HostileFile f : files) {
      String file = f.name() + "." + extension(f);
      byte[] bytes = f.bytes();
      Files.write(dir.resolve(file), bytes);
      index
          .append(file)
          .append('\t')
          .append(f.failureMode())
          .append('\t')
          .append(f.expected())
          .append('\t')
          .append(bytes.length)
          .append('\t')
          .append(f.expected().httpStatus())
          .append('\t')
          .append(f.expected().engineError().orElse("-"))
          .append('\n');
    }
    Files.writeString(dir.resolve("index.tsv"), index);
  }

  /** The file extension the file claims, from the first format named in its name, else "bin". */
  public static String extension(HostileFile file) {
    for (String token : file.name().toLowerCase(Locale.ROOT).split("[^a-z0-9]+")) {
      String ext = EXTENSIONS.get(token);
      if (ext != null) {
        return ext;
      }
    }
    return "bin";
  }

  static void add(List<HostileFile> files, String name, String fm, byte[] bytes, Expectation e) {
    files.add(new HostileFile(name, fm, bytes, e));
  }
}
