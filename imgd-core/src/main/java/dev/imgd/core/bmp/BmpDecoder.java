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

  /** Where decoded rows go. */
  @FunctionalInterface
  public interface Rows {
    /**
     * Row {@code y} (0 is the top), width x bands bytes; the array is reused for the next row. Rows
     * come in the file's order, each once.
     */
    void row(int y, byte[] pixels);
  }

  /** A BMP file, whole on the heap: for small images and tests. */
  public static Pixels bmp(byte[] data) {
    return onHeap(data, Dib.ofBmp(data));
  }

  /** An icon's bitmap entry (its bytes from {@link Icon#bytes}), whole on the heap. */
  public static Pixels iconBitmap(byte[] entry) {
    return onHeap(entry, Dib.ofIcon(entry, 0));
  }

  private static Pixels onHeap(byte[] data, Dib dib) {
    int w = dib.width();
    int bands = dib.bands();
    byte[] out = new byte[(int) size(dib)];
    decode(data, dib, (y, row) -> System.arraycopy(row, 0, out, y * w * bands, row.length));
    return new Pixels(out, w, dib.height(), bands);
  }

  /**
   * Bytes of the decoded image: width x height x bands.
   *
   * @throws ImgdException LIMIT_EXCEEDED past 2 GB (the probe's limits refuse far less)
   */
  public static long size(Dib dib) {
    long size = (long) dib.width() * dib.height() * dib.bands();
    if (size > Integer.MAX_VALUE - 16) {
      throw new ImgdException(
          ErrorCode.LIMIT_EXCEEDED,
          "%s is %dx%d, too large to decode"
              .formatted(dib.icon() ? "ICO" : "BMP", dib.width(), dib.height()));
    }
    return size;
  }

  /** Decodes the bitmap {@code dib} describes in {@code data}, one row at a time. */
  public static void decode(byte[] data, Dib dib, Rows rows) {
    String f = dib.icon() ? "ICO" : "BMP";
    size(dib);
    int w = dib.width();
    int h = dib.height();
    int[] palette = palette(data, dib, f);
    if (dib.compressed()) {
      rle(data, dib, palette, rows, f);
      return;
    }
    long stride = dib.stride();
    if (!Bytes.has(data, dib.pixelOffset(), stride * h)) {
      throw Bytes.corrupt(f, "pixel data is truncated");
    }
    long maskOffset = dib.pixelOffset() + stride * h;
    long maskStride = (w + 31L) / 32 * 4;
    boolean andMask = dib.icon() && dib.bitsPerPixel() < 32;
    if (andMask && !Bytes.has(data, maskOffset, maskStride * h)) {
      throw Bytes.corrupt(f, "AND mask is truncated");
    }
    boolean opaque = dib.masks().alpha() != 0 && allClear(data, dib);
    byte[] line = new byte[w * dib.bands()];
    for (int row = 0; row < h; row++) {
      row(data, dib.pixelOffset() + stride * row, dib, palette, line, f);
      if (andMask) {
        long mask = maskOffset + maskStride * row;
        for (int x = 0; x < w; x++) {
          boolean transparent = (data[(int) (mask + x / 8)] >> (7 - x % 8) & 1) != 0;
          line[x * 4 + 3] = transparent ? 0 : (byte) 255;
        }
      }
      if (opaque) {
        for (int i = 3; i < line.length; i += 4) {
          line[i] = (byte) 255;
        }
      }
      rows.row(dib.topDown() ? row : h - 1 - row, line);
    }
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
  private static void row(byte[] data, long from, Dib dib, int[] palette, byte[] out, String f) {
    int p = (int) from;
    int at = 0;
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

  /**
   * RLE8 or RLE4: runs and literal stretches of palette indices, bottom row first. Pixels the runs
   * skip (by a delta or an early end of line) keep the first colour.
   */
  private static void rle(byte[] data, Dib dib, int[] palette, Rows rows, String f) {
    if (palette.length == 0) {
      throw Bytes.corrupt(f, "has no palette");
    }
    Rle r = new Rle(dib, palette, rows);
    boolean four = dib.compression() == Dib.RLE4;
    long pos = dib.pixelOffset();
    while (r.y < r.h) {
      if (!Bytes.has(data, pos, 2)) {
        throw Bytes.corrupt(f, "RLE data is truncated");
      }
      int a = data[(int) pos] & 0xFF;
      int b = data[(int) pos + 1] & 0xFF;
      pos += 2;
      if (a > 0) { // a run of a pixels
        for (int i = 0; i < a; i++) {
          r.put(colour(palette, four ? (i % 2 == 0 ? b >> 4 : b & 0xF) : b, f));
        }
      } else if (b == 0) { // end of line
        r.down(1);
      } else if (b == 1) { // end of bitmap
        r.down(r.h);
      } else if (b == 2) { // delta
        if (!Bytes.has(data, pos, 2)) {
          throw Bytes.corrupt(f, "RLE data is truncated");
        }
        int dx = data[(int) pos] & 0xFF;
        int dy = data[(int) pos + 1] & 0xFF;
        pos += 2;
        int x = r.x;
        r.down(dy);
        r.x = Math.min(r.w, x + dx);
      } else { // b literal pixels, padded to a 16-bit boundary
        long bytes = four ? (b + 1) / 2 : b;
        if (!Bytes.has(data, pos, bytes)) {
          throw Bytes.corrupt(f, "RLE data is truncated");
        }
        for (int i = 0; i < b; i++) {
          int v = data[(int) pos + (four ? i / 2 : i)] & 0xFF;
          r.put(colour(palette, four ? (i % 2 == 0 ? v >> 4 : v & 0xF) : v, f));
        }
        pos += bytes + (bytes & 1);
      }
    }
  }

  /** The row an RLE stream is drawing, from the bottom; finished rows go out as it moves up. */
  private static final class Rle {
    final int w;
    final int h;
    final int background;
    final Rows rows;
    final byte[] line;
    int x;
    int y;

    Rle(Dib dib, int[] palette, Rows rows) {
      this.w = dib.width();
      this.h = dib.height();
      this.background = palette[0];
      this.rows = rows;
      this.line = new byte[w * 3];
      clear();
    }

    void put(int rgb) {
      if (x < w) { // runs past the end of the line are dropped
        BmpDecoder.put(line, x * 3, rgb);
        x++;
      }
    }

    /** Ends {@code n} rows (the current one first), to the start of a line. */
    void down(int n) {
      for (int i = 0; i < n && y < h; i++) {
        rows.row(h - 1 - y, line);
        clear();
        y++;
      }
      x = 0;
    }

    private void clear() {
      for (int i = 0; i < w; i++) {
        BmpDecoder.put(line, i * 3, background);
      }
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
   * Whether every pixel's alpha bits are 0 (read before decoding, the data known to be there): a
   * 32-bit bitmap so written left them unused (X8R8G8B8, as Windows long did), and is opaque.
   */
  private static boolean allClear(byte[] data, Dib dib) {
    int bytesPerPixel = dib.bitsPerPixel() / 8;
    int alpha = dib.masks().alpha();
    for (int row = 0; row < dib.height(); row++) {
      int p = (int) (dib.pixelOffset() + dib.stride() * row);
      for (int x = 0; x < dib.width(); x++, p += bytesPerPixel) {
        int v = (data[p] & 0xFF) | (data[p + 1] & 0xFF) << 8;
        if (bytesPerPixel == 4) {
          v |= (data[p + 2] & 0xFF) << 16 | (data[p + 3] & 0xFF) << 24;
        }
        if ((v & alpha) != 0) {
          return false;
        }
      }
    }
    return true;
  }
}
