package dev.imgd.core.probe;

/**
 * Walks every GIF block. The canvas a decoder allocates is the union of the logical screen and
 * every frame rectangle (left + width, top + height), not the logical screen alone. A missing
 * trailer (a truncated file) ends the walk with the frames seen so far.
 */
final class GifReader {
  private GifReader() {}

  static void read(ByteReader r, Header h) {
    long width = r.u16le(6);
    long height = r.u16le(8);
    int packed = r.u8(10);
    long pos = 13L + colourTable(packed);
    int frames = 0;
    walk:
    while (r.has(pos, 1)) {
      switch (r.u8(pos)) {
        case 0x21 -> { // extension: label, then sub-blocks
          if (!r.has(pos, 2)) {
            break walk;
          }
          // Graphic Control Extension: 4-byte block whose first byte's bit 0 is transparency.
          if (r.u8(pos + 1) == 0xF9 && r.has(pos + 3, 1) && (r.u8(pos + 3) & 1) != 0) {
            h.hasAlpha = true;
          }
          pos = skipSubBlocks(r, pos + 2);
        }
        case 0x2C -> { // image descriptor
          if (!r.has(pos, 10)) {
            break walk;
          }
          int left = r.u16le(pos + 1);
          int top = r.u16le(pos + 3);
          int frameWidth = r.u16le(pos + 5);
          int frameHeight = r.u16le(pos + 7);
          frames++;
          h.frame(frames, frameWidth, frameHeight);
          width = Math.max(width, left + frameWidth);
          height = Math.max(height, top + frameHeight);
          pos = skipSubBlocks(r, pos + 10 + colourTable(r.u8(pos + 9)) + 1); // and LZW code size
        }
        case 0x3B -> {
          break walk; // trailer
        }
        default -> {
          if (frames == 0) {
            throw r.corrupt("has an unknown block 0x%02X before any image".formatted(r.u8(pos)));
          }
          break walk; // garbage after the frames: the decoder stops here too
        }
      }
    }
    if (frames == 0) {
      throw r.corrupt("has no image");
    }
    h.width = width;
    h.height = height;
    h.frames = frames;
    h.animated = frames > 1;
    h.bands = h.hasAlpha ? 4 : 3; // as libvips: RGBA only if some frame has transparency
  }

  /** Bytes of the colour table a packed field declares. */
  private static int colourTable(int packed) {
    return (packed & 0x80) == 0 ? 0 : 3 << ((packed & 7) + 1);
  }

  /** Position after a run of sub-blocks and its terminator (or the end of the data). */
  private static long skipSubBlocks(ByteReader r, long pos) {
    while (r.has(pos, 1)) {
      int size = r.u8(pos);
      pos += size + 1;
      if (size == 0) {
        break;
      }
    }
    return pos;
  }
}
