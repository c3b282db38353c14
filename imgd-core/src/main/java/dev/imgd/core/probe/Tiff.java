package dev.imgd.core.probe;

import dev.imgd.core.ImgdException;

/**
 * The TIFF structure shared by TIFF files and EXIF blocks (JPEG APP1, PNG eXIf, WebP EXIF). Walks
 * IFD0, the IFD chain and the Exif/GPS/interop sub-IFDs breadth first; each IFD is visited once (an
 * IFD pointing to itself or to an earlier one is ignored), at most {@value #MAX_IFDS} IFDs of at
 * most {@value #MAX_ENTRIES} entries, so the work is bounded whatever the pointers say.
 */
final class Tiff {
  static final int MAX_IFDS = 16;
  static final int MAX_ENTRIES = 1024;

  private static final int WIDTH = 256;
  private static final int HEIGHT = 257;
  private static final int BITS_PER_SAMPLE = 258;
  private static final int PHOTOMETRIC = 262;
  private static final int ORIENTATION = 274;
  private static final int SAMPLES_PER_PIXEL = 277;
  private static final int SUB_IFDS = 330;
  private static final int EXTRA_SAMPLES = 338;
  private static final int EXIF_IFD = 0x8769;
  private static final int GPS_IFD = 0x8825;
  private static final int INTEROP_IFD = 0xA005;

  /** What imgd needs from IFD0; -1 where absent. */
  static final class Tags {
    long width = -1;
    long height = -1;
    int orientation = 1;
    int bitsPerSample = -1;
    int samplesPerPixel = -1;
    int photometric = -1;
    boolean extraSamples;
    boolean hasGps;
  }

  private Tiff() {}

  /**
   * Reads an EXIF block: a malformed one only ends the walk (decoders ignore broken EXIF too), and
   * whatever was read before stays.
   */
  static Tags exif(ByteReader r, long start, long end) {
    Tags info = new Tags();
    try {
      walk(r, start, Math.min(end, r.length()), info);
    } catch (ImgdException e) {
      // Keep what IFD0 gave; EXIF is metadata, not image data.
    }
    return info;
  }

  /** Reads a TIFF file's IFD0: a malformed header or IFD0 is a corrupt image. */
  static void read(ByteReader r, Header h) {
    Tags info = new Tags();
    walk(r, 0, r.length(), info);
    h.width = info.width;
    h.height = info.height;
    h.exif(info);
    h.bitsPerSample = info.bitsPerSample > 0 ? info.bitsPerSample : 1;
    h.bands = info.samplesPerPixel > 0 ? info.samplesPerPixel : 1;
    h.hasAlpha = info.extraSamples;
    h.colourSpace =
        switch (info.photometric) {
          case 0, 1 -> "grey";
          case 2, 3, 6 -> "srgb"; // RGB, palette, YCbCr
          case 5 -> "cmyk";
          case 8, 9, 10 -> "lab";
          default -> "unknown";
        };
  }

  private static void walk(ByteReader r, long start, long end, Tags info) {
    long length = end - start;
    if (length < 8) {
      throw r.corrupt("TIFF header is truncated");
    }
    boolean le;
    if (r.matches(start, "II")) {
      le = true;
    } else if (r.matches(start, "MM")) {
      le = false;
    } else {
      throw r.corrupt("TIFF header has no byte order mark");
    }
    if (r.u16(start + 2, le) != 42) {
      throw r.corrupt("TIFF header has a bad version");
    }
    long[] queue = new long[MAX_IFDS];
    int queued = enqueue(queue, 0, r.u32(start + 4, le));
    if (queued == 0) {
      throw r.corrupt("TIFF has no IFD0");
    }
    for (int next = 0; next < queued; next++) {
      long offset = queue[next];
      boolean ifd0 = next == 0;
      if (offset < 8 || offset > length - 2) {
        if (ifd0) {
          throw r.corrupt("TIFF IFD0 is outside the data");
        }
        continue;
      }
      int entries = r.u16(start + offset, le);
      if (entries > MAX_ENTRIES || offset + 2 + 12L * entries > length) {
        if (ifd0) {
          throw r.corrupt("TIFF IFD0 has " + entries + " entries, past the end");
        }
        continue;
      }
      for (int i = 0; i < entries; i++) {
        long entry = start + offset + 2 + 12L * i;
        int tag = r.u16(entry, le);
        int type = r.u16(entry + 2, le);
        long count = r.u32(entry + 4, le);
        long value = count == 0 ? -1 : firstValue(r, start, length, entry, type, count, le);
        if (tag == EXIF_IFD || tag == GPS_IFD || tag == INTEROP_IFD || tag == SUB_IFDS) {
          queued = enqueue(queue, queued, value);
          info.hasGps |= tag == GPS_IFD && value > 0;
        }
        if (ifd0) {
          switch (tag) {
            case WIDTH -> info.width = value;
            case HEIGHT -> info.height = value;
            case BITS_PER_SAMPLE -> info.bitsPerSample = (int) Math.min(value, Integer.MAX_VALUE);
            case PHOTOMETRIC -> info.photometric = (int) value;
            case ORIENTATION -> info.orientation = (int) value;
            case SAMPLES_PER_PIXEL ->
                info.samplesPerPixel = (int) Math.min(value, Integer.MAX_VALUE);
            case EXTRA_SAMPLES -> info.extraSamples = count > 0;
            default -> {}
          }
        }
      }
      if (offset + 2 + 12L * entries + 4 <= length) {
        queued = enqueue(queue, queued, r.u32(start + offset + 2 + 12L * entries, le));
      }
    }
  }

  /** The first value of a BYTE, SHORT or LONG entry (inline or at its offset), else -1. */
  private static long firstValue(
      ByteReader r, long start, long length, long entry, int type, long count, boolean le) {
    int size =
        switch (type) {
          case 1 -> 1; // BYTE
          case 3 -> 2; // SHORT
          case 4, 13 -> 4; // LONG, IFD
          default -> 0;
        };
    if (size == 0) {
      return -1;
    }
    long at = entry + 8;
    if (count * size > 4) {
      long offset = r.u32(entry + 8, le);
      if (offset > length - size) {
        return -1;
      }
      at = start + offset;
    }
    return switch (size) {
      case 1 -> r.u8(at);
      case 2 -> r.u16(at, le);
      default -> r.u32(at, le);
    };
  }

  /** Adds an IFD offset unless it is null, already seen, or the queue is full. */
  private static int enqueue(long[] queue, int queued, long offset) {
    if (offset <= 0 || queued == queue.length) {
      return queued;
    }
    for (int i = 0; i < queued; i++) {
      if (queue[i] == offset) {
        return queued;
      }
    }
    queue[queued] = offset;
    return queued + 1;
  }
}
