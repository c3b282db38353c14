package dev.imgd.core.bmp;

/**
 * Writes a BMP file (BITMAPINFOHEADER, BI_RGB, 24 bits, or 32 with alpha, bottom row first) and an
 * ICO file holding one PNG image, as imgproxy does.
 */
public final class BmpEncoder {
  /** The largest side an ICO entry can state. */
  public static final int MAX_ICON_SIDE = 256;

  private static final int INFO_HEADER = 40;
  private static final int ICON_HEADER = 6 + 16;

  private BmpEncoder() {}

  /**
   * One side of an ICO result of {@code width x height}, shrunk to fit as imgproxy does: the longer
   * side to {@link #MAX_ICON_SIDE}, the other in proportion (rounded, at least 1); a result that
   * fits keeps its size.
   */
  public static int iconSide(int side, int width, int height) {
    int longer = Math.max(width, height);
    return longer <= MAX_ICON_SIDE
        ? side
        : Math.max(1, (int) Math.round(side * (double) MAX_ICON_SIDE / longer));
  }

  /**
   * A BMP file of RGB or RGBA pixels.
   *
   * @param pixels width x height x bands bytes, band-interleaved, rows top first
   * @param bands 3 or 4
   */
  public static byte[] bmp(byte[] pixels, int width, int height, int bands) {
    if (bands != 3 && bands != 4) {
      throw new IllegalArgumentException("BMP is written from 3 or 4 bands, not " + bands);
    }
    if (width < 1 || height < 1 || (long) width * height * bands != pixels.length) {
      throw new IllegalArgumentException("bad geometry " + width + "x" + height + "x" + bands);
    }
    long stride = ((long) width * bands + 3) / 4 * 4;
    long size = Dib.FILE_HEADER + INFO_HEADER + stride * height;
    if (size > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException("too large for a BMP: " + width + "x" + height);
    }
    byte[] out = new byte[(int) size];
    out[0] = 'B';
    out[1] = 'M';
    Bytes.putU32(out, 2, size);
    Bytes.putU32(out, 10, Dib.FILE_HEADER + INFO_HEADER);
    int h = Dib.FILE_HEADER;
    Bytes.putU32(out, h, INFO_HEADER);
    Bytes.putU32(out, h + 4, width);
    Bytes.putU32(out, h + 8, height); // positive: bottom row first, as every reader expects
    Bytes.putU16(out, h + 12, 1); // planes
    Bytes.putU16(out, h + 14, bands * 8);
    Bytes.putU32(out, h + 20, stride * height);
    Bytes.putU32(out, h + 24, 2835); // 72 dpi, in pixels per metre
    Bytes.putU32(out, h + 28, 2835);
    for (int y = 0; y < height; y++) {
      int to = (int) (Dib.FILE_HEADER + INFO_HEADER + stride * (height - 1 - y));
      int from = y * width * bands;
      for (int x = 0; x < width; x++, from += bands, to += bands) {
        out[to] = pixels[from + 2];
        out[to + 1] = pixels[from + 1];
        out[to + 2] = pixels[from];
        if (bands == 4) {
          out[to + 3] = pixels[from + 3];
        }
      }
    }
    return out;
  }

  /** An ICO file whose one entry is the given PNG file of width x height (at most 256 a side). */
  public static byte[] icon(byte[] png, int width, int height, int bands) {
    if (width < 1 || height < 1 || width > MAX_ICON_SIDE || height > MAX_ICON_SIDE) {
      throw new IllegalArgumentException("an icon is 1 to 256 a side: " + width + "x" + height);
    }
    byte[] out = new byte[ICON_HEADER + png.length];
    Bytes.putU16(out, 2, 1); // type: icon
    Bytes.putU16(out, 4, 1); // one image
    out[6] = (byte) (width % MAX_ICON_SIDE); // 0 is 256
    out[7] = (byte) (height % MAX_ICON_SIDE);
    Bytes.putU16(out, 10, 1); // planes
    Bytes.putU16(out, 12, bands > 3 ? 32 : 24);
    Bytes.putU32(out, 14, png.length);
    Bytes.putU32(out, 18, ICON_HEADER);
    System.arraycopy(png, 0, out, ICON_HEADER, png.length);
    return out;
  }
}
