package dev.imgd.vips;

import java.lang.foreign.Arena;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the loaded libvips build has (FM-13). It knows no image format: the caller names the
 * operations it needs (imgd-core's format registry does). Operations are looked up by name; savers
 * whose support depends on codec plugins (libheif's AV1 and HEVC) are proven by a real encode and
 * decode of a tiny image. Answers are cached: the build does not change.
 */
public final class Capabilities {
  private static final Logger LOG = LoggerFactory.getLogger(Capabilities.class);

  /** How far a saver and loader pair got with a tiny image. */
  public enum RoundTrip {
    /** The saver failed. */
    NONE,
    /** The saver wrote it; the loader did not read it back. */
    WRITES,
    /** Written and read back. */
    WRITES_AND_READS
  }

  private final Lib lib;
  private final String version;
  private final Map<String, Boolean> operations = new ConcurrentHashMap<>();
  private final Map<String, RoundTrip> roundTrips = new ConcurrentHashMap<>();

  private Capabilities(Lib lib, String version) {
    this.lib = lib;
    this.version = version;
  }

  static Capabilities discover(Lib l) {
    return new Capabilities(l, Vips.version());
  }

  /** The libvips version string. */
  public String version() {
    return version;
  }

  /** Whether this build has the operation, e.g. "jpegload_buffer". */
  public boolean has(String operation) {
    if (operation == null || operation.isBlank()) {
      throw new IllegalArgumentException("operation must be named: " + operation);
    }
    return operations.computeIfAbsent(operation, this::find);
  }

  private boolean find(String operation) {
    try (Arena arena = Arena.ofConfined()) {
      return lib.vips_type_find(arena.allocateFrom("VipsOperation"), arena.allocateFrom(operation))
          != 0;
    }
  }

  /**
   * Encodes a tiny image with the saver and its options, then decodes it with the loader: only a
   * round trip proves that a codec plugin (libheif's, say) is there.
   */
  public RoundTrip roundTrip(String saver, String loader, Map<String, Object> saveOptions) {
    String key = saver + ' ' + loader + ' ' + saveOptions;
    return roundTrips.computeIfAbsent(key, k -> tryRoundTrip(saver, loader, saveOptions));
  }

  private RoundTrip tryRoundTrip(String saver, String loader, Map<String, Object> saveOptions) {
    if (!has(saver) || !has(loader)) {
      return RoundTrip.NONE;
    }
    RoundTrip got = RoundTrip.NONE;
    try (VipsImage tiny = VipsImage.fromPixels(new byte[16 * 16 * 3], 16, 16, 3)) {
      VipsOperation save = VipsOperation.of(saver).in(tiny);
      saveOptions.forEach(save::set);
      byte[] encoded = save.bytes();
      got = RoundTrip.WRITES;
      try (VipsImage back = VipsOperation.of(loader).set("buffer", encoded).image()) {
        if (back.width() == 16) {
          got = RoundTrip.WRITES_AND_READS;
        }
      }
    } catch (RuntimeException e) {
      LOG.debug("{} and {} cannot round-trip {}: {}", saver, loader, saveOptions, e.getMessage());
    }
    return got;
  }
}
