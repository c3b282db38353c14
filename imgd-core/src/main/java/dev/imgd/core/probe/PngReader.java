package dev.imgd.core.probe;

import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Reads IHDR, which must be the first chunk, then walks the chunks up to IEND or the end of the
 * data, measuring metadata. CRCs are left to the decoder. An APNG (acTL) is marked animated but
 * keeps one frame: libvips loads only its default image.
 */
final class PngReader {
  private static final String XMP_KEYWORD = "XML:com.adobe.xmp";

  private PngReader() {}

  static void read(ByteReader r, Header h) {
    if (!r.has(8, 8) || r.u32be(8) != 13 || !r.matches(12, "IHDR")) {
      throw r.corrupt("does not start with an IHDR chunk");
    }
    h.width = r.u32be(16);
    h.height = r.u32be(20);
    int depth = r.u8(24);
    int colourType = r.u8(25);
    if (h.width > Integer.MAX_VALUE || h.height > Integer.MAX_VALUE) {
      throw r.corrupt("IHDR size %dx%d is out of range".formatted(h.width, h.height));
    }
    h.bands =
        switch (colourType) {
          case 0 -> 1;
          case 2, 3 -> 3;
          case 4 -> 2;
          case 6 -> 4;
          default -> throw r.corrupt("has colour type " + colourType);
        };
    if (depth != 1 && depth != 2 && depth != 4 && depth != 8 && depth != 16) {
      throw r.corrupt("has bit depth " + depth);
    }
    h.bitsPerSample = depth;
    h.hasAlpha = colourType == 4 || colourType == 6;
    h.colourSpace = colourType == 0 || colourType == 4 ? "grey" : "srgb";
    h.progressive = r.u8(28) == 1; // Adam7

    long pos = 33; // signature, then IHDR's 13 bytes and its length, type and CRC
    while (r.has(pos, 8)) {
      long length = r.u32be(pos);
      if (length > Integer.MAX_VALUE) {
        throw r.corrupt("chunk length %d is out of range".formatted(length));
      }
      String type = r.fourcc(pos + 4);
      long data = pos + 8;
      long end = Math.min(data + length, r.length());
      switch (type) {
        case "IEND" -> {
          return;
        }
        case "tRNS" -> {
          if (!h.hasAlpha) {
            h.hasAlpha = true;
            h.bands++;
          }
        }
        case "acTL" -> h.animated = true;
        case "iCCP" -> {
          long text = afterKeyword(r, data, end) + 1; // compression method
          h.iccBytes += inflatedSize(r, text, end, h.inflateBudget(h.iccBytes));
        }
        case "eXIf" -> {
          h.exifBytes += length;
          h.exif(Tiff.exif(r, data, end));
        }
        case "tEXt" -> h.textBytes += length;
        case "zTXt" ->
            h.textBytes +=
                inflatedSize(r, afterKeyword(r, data, end) + 1, end, h.inflateBudget(h.textBytes));
        case "iTXt" -> iTxt(r, h, data, end);
        default -> {}
      }
      pos = data + length + 4; // and CRC
    }
  }

  /** iTXt: keyword, compression flag and method, language tag, translated keyword, text. */
  private static void iTxt(ByteReader r, Header h, long data, long end) {
    long flag = afterKeyword(r, data, end);
    boolean xmp = flag - 1 - data == XMP_KEYWORD.length() && r.matches(data, XMP_KEYWORD);
    long language = r.indexOf(0, flag + 2, end);
    long translated = language < 0 ? -1 : r.indexOf(0, language + 1, end);
    long text = translated < 0 ? end : translated + 1;
    long size =
        flag < end && r.u8(flag) == 1
            ? inflatedSize(r, text, end, h.inflateBudget(xmp ? h.xmpBytes : h.textBytes))
            : Math.max(0, end - text);
    if (xmp) {
      h.xmpBytes += size;
    } else {
      h.textBytes += size;
    }
  }

  /** Position after a keyword's NUL terminator, or {@code end} if there is none. */
  private static long afterKeyword(ByteReader r, long data, long end) {
    long nul = r.indexOf(0, data, Math.min(end, data + 80));
    return nul < 0 ? end : nul + 1;
  }

  /**
   * Size of zlib data once inflated, counting at most {@code cap} bytes into a small reused buffer,
   * so a zlib bomb costs bounded time and no memory. Broken data counts up to where it broke.
   */
  static long inflatedSize(ByteReader r, long from, long end, long cap) {
    if (from >= end || cap <= 0) {
      return 0;
    }
    Inflater inflater = new Inflater();
    try {
      inflater.setInput(r.array(), (int) from, (int) (end - from));
      byte[] scratch = new byte[8192];
      long total = 0;
      while (total < cap) {
        int n = inflater.inflate(scratch);
        if (n == 0) {
          break; // finished, needs input or a dictionary
        }
        total += n;
      }
      return total;
    } catch (DataFormatException e) {
      return inflater.getBytesWritten();
    } finally {
      inflater.end();
    }
  }
}
