package dev.imgd.core.probe;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImageFormat;
import dev.imgd.core.ImgdException;
import java.util.Set;

/**
 * ISO-BMFF (HEIF, AVIF): the ftyp brands decide the format; the image size is the largest ispe
 * property under meta/iprp/ipco. Boxes are walked at most {@value #MAX_DEPTH} deep and at most
 * {@value #MAX_BOXES} in all; a box may not overrun its parent, except at the top level where a
 * truncated file ends the walk.
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
    reader.walk(0, r.length(), 0);
    if (reader.ispePixels < 0) {
      throw r.corrupt("has no image size (ispe)");
    }
  }

  private void walk(long from, long to, int depth) {
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
      switch (type) {
        case "meta" -> walk(body + 4, end, depth + 1); // full box: version and flags first
        case "iprp", "ipco" -> walk(body, end, depth + 1);
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

  /** A NUL-terminated ASCII string of at most 64 bytes. */
  private String ascii(long from, long end) {
    StringBuilder s = new StringBuilder();
    for (long pos = from; pos < Math.min(end, from + 64) && r.u8(pos) != 0; pos++) {
      s.append((char) r.u8(pos));
    }
    return s.toString();
  }
}
