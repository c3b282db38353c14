package dev.imgd.core.probe;

/**
 * JPEG XL (ISO/IEC 18181): a bare codestream (FF 0A) or the ISO-BMFF container ("JXL " signature
 * box) whose jxlc or first jxlp box holds it. The codestream's SizeHeader gives the size and its
 * ImageMetadata the orientation, bit depth and whether the first extra channel is alpha. The
 * container walk visits at most {@value #MAX_BOXES} boxes, each advancing.
 */
final class JxlReader {
  static final int MAX_BOXES = 64;

  /** The aspect ratios of SizeHeader's ratio field 1..7: width = height * num / den. */
  private static final int[][] RATIOS = {{1, 1}, {12, 10}, {4, 3}, {3, 2}, {16, 9}, {5, 4}, {2, 1}};

  private JxlReader() {}

  /** Whether the data starts a JPEG XL codestream or container. */
  static boolean sniff(ByteReader r) {
    return r.matches(0, "\u00ff\n") || r.matches(0, "\0\0\0\u000cJXL \r\n\u0087\n");
  }

  static void read(ByteReader r, Header h) {
    long start = r.matches(0, "\u00ff\n") ? 0 : codestream(r);
    if (!r.matches(start, "\u00ff\n")) {
      throw r.corrupt("codestream has no signature");
    }
    Bits b = new Bits(r, start + 2);
    long[] size = sizeHeader(b);
    h.width = size[0];
    h.height = size[1];
    h.bitsPerSample = 8;
    if (b.bit()) { // all_default: 8-bit, no extra channel
      return;
    }
    if (b.bit()) { // extra_fields
      h.orientation = 1 + b.bits(3);
      if (b.bit()) { // intrinsic size: the display size, not the coded one
        sizeHeader(b);
      }
      if (b.bit()) { // preview
        preview(b);
      }
      if (b.bit()) { // animation
        h.animated = true;
        b.u32(new int[] {100, 1000, 1, 1}, new int[] {0, 0, 10, 30});
        b.u32(new int[] {1, 1001, 1, 1}, new int[] {0, 0, 8, 10});
        b.u32(new int[] {0, 0, 0, 0}, new int[] {0, 3, 16, 32});
        b.bit(); // timecodes
      }
    }
    boolean floating = b.bit();
    h.bitsPerSample =
        floating
            ? (int) b.u32(new int[] {32, 16, 24, 1}, new int[] {0, 0, 0, 6})
            : (int) b.u32(new int[] {8, 10, 12, 1}, new int[] {0, 0, 0, 6});
    if (floating) {
      b.bits(4);
    }
    b.bit(); // modular_16_bit_buffer_sufficient
    long extra = b.u32(new int[] {0, 1, 2, 1}, new int[] {0, 0, 4, 12});
    if (extra > 0) {
      // The first extra channel: d_alpha (all defaults, an alpha channel), else its type (0 alpha).
      h.hasAlpha = b.bit() || b.u32(new int[] {0, 1, 2, 18}, new int[] {0, 0, 4, 6}) == 0;
    }
    h.bands = h.hasAlpha ? 4 : 3;
  }

  /** Where the codestream starts in a container: the payload of jxlc, or of the first jxlp. */
  private static long codestream(ByteReader r) {
    long pos = 0;
    for (int i = 0; i < MAX_BOXES && r.has(pos, 8); i++) {
      ByteReader.Box box = r.box(pos, r.length());
      if (box.type().equals("jxlc")) {
        return box.body();
      }
      if (box.type().equals("jxlp")) {
        return box.body() + 4; // after the part's index
      }
      pos += box.size();
    }
    throw r.corrupt("container holds no codestream");
  }

  /**
   * A SizeHeader: width and height, each small (a multiple of 8 up to 256) or in one of four
   * ranges.
   */
  private static long[] sizeHeader(Bits b) {
    boolean small = b.bit();
    long height = dimension(b, small);
    int ratio = b.bits(3);
    if (ratio == 0) {
      return new long[] {dimension(b, small), height};
    }
    int[] r = RATIOS[ratio - 1];
    return new long[] {height * r[0] / r[1], height};
  }

  private static long dimension(Bits b, boolean small) {
    return small ? 8L * (b.bits(5) + 1) : b.u32(new int[] {1, 1, 1, 1}, new int[] {9, 13, 18, 30});
  }

  /** A PreviewHeader, skipped. */
  private static void preview(Bits b) {
    boolean div8 = b.bit();
    int[] offsets = div8 ? new int[] {16, 32, 1, 33} : new int[] {1, 65, 321, 1345};
    int[] bits = div8 ? new int[] {0, 0, 5, 9} : new int[] {6, 8, 10, 12};
    b.u32(offsets, bits);
    if (b.bits(3) == 0) {
      b.u32(offsets, bits);
    }
  }

  /** The codestream's bits, least significant first. */
  private static final class Bits {
    private final ByteReader r;
    private long bit;

    Bits(ByteReader r, long start) {
      this.r = r;
      this.bit = start * 8;
    }

    boolean bit() {
      boolean one = (r.u8(bit >> 3) >> (bit & 7) & 1) != 0;
      bit++;
      return one;
    }

    int bits(int n) {
      int v = 0;
      for (int i = 0; i < n; i++) {
        v |= (bit() ? 1 : 0) << i;
      }
      return v;
    }

    /** The spec's U32: a 2-bit selector, then offset + that many bits. */
    long u32(int[] offsets, int[] bits) {
      int s = bits(2);
      return offsets[s] + (bits[s] == 0 ? 0 : (long) bits(bits[s]) & 0xFFFFFFFFL);
    }
  }
}
