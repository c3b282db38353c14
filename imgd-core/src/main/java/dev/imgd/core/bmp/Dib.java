package dev.imgd.core.bmp;

/**
 * A device-independent bitmap's header: BITMAPCOREHEADER (12 bytes), BITMAPINFOHEADER (40) and its
 * later versions (52, 56, V4 108, V5 124), in a BMP file or as an icon's entry. Read once, for the
 * probe and for the decoder: the sizes the probe checks against the limits are the ones decoded.
 *
 * @param width pixels per row
 * @param height rows (an icon's header counts its AND mask too: this is half of that)
 * @param topDown the rows are stored top first (a negative height)
 * @param bitsPerPixel 1, 2, 4, 8 (palette), 16, 24 or 32
 * @param compression {@link #RGB}, {@link #RLE8}, {@link #RLE4} or {@link #BITFIELDS}
 * @param paletteOffset where the palette starts
 * @param paletteEntries colours in the palette (0 above 8 bits per pixel)
 * @param paletteEntrySize 3 for a core header, else 4 (BGR and a spare byte)
 * @param masks red, green, blue and alpha masks of a 16- or 32-bit pixel
 * @param pixelOffset where the pixel data starts
 * @param icon an icon's bitmap: an AND mask follows the pixels
 */
public record Dib(
    int width,
    int height,
    boolean topDown,
    int bitsPerPixel,
    int compression,
    long paletteOffset,
    int paletteEntries,
    int paletteEntrySize,
    Masks masks,
    long pixelOffset,
    boolean icon) {
  static final int RGB = 0;
  static final int RLE8 = 1;
  static final int RLE4 = 2;
  static final int BITFIELDS = 3;
  private static final int JPEG = 4;
  private static final int PNG = 5;
  private static final int ALPHA_BITFIELDS = 6;

  /** Bytes of a BMP file's own header, before the DIB header. */
  static final int FILE_HEADER = 14;

  /** A BMP file's header: "BM", then the DIB header at 14. */
  public static Dib ofBmp(byte[] data) {
    long pixelOffset = Bytes.u32(data, 10, "BMP");
    return read(data, FILE_HEADER, pixelOffset, false);
  }

  /** An icon entry's bitmap at {@code offset}: its pixels follow its header and palette. */
  public static Dib ofIcon(byte[] data, long offset) {
    return read(data, offset, -1, true);
  }

  private static Dib read(byte[] data, long at, long pixelOffset, boolean icon) {
    String f = icon ? "ICO" : "BMP";
    long size = Bytes.u32(data, at, f);
    int width;
    long height;
    int bpp;
    int compression = RGB;
    long colours = 0;
    if (size == 12) {
      width = Bytes.u16(data, at + 4, f);
      height = Bytes.u16(data, at + 6, f);
      bpp = Bytes.u16(data, at + 10, f);
    } else if (size == 40 || size == 52 || size == 56 || size == 108 || size == 124) {
      width = Bytes.s32(data, at + 4, f);
      height = Bytes.s32(data, at + 8, f);
      bpp = Bytes.u16(data, at + 14, f);
      compression = Bytes.s32(data, at + 16, f);
      colours = Bytes.u32(data, at + 32, f);
    } else {
      throw Bytes.unsupported(f + " with a " + size + "-byte bitmap header is not supported");
    }
    if (bpp != 1 && bpp != 2 && bpp != 4 && bpp != 8 && bpp != 16 && bpp != 24 && bpp != 32) {
      throw Bytes.corrupt(f, "has an invalid bit depth " + bpp);
    }
    switch (compression) {
      case RGB -> {}
      case RLE8, RLE4 -> {
        if (bpp != (compression == RLE8 ? 8 : 4) || icon) {
          throw Bytes.corrupt(f, "has RLE compression at " + bpp + " bits per pixel");
        }
      }
      case BITFIELDS, ALPHA_BITFIELDS -> {
        if (bpp != 16 && bpp != 32) {
          throw Bytes.corrupt(f, "has bit fields at " + bpp + " bits per pixel");
        }
      }
      case JPEG, PNG ->
          throw Bytes.unsupported(
              f + " holding " + (compression == JPEG ? "JPEG" : "PNG") + " data is not supported");
      default -> throw Bytes.unsupported(f + " compression " + compression + " is not supported");
    }
    boolean topDown = height < 0;
    if (topDown && compression != RGB && compression != BITFIELDS) {
      throw Bytes.corrupt(f, "is top-down and compressed");
    }
    height = Math.abs(height);
    if (icon) {
      height /= 2; // the XOR bitmap and the AND mask
    }
    if (width <= 0 || height <= 0) {
      throw Bytes.corrupt(f, "is %dx%d, an empty image".formatted(width, height));
    }
    Masks masks = masks(data, at, size, bpp, compression, f);
    long masksAfterHeader = size == 40 && (compression == BITFIELDS) ? 12 : 0;
    if (size == 40 && compression == ALPHA_BITFIELDS) {
      masksAfterHeader = 16;
    }
    int entries = 0;
    if (bpp <= 8) {
      if (colours > 1L << bpp) {
        throw Bytes.corrupt(f, "has %d palette colours at %d bits".formatted(colours, bpp));
      }
      entries = colours == 0 ? 1 << bpp : (int) colours;
    } else if (colours > 1 << 16) {
      throw Bytes.corrupt(f, "declares " + colours + " palette colours");
    }
    int entrySize = size == 12 ? 3 : 4;
    long paletteOffset = at + size + masksAfterHeader;
    if (pixelOffset < 0) {
      // An icon's pixels follow its palette; a BMP's palette may list colours it does not use.
      pixelOffset = paletteOffset + (long) entries * entrySize;
    }
    return new Dib(
        width,
        (int) height,
        topDown,
        bpp,
        compression == ALPHA_BITFIELDS ? BITFIELDS : compression,
        paletteOffset,
        entries,
        entrySize,
        masks,
        pixelOffset,
        icon);
  }

  /** The red, green, blue and alpha masks of a 16- or 32-bit pixel (0: no such channel). */
  public record Masks(int red, int green, int blue, int alpha) {}

  /** The channel masks: from the header for bit fields, else the format's defaults. */
  private static Masks masks(byte[] data, long at, long size, int bpp, int compression, String f) {
    if (compression == BITFIELDS || compression == ALPHA_BITFIELDS) {
      int alpha = size >= 56 || compression == ALPHA_BITFIELDS ? Bytes.s32(data, at + 52, f) : 0;
      int[] masks = {
        Bytes.s32(data, at + 40, f), Bytes.s32(data, at + 44, f), Bytes.s32(data, at + 48, f), alpha
      };
      for (int m : masks) {
        int shifted = m >>> Integer.numberOfTrailingZeros(m);
        if (m != 0 && (shifted & (shifted + 1)) != 0) {
          throw Bytes.corrupt(f, "has a bit field mask that is not contiguous");
        }
      }
      return new Masks(masks[0], masks[1], masks[2], masks[3]);
    }
    if (bpp == 16) {
      return new Masks(0x7C00, 0x3E0, 0x1F, 0);
    }
    // 32 bits: the fourth byte is alpha, as imgproxy reads it, unless a V4/V5 header's mask is 0.
    int alpha = size >= 56 ? Bytes.s32(data, at + 52, f) : 0xFF00_0000;
    return new Masks(0xFF_0000, 0xFF00, 0xFF, bpp == 32 ? alpha : 0);
  }

  /** Bands of the decoded image: RGB, and alpha from the masks or an icon's AND mask. */
  public int bands() {
    return hasAlpha() ? 4 : 3;
  }

  public boolean hasAlpha() {
    return icon || masks.alpha() != 0;
  }

  /** Bytes of one stored row: rows are padded to 4 bytes. */
  long stride() {
    return ((long) width * bitsPerPixel + 31) / 32 * 4;
  }

  boolean compressed() {
    return compression == RLE8 || compression == RLE4;
  }
}
