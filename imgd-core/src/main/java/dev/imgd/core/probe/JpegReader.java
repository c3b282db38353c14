package dev.imgd.core.probe;

/**
 * Walks every JPEG marker from SOI to EOI (or the end of the data) the way libjpeg finds them:
 * bytes that are not a marker are skipped, so entropy-coded data (with its 0xFF00 stuffing and RST
 * markers) is passed over and the SOS segments after it are counted.
 */
final class JpegReader {
  private static final String EXIF = "Exif\0\0";
  private static final String XMP = "http://ns.adobe.com/xap/1.0/\0";
  private static final String XMP_EXTENSION = "http://ns.adobe.com/xmp/extension/\0";
  private static final String ICC = "ICC_PROFILE\0";

  private JpegReader() {}

  static void read(ByteReader r, Header h) {
    boolean sawSof = false;
    boolean sawExif = false;
    int adobeTransform = -1;
    boolean sawEoi = false;
    long pos = 2; // after SOI
    while (true) {
      int ff = r.indexOf(0xFF, pos, r.length());
      if (ff < 0) {
        break;
      }
      pos = ff;
      while (r.has(pos, 1) && r.u8(pos) == 0xFF) {
        pos++; // fill bytes
      }
      if (!r.has(pos, 1)) {
        break;
      }
      int marker = r.u8(pos++);
      if (marker == 0x00 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
        continue; // stuffed 0xFF in entropy data, TEM, RST: no length follows
      }
      if (marker == 0xD9) {
        sawEoi = true;
        break; // anything after EOI is not decoded
      }
      if (marker == 0xD8) {
        throw r.corrupt("has a second SOI marker");
      }
      if (!r.has(pos, 2)) {
        break;
      }
      int length = r.u16be(pos);
      if (length < 2) {
        throw r.corrupt("marker 0xFF%02X has length %d".formatted(marker, length));
      }
      long body = pos + 2;
      long end = pos + length;
      boolean complete = end <= r.length();
      if (isSof(marker)) {
        if (sawSof) {
          throw r.corrupt("has more than one frame header (SOF)");
        }
        if (!complete) {
          throw r.corrupt("frame header (SOF) is truncated");
        }
        sof(r, h, marker, body, length);
        sawSof = true;
      } else if (marker == 0xDA) {
        h.scans++;
      } else if (marker == 0xE1 && r.matches(body, EXIF)) {
        h.exifBytes += payload(length, EXIF.length());
        if (!sawExif) {
          h.exif(Tiff.exif(r, body + EXIF.length(), end));
          sawExif = true;
        }
      } else if (marker == 0xE1 && r.matches(body, XMP)) {
        h.xmpBytes += payload(length, XMP.length());
      } else if (marker == 0xE1 && r.matches(body, XMP_EXTENSION)) {
        h.xmpBytes += payload(length, XMP_EXTENSION.length());
      } else if (marker == 0xE2 && r.matches(body, ICC)) {
        h.iccBytes += payload(length, ICC.length() + 2); // and sequence and count bytes
      } else if (marker == 0xEE && length >= 14 && r.matches(body, "Adobe") && complete) {
        adobeTransform = r.u8(body + 11);
      }
      if (!complete) {
        break; // truncated inside a segment; the decoder reports it
      }
      pos = end;
    }
    if (!sawSof) {
      throw r.corrupt(sawEoi ? "has no frame header (SOF)" : "ends before its frame header (SOF)");
    }
    h.colourSpace =
        switch (h.bands) {
          case 1 -> "grey";
          case 3 -> "srgb";
          case 4 -> adobeTransform == 2 ? "ycck" : "cmyk";
          default -> "unknown";
        };
  }

  /** Bytes of a segment after its length field and an identifying prefix. */
  private static int payload(int length, int prefix) {
    return Math.max(0, length - 2 - prefix);
  }

  /** SOF0-SOF15 except DHT (C4), JPG (C8) and DAC (CC). */
  private static boolean isSof(int marker) {
    return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
  }

  private static void sof(ByteReader r, Header h, int marker, long body, int length) {
    if (length < 8) {
      throw r.corrupt("frame header (SOF) is too short");
    }
    h.bitsPerSample = r.u8(body);
    h.height = r.u16be(body + 1);
    h.width = r.u16be(body + 3);
    h.bands = r.u8(body + 5);
    if (h.bands == 0 || length < 8 + 3 * h.bands) {
      throw r.corrupt(
          "frame header (SOF) declares %d components in %d bytes".formatted(h.bands, length));
    }
    if (h.height == 0) {
      throw r.corrupt("has height 0 (a DNL marker), which is not supported");
    }
    if (h.width == 0 || h.bitsPerSample == 0) {
      throw r.corrupt("frame header (SOF) has width 0 or precision 0");
    }
    // SOF2/SOF6 (Huffman) and SOF10/SOF14 (arithmetic) are progressive.
    h.progressive = marker == 0xC2 || marker == 0xC6 || marker == 0xCA || marker == 0xCE;
  }
}
