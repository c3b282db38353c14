package dev.imgd.vips;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * How libvips is started. Everything here is process-wide: libvips has one operation cache, one
 * thread pool and one block list per process.
 *
 * @param library the libvips shared library to load
 * @param loaders the libvips loader classes left reachable (e.g. "VipsForeignLoadJpeg"; blocking a
 *     class blocks its file, buffer and source loaders); every other loader is blocked. The caller
 *     names them: imgd-core's format registry knows which formats it reads.
 * @param concurrency libvips worker threads per image; imgd runs images in parallel instead
 * @param operationCache entries in libvips' operation cache; 0 (the default) turns it off so that
 *     no request can see or pin another's buffers
 * @param leakCheck turn on libvips' own leak accounting (costs a little; for tests)
 */
public record VipsSettings(
    Path library, Set<String> loaders, int concurrency, int operationCache, boolean leakCheck) {

  public VipsSettings {
    Objects.requireNonNull(library, "library");
    loaders = Set.copyOf(loaders);
    for (String loader : loaders) {
      if (!loader.startsWith("VipsForeignLoad")) {
        throw new IllegalArgumentException("not a libvips loader class: " + loader);
      }
    }
    if (concurrency < 1 || concurrency > 1024) {
      throw new IllegalArgumentException("concurrency must be in [1, 1024]: " + concurrency);
    }
    if (operationCache < 0) {
      throw new IllegalArgumentException("operationCache must be >= 0: " + operationCache);
    }
  }

  /**
   * No loader reachable (name them with {@link #withLoaders}), one libvips thread per image, no
   * operation cache, no leak check.
   */
  public static VipsSettings defaults(Path library) {
    return new VipsSettings(library, Set.of(), 1, 0, false);
  }

  public VipsSettings withLoaders(Set<String> loaders) {
    return new VipsSettings(library, loaders, concurrency, operationCache, leakCheck);
  }

  public VipsSettings withConcurrency(int concurrency) {
    return new VipsSettings(library, loaders, concurrency, operationCache, leakCheck);
  }

  public VipsSettings withOperationCache(int entries) {
    return new VipsSettings(library, loaders, concurrency, entries, leakCheck);
  }

  public VipsSettings withLeakCheck(boolean leakCheck) {
    return new VipsSettings(library, loaders, concurrency, operationCache, leakCheck);
  }

  /**
   * The library named by the system property {@code imgd.libvips} or the environment variable
   * {@code IMGD_LIBVIPS}, as the launcher sets them.
   */
  public static Path libraryFromEnvironment() {
    String path = System.getProperty("imgd.libvips");
    if (path == null || path.isBlank()) {
      path = System.getenv("IMGD_LIBVIPS");
    }
    if (path == null || path.isBlank()) {
      throw new VipsException(
          "no libvips configured: set IMGD_LIBVIPS to a libvips shared library, or run through ./imgd,"
              + " which finds one");
    }
    return Path.of(path);
  }

  /**
   * The system's libvips (e.g. Debian's libvips42), if installed, as {@code imgd.libvips.system} or
   * {@code IMGD_LIBVIPS_SYSTEM} choose (see {@link #systemLibrary(String)}). It reads formats the
   * self-contained build leaves out (HEIC, PDF).
   */
  public static Optional<Path> systemLibrary() {
    return systemLibrary(
        System.getProperty("imgd.libvips.system", System.getenv("IMGD_LIBVIPS_SYSTEM")));
  }

  /**
   * The system's libvips as a setting chooses it: a path; {@code off}: none; {@code detected} (the
   * documented default) or nothing: what the dynamic linker's cache lists for libvips.so.42.
   */
  public static Optional<Path> systemLibrary(@Nullable String setting) {
    String path = setting == null ? "" : setting.strip();
    if (path.equals("off")) {
      return Optional.empty();
    }
    if (!path.isEmpty() && !path.equals("detected")) {
      return Optional.of(Path.of(path));
    }
    for (String ldconfig : List.of("/sbin/ldconfig", "/usr/sbin/ldconfig")) {
      if (!Files.isExecutable(Path.of(ldconfig))) {
        continue;
      }
      try {
        Process p = new ProcessBuilder(ldconfig, "-p").redirectErrorStream(true).start();
        List<String> lines;
        try (BufferedReader r = p.inputReader()) {
          lines = r.lines().toList(); // read to the end: ldconfig must not block on a full pipe
        }
        p.waitFor();
        return lines.stream()
            .filter(l -> l.contains("libvips.so.42 ") && l.contains("x86-64"))
            .map(l -> Path.of(l.substring(l.lastIndexOf(' ') + 1)))
            .filter(Files::isReadable)
            .findFirst();
      } catch (IOException e) {
        return Optional.empty();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Optional.empty();
      }
    }
    return Optional.empty();
  }
}
