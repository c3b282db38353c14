package dev.imgd.core.probe;

/**
 * Reads the first chunk of a RIFF WEBP file (VP8, VP8L or VP8X); for VP8X, walks the remaining
 * chunks to count and check ANMF frames and to measure metadata.
 */
final class WebpReader {
  private static final int ALPHA = 0x10;
  private static final int ANIMATION = 0x02;

  private WebpReader() {}

  static void read(ByteReader r, Header h) {
    String first = r.fourcc(12);
    long data = 20;
    switch (first) {
      case "VP8 " -> {
        // 3-byte frame tag (bit 0 clear on a key frame), start code, 14-bit sizes.
        if ((r.u8(data) & 1) != 0
            || r.u8(data + 3) != 0x9D
            || r.u8(data + 4) != 0x01
            || r.u8(data + 5) != 0x2A) {
          throw r.corrupt("VP8 chunk does not start with a key frame");
        }
        h.width = r.u16le(data + 6) & 0x3FFF;
        h.height = r.u16le(data + 8) & 0x3FFF;
      }
      case "VP8L" -> {
        if (r.u8(data) != 0x2F) {
          throw r.corrupt("VP8L chunk has a bad signature");
        }
        long bits = r.u32le(data + 1);
        h.width = (bits & 0x3FFF) + 1;
        h.height = (bits >> 14 & 0x3FFF) + 1;
        h.hasAlpha = (bits >> 28 & 1) != 0;
      }
      case "VP8X" -> extended(r, h, data);
      default -> throw r.corrupt("starts with a '%s' chunk".formatted(ByteReader.printable(first)));
    }
    if (h.hasAlpha || h.animated) {
      h.hasAlpha = true;
      h.bands = 4; // libvips decodes animations and alpha to RGBA
    }
  }

  private static void extended(ByteReader r, Header h, long data) {
    int flags = r.u8(data);
    h.width = r.u24le(data + 4) + 1L;
    h.height = r.u24le(data + 7) + 1L;
    h.hasAlpha = (flags & ALPHA) != 0;
    h.animated = (flags & ANIMATION) != 0;
    int frames = 0;
    long pos = 12 + 8 + chunkSize(r, 12);
    while (r.has(pos, 8)) {
      String type = r.fourcc(pos);
      long size = r.u32le(pos + 4);
      long body = pos + 8;
      switch (type) {
        case "ANMF" -> {
          if (!r.has(body, 12)) {
            break; // truncated: the decoder reports it
          }
          frames++;
          h.frame(frames, r.u24le(body + 6) + 1L, r.u24le(body + 9) + 1L);
        }
        case "ALPH" -> h.hasAlpha = true;
        case "ICCP" -> h.iccBytes += size;
        case "EXIF" -> {
          h.exifBytes += size;
          // Some writers keep the JPEG APP1 prefix.
          long tiff = r.matches(body, "Exif\0\0") ? body + 6 : body;
          h.exif(Tiff.exif(r, tiff, body + size));
        }
        case "XMP " -> h.xmpBytes += size;
        default -> {}
      }
      pos = body + size + (size & 1);
    }
    if (h.animated) {
      h.frames = Math.max(frames, 1);
    }
  }

  private static long chunkSize(ByteReader r, long pos) {
    long size = r.u32le(pos + 4);
    return size + (size & 1);
  }
}
