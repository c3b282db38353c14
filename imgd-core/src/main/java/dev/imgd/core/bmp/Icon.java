package dev.imgd.core.bmp;

import java.util.Arrays;

/**
 * An ICO file's directory (ICONDIR, then one 16-byte ICONDIRENTRY per image) and its largest entry,
 * the one imgd reads, as imgproxy does. An entry is a PNG file or a bitmap with its AND mask.
 *
 * @param offset where the entry's data starts
 * @param size the entry's bytes
 * @param png the entry is a PNG file (else a bitmap, {@link Dib#ofIcon})
 */
public record Icon(long offset, long size, boolean png) {
  private static final String PNG_MAGIC = "\u0089PNG\r\n\u001a\n";

  /** Whether the data starts as an icon file does: reserved 0, type 1 (icon), some images. */
  public static boolean sniff(byte[] data) {
    return data.length >= 22
        && data[0] == 0
        && data[1] == 0
        && data[2] == 1
        && data[3] == 0
        && (data[4] != 0 || data[5] != 0);
  }

  /** The largest entry (by its directory size, then bit depth); its data lies inside the file. */
  public static Icon largest(byte[] data) {
    int count = Bytes.u16(data, 4, "ICO");
    long best = -1;
    long bestArea = -1;
    int bestBits = -1;
    for (int i = 0; i < count; i++) {
      long e = 6 + 16L * i;
      long area = side(Bytes.u8(data, e, "ICO")) * side(Bytes.u8(data, e + 1, "ICO"));
      int bits = Bytes.u16(data, e + 6, "ICO");
      if (area > bestArea || (area == bestArea && bits > bestBits)) {
        best = e;
        bestArea = area;
        bestBits = bits;
      }
    }
    long size = Bytes.u32(data, best + 8, "ICO");
    long offset = Bytes.u32(data, best + 12, "ICO");
    if (offset < 6 + 16L * count || !Bytes.has(data, offset, size) || size < 16) {
      throw Bytes.corrupt("ICO", "image data lies outside the file");
    }
    boolean png = true;
    for (int i = 0; i < PNG_MAGIC.length(); i++) {
      png &= (data[(int) offset + i] & 0xFF) == PNG_MAGIC.charAt(i);
    }
    return new Icon(offset, size, png);
  }

  /** The entry's bytes: a PNG file, or a bitmap read with {@link Dib#ofIcon} at 0. */
  public byte[] bytes(byte[] data) {
    return Arrays.copyOfRange(data, (int) offset, (int) (offset + size));
  }

  private static long side(int stored) {
    return stored == 0 ? 256 : stored;
  }
}
