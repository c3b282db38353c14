package dev.imgd.vips;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.file.Files;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * libvips for this process: started once with {@link #start}, then shared by every thread.
 *
 * <p>Start-up blocks every loader and unblocks only the configured families, blocks untrusted
 * operations (ImageMagick, matrix, FITS...) other than savers, turns the operation cache off, and
 * routes libvips' and GLib's log messages to SLF4J so that nothing is written to stderr.
 */
// FFM: sizes the C strings libvips returns; the free callback is an upcall.
@SuppressWarnings("restricted")
public final class Vips {
  private static final Logger LOG = LoggerFactory.getLogger(Vips.class);
  // Null until start; settings is written before lib, so a started library always has settings.
  private static volatile @Nullable Lib lib;
  private static volatile @Nullable VipsSettings settings;
  private static volatile @Nullable Capabilities capabilities;

  private Vips() {}

  /**
   * Loads and starts libvips. Idempotent for the same library; a second library in the same process
   * is refused, as libvips is process-wide state.
   */
  public static synchronized void start(VipsSettings wanted) {
    Lib started = lib;
    if (started != null) {
      if (!settings().library().equals(wanted.library())) {
        throw new VipsException(
            "libvips is already loaded from " + settings().library() + "; one build per process");
      }
      configure(started, wanted);
      settings = wanted;
      return;
    }
    if (!Files.isRegularFile(wanted.library())) {
      throw new VipsException("libvips library not found: " + wanted.library());
    }
    Lib loaded = Lib.load(wanted.library());
    LogBridge.install(loaded);
    if (wanted.leakCheck()) {
      loaded.vips_leak_set(1);
    }
    try (Arena arena = Arena.ofConfined()) {
      if (loaded.vips_init(arena.allocateFrom("imgd")) != 0) {
        throw new VipsException("vips_init failed: " + VipsErrors.since(loaded, 0));
      }
    }
    int major = loaded.vips_version(0);
    int minor = loaded.vips_version(1);
    if (major < 8 || (major == 8 && minor < 14)) {
      throw new VipsException(
          "libvips "
              + major
              + "."
              + minor
              + " at "
              + wanted.library()
              + " is too old: imgd needs 8.14+");
    }
    configure(loaded, wanted);
    settings = wanted;
    lib = loaded;
    LOG.info("libvips {} loaded from {}", versionString(loaded), wanted.library());
  }

  private static void configure(Lib l, VipsSettings s) {
    l.vips_concurrency_set(s.concurrency());
    // Setting the limits trims the cache; vips_cache_drop_all would destroy it for good.
    l.vips_cache_set_max(s.operationCache());
    if (s.operationCache() == 0) {
      l.vips_cache_set_max_mem(0);
      l.vips_cache_set_max_files(0);
    }
    try (Arena arena = Arena.ofConfined()) {
      l.vips_block_untrusted_set(1);
      // Savers are only called by name, on pixels imgd made: "untrusted" (libjxl's saver in 8.14)
      // is about parsing what comes from outside, which only loaders do.
      l.vips_operation_block_set(arena.allocateFrom("VipsForeignSave"), 0);
      l.vips_operation_block_set(arena.allocateFrom("VipsForeignLoad"), 1);
      for (String loader : s.loaders()) {
        l.vips_operation_block_set(arena.allocateFrom(loader), 0);
      }
    }
  }

  static Lib lib() {
    Lib l = lib;
    if (l == null) {
      throw new IllegalStateException("libvips is not started: call Vips.start first");
    }
    return l;
  }

  public static boolean isStarted() {
    return lib != null;
  }

  public static VipsSettings settings() {
    lib();
    return Objects.requireNonNull(settings);
  }

  /** The version as libvips reports it, e.g. "8.18.7". */
  public static String version() {
    return versionString(lib());
  }

  /** {major, minor, micro}. */
  public static int[] versionNumbers() {
    Lib l = lib();
    return new int[] {l.vips_version(0), l.vips_version(1), l.vips_version(2)};
  }

  private static String versionString(Lib l) {
    return l.vips_version_string().reinterpret(64).getString(0);
  }

  public static VipsStats stats() {
    Lib l = lib();
    return new VipsStats(
        l.vips_tracked_get_mem(),
        l.vips_tracked_get_mem_highwater(),
        l.vips_tracked_get_allocs(),
        l.vips_tracked_get_files());
  }

  /** What the loaded build can read and write, discovered once by trying it. */
  public static Capabilities capabilities() {
    Capabilities c = capabilities;
    if (c == null) {
      synchronized (Vips.class) {
        c = capabilities;
        if (c == null) {
          c = capabilities = Capabilities.discover(lib());
        }
      }
    }
    return c;
  }

  /**
   * Live libvips objects (images, operations, sources, blobs are not objects) in the process: the
   * leak report. With the operation cache off it returns to its baseline after every operation has
   * been closed.
   */
  public static long liveObjects() {
    Lib l = lib();
    AtomicLong count = COUNTER;
    synchronized (COUNTER) {
      count.set(0);
      l.vips_object_map(COUNT_OBJECT, MemorySegment.NULL, MemorySegment.NULL);
      return count.get();
    }
  }

  private static final AtomicLong COUNTER = new AtomicLong();
  private static final MemorySegment COUNT_OBJECT;

  static {
    try {
      var handle =
          MethodHandles.lookup()
              .findStatic(
                  Vips.class,
                  "countObject",
                  MethodType.methodType(
                      MemorySegment.class,
                      MemorySegment.class,
                      MemorySegment.class,
                      MemorySegment.class));
      COUNT_OBJECT =
          Lib.LINKER.upcallStub(
              handle,
              FunctionDescriptor.of(
                  ValueLayout.ADDRESS,
                  ValueLayout.ADDRESS,
                  ValueLayout.ADDRESS,
                  ValueLayout.ADDRESS),
              Arena.global());
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  // Upcall from vips_object_map: must never throw, returns NULL to go on.
  @SuppressWarnings("unused")
  private static MemorySegment countObject(MemorySegment object, MemorySegment a, MemorySegment b) {
    COUNTER.incrementAndGet();
    return MemorySegment.NULL;
  }
}
