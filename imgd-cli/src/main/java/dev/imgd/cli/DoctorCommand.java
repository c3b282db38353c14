package dev.imgd.cli;

import dev.imgd.core.ImageFormat;
import dev.imgd.vips.Capabilities;
import dev.imgd.vips.Vips;
import dev.imgd.vips.VipsSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine.Command;

/** What libvips this is, where it came from, and what it can read and write (FM-13). */
@Command(name = "doctor", description = "Print the libvips in use and what it can read and write.")
final class DoctorCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    Engines.startVips();
    Capabilities caps = Vips.capabilities();
    System.out.println("libvips:    " + VipsSettings.libraryFromEnvironment());
    System.out.println("version:    " + caps.version());
    System.out.println("allocator:  " + allocator());
    System.out.println(
        "java:       " + Runtime.version() + " (" + System.getProperty("java.home") + ")");
    Set<ImageFormat> reads = ImageFormat.readable(EnumSet.allOf(ImageFormat.Reach.class));
    Set<ImageFormat> writes = ImageFormat.writable();
    System.out.println("reads:      " + reads);
    System.out.println("writes:     " + writes);
    System.out.println(
        "operations: "
            + Stream.of(ImageFormat.values())
                .flatMap(f -> Stream.concat(Stream.of(f.loader()), f.saver().stream()))
                .filter(caps::has)
                .distinct()
                .sorted()
                .collect(Collectors.joining(" ")));
    System.out.println("loaders reachable: " + new TreeSet<>(Vips.settings().loaders()));
    for (ImageFormat f : ImageFormat.values()) {
      boolean missing = f.isOutput() ? !writes.contains(f) : !reads.contains(f);
      if (missing && f.buildNeeds().isPresent()) {
        System.out.println(
            "note: %s %s needs %s"
                .formatted(f, f.isOutput() ? "output" : "input", f.buildNeeds().get()));
      }
    }
    return 0;
  }

  /**
   * The malloc this process really uses, whatever the launcher meant to set: jemalloc when its
   * library is mapped (LD_PRELOAD), else glibc's, whose arena limit is read from the environment.
   */
  static String allocator() {
    try (Stream<String> maps = Files.lines(Path.of("/proc/self/maps"))) {
      Optional<String> jemalloc =
          maps.map(line -> line.substring(line.lastIndexOf(' ') + 1))
              .filter(file -> file.contains("/libjemalloc"))
              .findFirst();
      if (jemalloc.isPresent()) {
        return "jemalloc (" + jemalloc.get() + ")";
      }
    } catch (IOException | UncheckedIOException e) {
      return "unknown (/proc/self/maps unreadable: " + e.getMessage() + ")";
    }
    String arenas = System.getenv("MALLOC_ARENA_MAX");
    return arenas == null
        ? "glibc, MALLOC_ARENA_MAX not set (arenas unlimited: RSS grows, FM-25)"
        : "glibc, MALLOC_ARENA_MAX=" + arenas;
  }
}
