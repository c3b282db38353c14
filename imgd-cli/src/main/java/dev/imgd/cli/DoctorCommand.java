package dev.imgd.cli;

import dev.imgd.core.ImageFormat;
import dev.imgd.server.settings.Settings;
import dev.imgd.vips.Capabilities;
import dev.imgd.vips.Vips;
import dev.imgd.vips.VipsSettings;
import dev.imgd.worker.IsolatedEngine;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine.Command;

/**
 * What libvips this is, where it came from, and what the server reads and writes with it (FM-13):
 * in process, and per worker pool, each pool's libvips asked by a worker started as the server
 * starts them.
 */
@Command(
    name = "doctor",
    description = "Print the libvips builds in use and what the server reads and writes with each.")
final class DoctorCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    print(Settings.fromEnvironment(), System.out);
    return 0;
  }

  /** The report for the server these settings start. */
  static void print(Settings settings, PrintStream out) {
    Engines.startVips();
    Capabilities caps = Vips.capabilities();
    out.println("libvips:    " + VipsSettings.libraryFromEnvironment());
    out.println("version:    " + caps.version());
    out.println("allocator:  " + allocator());
    out.println("java:       " + Runtime.version() + " (" + System.getProperty("java.home") + ")");
    Set<ImageFormat> inProcess = ImageFormat.readable(EnumSet.of(ImageFormat.Reach.IN_PROCESS));
    out.println(
        "in process: reads " + names(inProcess) + ", writes " + names(ImageFormat.writable()));
    List<IsolatedEngine.Build> builds = builds(settings);
    Set<ImageFormat> reads = EnumSet.noneOf(ImageFormat.class);
    Set<ImageFormat> writes = EnumSet.noneOf(ImageFormat.class);
    for (IsolatedEngine.Build b : builds) {
      out.println(
          "workers:    libvips %s (%s): reads %s, writes %s"
              .formatted(b.version(), b.library(), names(b.reads()), names(b.writes())));
      reads.addAll(b.reads());
      writes.addAll(b.writes());
    }
    out.println("reads:      " + names(reads));
    out.println("writes:     " + names(writes));
    out.println(
        "operations: "
            + Stream.of(ImageFormat.values())
                .flatMap(f -> Stream.concat(f.loader().stream(), f.saver().stream()))
                .filter(caps::has)
                .distinct()
                .sorted()
                .collect(Collectors.joining(" ")));
    out.println("loaders reachable: " + new TreeSet<>(Vips.settings().loaders()));
    notes(reads, writes).forEach(out::println);
  }

  /** Each worker pool's build, asked by a worker started as the server would start it. */
  static List<IsolatedEngine.Build> builds(Settings settings) {
    try (IsolatedEngine engine = Engines.workers(settings, 1)) {
      return engine.builds();
    }
  }

  /** What no build here reads or writes, and what it would take. */
  static List<String> notes(Set<ImageFormat> reads, Set<ImageFormat> writes) {
    List<String> notes = new ArrayList<>();
    for (ImageFormat f : ImageFormat.values()) {
      if (f.buildNeeds().isEmpty()) {
        continue;
      }
      if (!reads.contains(f)) {
        notes.add("note: %s input needs %s".formatted(f, f.buildNeeds().get()));
      }
      if (f.isOutput() && !writes.contains(f)) {
        notes.add("note: %s output needs %s".formatted(f, f.buildNeeds().get()));
      }
    }
    return notes;
  }

  /** Extensions, sorted, as /health lists them. */
  static List<String> names(Set<ImageFormat> formats) {
    return formats.stream().map(ImageFormat::extension).sorted().toList();
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
