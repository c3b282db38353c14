package dev.imgd.vips;

import java.lang.foreign.Arena;
import java.util.EnumSet;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the loaded libvips build can read and write (FM-13). Operations are looked up by name;
 * formats whose support depends on codec plugins (AVIF and HEIC through libheif) are proven by a
 * real encode and decode of a tiny image.
 *
 * @param version libvips version string
 * @param operations the load and save operations this build has (e.g. "jpegload_buffer")
 * @param reads formats that can be decoded, as far as imgd knows them
 * @param writes formats that can be encoded
 */
public record Capabilities(
    String version, Set<String> operations, Set<Format> reads, Set<Format> writes) {
  private static final Logger LOG = LoggerFactory.getLogger(Capabilities.class);

  /** Formats imgd knows how to route. */
  public enum Format {
    JPEG("jpegload_buffer", "jpegsave_buffer"),
    PNG("pngload_buffer", "pngsave_buffer"),
    WEBP("webpload_buffer", "webpsave_buffer"),
    GIF("gifload_buffer", "gifsave_buffer"),
    AVIF("heifload_buffer", "heifsave_buffer"),
    HEIC("heifload_buffer", "heifsave_buffer"),
    TIFF("tiffload_buffer", "tiffsave_buffer"),
    SVG("svgload_buffer", null),
    PDF("pdfload_buffer", null),
    JXL("jxlload_buffer", "jxlsave_buffer");

    final String loader;
    final String saver;

    Format(String loader, String saver) {
      this.loader = loader;
      this.saver = saver;
    }
  }

  private static final String[] KNOWN_OPERATIONS = {
    "jpegload_buffer",
    "pngload_buffer",
    "webpload_buffer",
    "gifload_buffer",
    "heifload_buffer",
    "tiffload_buffer",
    "svgload_buffer",
    "pdfload_buffer",
    "jxlload_buffer",
    "jp2kload_buffer",
    "magickload_buffer",
    "jpegsave_buffer",
    "pngsave_buffer",
    "webpsave_buffer",
    "gifsave_buffer",
    "heifsave_buffer",
    "tiffsave_buffer",
    "jxlsave_buffer",
    "jp2ksave_buffer",
    "magicksave_buffer",
    "thumbnail_buffer",
    "smartcrop",
    "composite2",
    "find_trim"
  };

  public Capabilities {
    operations = Set.copyOf(operations);
    reads = reads.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(reads));
    writes = writes.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(writes));
  }

  public boolean canRead(Format f) {
    return reads.contains(f);
  }

  public boolean canWrite(Format f) {
    return writes.contains(f);
  }

  static Capabilities discover(Lib l) {
    Set<String> ops = new TreeSet<>();
    try (Arena arena = Arena.ofConfined()) {
      var base = arena.allocateFrom("VipsOperation");
      for (String name : KNOWN_OPERATIONS) {
        if (l.vips_type_find(base, arena.allocateFrom(name)) != 0) {
          ops.add(name);
        }
      }
    }
    Set<Format> reads = EnumSet.noneOf(Format.class);
    Set<Format> writes = EnumSet.noneOf(Format.class);
    for (Format f : Format.values()) {
      if (f == Format.AVIF || f == Format.HEIC) {
        continue;
      }
      if (ops.contains(f.loader)) {
        reads.add(f);
      }
      if (f.saver != null && ops.contains(f.saver)) {
        writes.add(f);
      }
    }
    if (ops.contains("heifsave_buffer") && ops.contains("heifload_buffer")) {
      tryHeif("av1", Format.AVIF, reads, writes);
      tryHeif("hevc", Format.HEIC, reads, writes);
    }
    return new Capabilities(Vips.version(), ops, reads, writes);
  }

  // libheif's codecs are plugins: only a round trip proves a compression works.
  private static void tryHeif(String compression, Format f, Set<Format> reads, Set<Format> writes) {
    try (VipsImage tiny = VipsImage.fromPixels(new byte[16 * 16 * 3], 16, 16, 3)) {
      byte[] encoded =
          VipsOperation.of("heifsave_buffer").in(tiny).set("compression", compression).bytes();
      writes.add(f);
      try (VipsImage back = VipsOperation.of("heifload_buffer").set("buffer", encoded).image()) {
        if (back.width() == 16) {
          reads.add(f);
        }
      }
    } catch (RuntimeException e) {
      LOG.debug("libheif cannot round-trip {}: {}", compression, e.getMessage());
    }
  }
}
