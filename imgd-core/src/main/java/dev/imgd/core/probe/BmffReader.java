package dev.imgd.core.probe;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImageFormat;
import dev.imgd.core.ImgdException;
import java.util.Arrays;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * ISO-BMFF (HEIF, AVIF): the ftyp brands decide the format. The image size is the primary item's
 * (pitm) as libheif, and so libvips, reports it: its ispe property, cropped by a clap and turned by
 * an irot; a file without that structure gets the largest ispe under meta/iprp/ipco. The primary's
 * first thumbnail (the lowest item with an iref 'thmb' to it, as libheif orders them) is measured
 * the same way. Boxes are walked at most {@value #MAX_DEPTH} deep and at most {@value #MAX_BOXES}
 * in all; a box may not overrun its parent, except at the top level where a truncated file ends the
 * walk.
 */
final class BmffReader {
  static final int MAX_DEPTH = 8;
  static final int MAX_BOXES = 4096;

  private static final Set<String> AVIF_BRANDS = Set.of("avif", "avis");
  private static final Set<String> HEIC_BRANDS =
      Set.of("heic", "heix", "hevc", "hevx", "heim", "heis");
  private static final Set<String> HEIF_BRANDS = Set.of("mif1", "msf1");

  private final ByteReader r;
  private final Header h;
  private int boxes;
  private long ispePixels = -1;
  private long primary = -1;
  private ByteReader.@Nullable Box ipco;
  private ByteReader.@Nullable Box ipma;
  private ByteReader.@Nullable Box iref;
  private ByteReader.@Nullable Box iinf;

  /** Where each ipco property starts, by index less one (ipma counts them from 1). */
  private long[] properties = new long[16];

  private int propertyCount;

  private BmffReader(ByteReader r, Header h) {
    this.r = r;
    this.h = h;
  }

  /** The format the ftyp brands name, or UNSUPPORTED_FORMAT for other ISO-BMFF files. */
  static ImageFormat format(ByteReader r) {
    long size = Math.min(r.u32be(0), r.length());
    if (size < 16) {
      throw r.corrupt("ftyp box is too short");
    }
    String major = r.fourcc(8);
    boolean avif = AVIF_BRANDS.contains(major);
    boolean heic = HEIC_BRANDS.contains(major);
    boolean heif = HEIF_BRANDS.contains(major);
    for (long pos = 16; pos + 4 <= size; pos += 4) {
      String brand = r.fourcc(pos);
      avif |= AVIF_BRANDS.contains(brand);
      heic |= HEIC_BRANDS.contains(brand);
      heif |= HEIF_BRANDS.contains(brand);
    }
    if (AVIF_BRANDS.contains(major) || (avif && !HEIC_BRANDS.contains(major))) {
      return ImageFormat.AVIF;
    }
    if (heic || heif) {
      return ImageFormat.HEIC;
    }
    throw new ImgdException(
        ErrorCode.UNSUPPORTED_FORMAT,
        "ISO-BMFF brand '%s' is not an accepted image format"
            .formatted(ByteReader.printable(major)));
  }

  static void read(ByteReader r, Header h) {
    BmffReader reader = new BmffReader(r, h);
    reader.walk(0, r.length(), 0, false);
    if (reader.ispePixels < 0) {
      throw r.corrupt("has no image size (ispe)");
    }
    reader.items();
  }

  private void walk(long from, long to, int depth, boolean inIpco) {
    if (depth > MAX_DEPTH) {
      throw r.corrupt("has boxes nested deeper than " + MAX_DEPTH);
    }
    long pos = from;
    while (pos <= to - 8) {
      if (++boxes > MAX_BOXES) {
        throw r.corrupt("has more than " + MAX_BOXES + " boxes");
      }
      ByteReader.Box box = r.box(pos, to);
      String type = box.type();
      long size = box.size();
      boolean overruns = size > to - pos;
      if (overruns && depth > 0) {
        throw r.corrupt("box '%s' overruns its parent".formatted(ByteReader.printable(type)));
      }
      long end = overruns ? to : pos + size;
      long body = box.body();
      if (inIpco) {
        property(pos);
      }
      switch (type) {
        case "meta" -> walk(body + 4, end, depth + 1, false); // full box: version, flags first
        case "iprp" -> walk(body, end, depth + 1, false);
        case "ipco" -> {
          boolean first = ipco == null; // a second one is walked for the rest, not indexed
          if (first) {
            ipco = box;
          }
          walk(body, end, depth + 1, first);
        }
        case "ipma" -> ipma = ipma == null ? box : ipma;
        case "iref" -> iref = iref == null ? box : iref;
        case "iinf" -> iinf = iinf == null ? box : iinf;
        case "pitm" -> primary = itemId(body + 4, r.u8(body) == 0);
        case "ispe" -> ispe(body, end);
        case "pixi" -> {
          if (body + 6 <= end && r.u8(body + 4) > 0) {
            h.bitsPerSample = r.u8(body + 5); // full box, channel count, bits of the first
          }
        }
        case "auxC" -> {
          // An auxiliary image of type alpha (AVIF and HEVC spell the URN differently).
          String urn = ascii(body + 4, end);
          h.hasAlpha |= urn.contains("alpha") || urn.equals("urn:mpeg:hevc:2015:auxid:1");
        }
        case "colr" -> {
          if (r.matches(body, "prof") || r.matches(body, "rICC")) {
            h.iccBytes += Math.max(0, end - body - 4);
          }
        }
        default -> {}
      }
      pos = end;
    }
  }

  /** ispe: a full box, then 32-bit width and height; the largest one is the canvas. */
  private void ispe(long body, long end) {
    if (end - body < 12) {
      throw r.corrupt("ispe box is too short");
    }
    long width = r.u32be(body + 4);
    long height = r.u32be(body + 8);
    long pixels = ProbeResult.saturatedMultiply(width, height);
    if (pixels > ispePixels) {
      ispePixels = pixels;
      h.width = width;
      h.height = height;
    }
  }

  private void property(long pos) {
    if (propertyCount == properties.length) {
      properties = Arrays.copyOf(properties, propertyCount * 2); // MAX_BOXES bounds it
    }
    properties[propertyCount++] = pos;
  }

  /** An item ID: 16 bits in version 0 of most item boxes, 32 bits after. */
  private long itemId(long pos, boolean narrow) {
    return narrow ? r.u16be(pos) : r.u32be(pos);
  }

  /** The primary item's size and its thumbnail, when the file names them. */
  private void items() {
    long[] size = primary < 0 ? null : displayedSize(primary);
    if (size == null) {
      return; // no item structure: the largest ispe stands
    }
    // The largest item stays within the limits too: the decoder may read more than the primary
    // (an alpha or depth image), and the plan counts only the primary.
    h.size(h.format + " item", h.width, h.height);
    h.width = size[0];
    h.height = size[1];
    long thumbnail = thumbnailOf(primary);
    long[] t = thumbnail < 0 ? null : displayedSize(thumbnail);
    // A "thumbnail" larger than the image it stands for is not one the plan may trust.
    if (t != null && t[0] > 0 && t[1] > 0 && t[0] <= size[0] && t[1] <= size[1]) {
      h.thumbnail = new ProbeResult.Thumbnail((int) t[0], (int) t[1], itemType(thumbnail));
    }
  }

  /**
   * An item's size as displayed: its ispe, then its clap and irot in the order ipma lists them, as
   * libheif applies them; null if it has no ispe.
   */
  private long @Nullable [] displayedSize(long item) {
    if (ipma == null || ipco == null) {
      return null;
    }
    long[] size = null;
    for (int index : associations(ipma, item)) {
      if (index < 1 || index > propertyCount) {
        continue; // 0 is "no property"; libheif refuses other bad indices when it decodes
      }
      ByteReader.Box p = r.box(properties[index - 1], ipco.end());
      long body = p.body();
      switch (p.type()) {
        case "ispe" -> {
          requireLength(p, 12);
          size = new long[] {r.u32be(body + 4), r.u32be(body + 8)};
        }
        case "clap" -> {
          requireLength(p, 32);
          if (size != null) {
            size[0] = Math.min(size[0], fraction(body));
            size[1] = Math.min(size[1], fraction(body + 8));
          }
        }
        case "irot" -> {
          requireLength(p, 1);
          if (size != null && (r.u8(body) & 1) == 1) { // a quarter or three quarters turn
            size = new long[] {size[1], size[0]};
          }
        }
        default -> {}
      }
    }
    return size;
  }

  /** The property indices ipma associates with {@code item}, in order; empty if none. */
  private int[] associations(ByteReader.Box box, long item) {
    long pos = box.body();
    boolean narrowIds = r.u8(pos) == 0;
    boolean wideIndices = (r.u8(pos + 3) & 1) == 1;
    long entries = r.u32be(pos + 4);
    pos += 8;
    for (long i = 0; i < entries && pos < box.end(); i++) {
      long id = itemId(pos, narrowIds);
      pos += narrowIds ? 2 : 4;
      int count = r.u8(pos++);
      if (id == item) {
        int[] indices = new int[count];
        for (int j = 0; j < count; j++) {
          // The top bit says "essential"; the rest is the index.
          indices[j] = wideIndices ? r.u16be(pos + 2L * j) & 0x7FFF : r.u8(pos + j) & 0x7F;
        }
        return indices;
      }
      pos += (long) count * (wideIndices ? 2 : 1);
    }
    return new int[0];
  }

  /** The lowest item with a 'thmb' reference to {@code item}, or -1. */
  private long thumbnailOf(long item) {
    if (iref == null) {
      return -1;
    }
    boolean narrow = r.u8(iref.body()) == 0;
    long best = -1;
    long pos = iref.body() + 4;
    while (pos <= iref.end() - 8 && ++boxes <= MAX_BOXES) {
      ByteReader.Box ref = r.box(pos, iref.end());
      if (ref.type().equals("thmb")) {
        long from = itemId(ref.body(), narrow);
        long at = ref.body() + (narrow ? 2 : 4);
        int count = r.u16be(at);
        at += 2;
        for (int i = 0; i < count; i++) {
          if (itemId(at + (long) i * (narrow ? 2 : 4), narrow) == item
              && (best < 0 || from < best)) {
            best = from;
          }
        }
      }
      pos += ref.size();
    }
    return best;
  }

  /** An item's type from its infe (version 2 or 3): the codec, "hvc1" or "av01", or "grid". */
  private String itemType(long item) {
    if (iinf != null) {
      long pos = iinf.body() + (r.u8(iinf.body()) == 0 ? 6 : 8); // full box, then a count
      while (pos <= iinf.end() - 8 && ++boxes <= MAX_BOXES) {
        ByteReader.Box infe = r.box(pos, iinf.end());
        int version = r.u8(infe.body());
        if (infe.type().equals("infe") && version >= 2) {
          long at = infe.body() + 4;
          if (itemId(at, version == 2) == item) {
            return ByteReader.printable(r.fourcc(at + (version == 2 ? 4 : 6)));
          }
        }
        pos += infe.size();
      }
    }
    return "unknown";
  }

  /** A clap fraction: a numerator and a denominator, rounded as libheif rounds. */
  private long fraction(long pos) {
    long numerator = r.u32be(pos);
    long denominator = r.u32be(pos + 4);
    if (denominator == 0) {
      throw r.corrupt("clap box has a zero denominator");
    }
    return (numerator + denominator / 2) / denominator;
  }

  private void requireLength(ByteReader.Box box, long bytes) {
    if (box.size() - box.header() < bytes) {
      throw r.corrupt(box.type() + " box is too short");
    }
  }

  /** A NUL-terminated ASCII string of at most 64 bytes. */
  private String ascii(long from, long end) {
    StringBuilder s = new StringBuilder();
    for (long pos = from; pos < Math.min(end, from + 64) && r.u8(pos) != 0; pos++) {
      s.append((char) r.u8(pos));
    }
    return s.toString();
  }
}
