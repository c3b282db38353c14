package dev.imgd.core.bmp;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImgdException;

/**
 * Decodes a bitmap to 8-bit RGB or RGBA, rows top first: 1, 2, 4 and 8 bits through a palette
 * (uncompressed, RLE8, RLE4), 16 and 32 bits by their masks (BI_RGB, BI_BITFIELDS), 24 bits as BGR.
 * The size is the header's, which the probe has held to the limits; every read is checked against
 * the data, so a file that ends early or lies is CORRUPT_IMAGE.
 */
public final class BmpDecoder {
  private BmpDecoder() {}

  /** Decoded pixels: width x height x bands bytes, band-interleaved, rows top first. */
  public static final class Pixels {
    private final byte[] data;
    private final int width;
    private final int height;
    private final int bands;

    Pixels(byte[] data, int width, int height, int bands) {
      this.data = data;
      this.width = width;
      this.height = height;
      this.bands = bands;
    }

    /** The pixels themselves, not a copy. */
    public byte[] data() {
      return data;
    }

    public int width() {
      return width;
    }

    public int height() {
      return height;
    }

    public int bands() {
      return bands;
    }
  }

  /** A BMP file. */
  public static Pixels bmp(byte[] data) {
    return decode(data, Dib.ofBmp(data));
  }

  /** An icon's bitmap entry (its bytes from {@link Icon#bytes}): alpha from its AND mask. */
  public static Pixels iconBitmap(byte[] entry) {
    return decode(entry, Dib.ofIcon(entry, 0));
  }

  private static Pixels decode(byte[] data, Dib dib) {
    String f = dib.icon() ? "ICO" : "BMP";
    int w = dib.width();
    int h = dib.height();
    int bands = dib.bands();
    long size = (long) w * h * bands;
    if (size > Integer.MAX_VALUE - 16) {
      throw new ImgdException(
          ErrorCode.LIMIT_EXCEEDED, "%s is %dx%d, too large to decode".formatted(f, w, h));
    }
    int[] palette = palette(data, dib, f);
    long stride = dib.stride();
    if (!dib.compressed() && !Bytes.has(data, dib.pixelOffset(), stride * h)) {
      throw Bytes.corrupt(f, "pixel data is truncated");
    }
    long maskOffset = dib.pixelOffset() + stride * h;
    long maskStride = (w + 31L) / 32 * 4;
    boolean andMask = dib.icon() && dib.bitsPerPixel() < 32;
    if (andMask && !Bytes.has(data, maskOffset, maskStride * h)) {
      throw Bytes.corrupt(f, "AND mask is truncated");
    }
    byte[] out = new byte[(int) size];
    if (dib.compressed()) {
      rle(data, dib, palette, out, f);
    } else {
      for (int row = 0; row < h; row++) {
        int y = dib.topDown() ? row : h - 1 - row;
        row(data, dib.pixelOffset() + stride * row, dib, palette, out, y * w * bands, f);
        if (andMask) {
          long mask = maskOffset + maskStride * row;
          for (int x = 0; x < w; x++) {
            boolean transparent = (data[(int) (mask + x / 8)] >> (7 - x % 8) & 1) != 0;
            out[(y * w + x) * 4 + 3] = transparent ? 0 : (byte) 255;
          }
        }
      }
    }
    if (dib.masks().alpha() != 0 && bands == 4) {
      opaqueIfAllClear(out);
    }
    return new Pixels(out, w, h, bands);
  }

  /** The palette as 0xRRGGBB values. */
  private static int[] palette(byte[] data, Dib dib, String f) {
    int n = dib.paletteEntries();
    int entry = dib.paletteEntrySize();
    if (!Bytes.has(data, dib.paletteOffset(), (long) n * entry)) {
      throw Bytes.corrupt(f, "palette is truncated");
    }
    int[] palette = new int[n];
    for (int i = 0; i < n; i++) {
      int p = (int) dib.paletteOffset() + i * entry;
      palette[i] = (data[p + 2] & 0xFF) << 16 | (data[p + 1] & 0xFF) << 8 | (data[p] & 0xFF);
    }
    return palette;
  }

  /** One uncompressed row, already known to lie inside the data. */
  private static void row(
      byte[] data, long from, Dib dib, int[] palette, byte[] out, int at, String f) {
    int p = (int) from;
    int w = dib.width();
    int bands = dib.bands();
    int bpp = dib.bitsPerPixel();
    Dib.Masks m = dib.masks();
    for (int x = 0; x < w; x++, at += bands) {
      switch (bpp) {
        case 1, 2, 4, 8 -> {
          int bit = x * bpp;
          int index = (data[p + bit / 8] & 0xFF) >> (8 - bpp - bit % 8) & ((1 << bpp) - 1);
          put(out, at, colour(palette, index, f));
        }
        case 24 -> {
          int q = p + x * 3;
          put(out, at, (data[q + 2] & 0xFF) << 16 | (data[q + 1] & 0xFF) << 8 | (data[q] & 0xFF));
        }
        default -> { // 16 or 32, by the masks
          int q = p + x * (bpp / 8);
          int v =
              bpp == 16
                  ? (data[q] & 0xFF) | (data[q + 1] & 0xFF) << 8
                  : (data[q] & 0xFF)
                      | (data[q + 1] & 0xFF) << 8
                      | (data[q + 2] & 0xFF) << 16
                      | (data[q + 3] & 0xFF) << 24;
          out[at] = (byte) channel(v, m.red());
          out[at + 1] = (byte) channel(v, m.green());
          out[at + 2] = (byte) channel(v, m.blue());
          if (bands == 4 && m.alpha() != 0) {
            out[at + 3] = (byte) channel(v, m.alpha());
          }
        }
      }
    }
  }

  /** RLE8 or RLE4: runs and literal stretches of palette indices, bottom row first. */
  private static void rle(byte[] data, Dib dib, int[] palette, byte[] out, String f) {
    int w = dib.width();
    int h = dib.height();
    boolean four = dib.compression() == Dib.RLE4;
    if (palette.length == 0) {
      throw Bytes.corrupt(f, "has no palette");
    }
    for (int i = 0; i < w * h; i++) {
      put(out, i * 3, palette[0]); // pixels the runs skip keep the first colour
    }
    long pos = dib.pixelOffset();
    int x = 0;
    int y = 0; // from the bottom
    while (y < h) {
      if (!Bytes.has(data, pos, 2)) {
        throw Bytes.corrupt(f, "RLE data is truncated");
      }
      int a = data[(int) pos] & 0xFF;
      int b = data[(int) pos + 1] & 0xFF;
      pos += 2;
      if (a > 0) { // a run of a pixels
        for (int i = 0; i < a; i++, x++) {
          int index = four ? (i % 2 == 0 ? b >> 4 : b & 0xF) : b;
          set(out, x, y, w, h, colour(palette, index, f));
        }
      } else if (b == 0) { // end of line
        x = 0;
        y++;
      } else if (b == 1) { // end of bitmap
        return;
      } else if (b == 2) { // delta
        if (!Bytes.has(data, pos, 2)) {
          throw Bytes.corrupt(f, "RLE data is truncated");
        }
        x = Math.min(w, x + (data[(int) pos] & 0xFF));
        y = Math.min(h, y + (data[(int) pos + 1] & 0xFF));
        pos += 2;
      } else { // b literal pixels, padded to a 16-bit boundary
        long bytes = four ? (b + 1) / 2 : b;
        if (!Bytes.has(data, pos, bytes)) {
          throw Bytes.corrupt(f, "RLE data is truncated");
        }
        for (int i = 0; i < b; i++, x++) {
          int v = data[(int) pos + (four ? i / 2 : i)] & 0xFF;
          int index = four ? (i % 2 == 0 ? v >> 4 : v & 0xF) : v;
          set(out, x, y, w, h, colour(palette, index, f));
        }
        pos += bytes + (bytes & 1);
      }
      x = Math.min(x, w); // a line's runs past its end are dropped
    }
  }

  private static void set(byte[] out, int x, int y, int w, int h, int rgb) {
    if (x < w && y < h) { // runs past the edge are dropped
      put(out, ((h - 1 - y) * w + x) * 3, rgb);
    }
  }

  private static int colour(int[] palette, int index, String f) {
    if (index >= palette.length) {
      throw Bytes.corrupt(
          f, "palette index %d is out of range (%d colours)".formatted(index, palette.length));
    }
    return palette[index];
  }

  private static void put(byte[] out, int at, int rgb) {
    out[at] = (byte) (rgb >> 16);
    out[at + 1] = (byte) (rgb >> 8);
    out[at + 2] = (byte) rgb;
  }

  /** A channel's value scaled to 8 bits. */
  private static int channel(int v, int mask) {
    if (mask == 0) {
      return 0;
    }
    long bits = (v & mask & 0xFFFF_FFFFL) >>> Integer.numberOfTrailingZeros(mask);
    long max = (mask & 0xFFFF_FFFFL) >>> Integer.numberOfTrailingZeros(mask);
    return (int) ((bits * 255 + max / 2) / max);
  }

  /**
   * A 32-bit bitmap whose fourth bytes are all 0 was written with them unused (X8R8G8B8, as Windows
   * long did): it is opaque, not invisible.
   */
  private static void opaqueIfAllClear(byte[] out) {
    for (int i = 3; i < out.length; i += 4) {
      if (out[i] != 0) {
        return;
      }
    }
    for (int i = 3; i < out.length; i += 4) {
      out[i] = (byte) 255;
    }
  }
}
