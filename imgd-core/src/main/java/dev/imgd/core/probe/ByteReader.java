package dev.imgd.core.probe;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImgdException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Bounds-checked reads at absolute offsets of a byte array. Every read past the end raises
 * CORRUPT_IMAGE naming the format, so no IndexOutOfBoundsException can leave a reader.
 */
final class ByteReader {
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGHS = 0x8080808080808080L;

  private final byte[] data;
  private final String format;

  ByteReader(byte[] data, String format) {
    this.data = data;
    this.format = format;
  }

  int length() {
    return data.length;
  }

  /** True if {@code n} bytes starting at {@code pos} lie inside the buffer (overflow-safe). */
  boolean has(long pos, long n) {
    return pos >= 0 && n >= 0 && pos <= data.length && n <= data.length - pos;
  }

  int u8(long pos) {
    require(pos, 1);
    return data[(int) pos] & 0xFF;
  }

  int u16be(long pos) {
    require(pos, 2);
    int p = (int) pos;
    return (data[p] & 0xFF) << 8 | (data[p + 1] & 0xFF);
  }

  int u16le(long pos) {
    require(pos, 2);
    int p = (int) pos;
    return (data[p + 1] & 0xFF) << 8 | (data[p] & 0xFF);
  }

  int u16(long pos, boolean littleEndian) {
    return littleEndian ? u16le(pos) : u16be(pos);
  }

  int u24le(long pos) {
    require(pos, 3);
    int p = (int) pos;
    return (data[p + 2] & 0xFF) << 16 | (data[p + 1] & 0xFF) << 8 | (data[p] & 0xFF);
  }

  long u32be(long pos) {
    return (long) u16be(pos) << 16 | u16be(pos + 2);
  }

  long u32le(long pos) {
    return (long) u16le(pos + 2) << 16 | u16le(pos);
  }

  long u32(long pos, boolean littleEndian) {
    return littleEndian ? u32le(pos) : u32be(pos);
  }

  long u64be(long pos) {
    long high = u32be(pos);
    return high << 32 | u32be(pos + 4);
  }

  /**
   * The header of the ISO-BMFF box at {@code pos} (HEIF, AVIF, the JPEG XL container): a 32-bit
   * size and the type, the size 1 followed by a 64-bit size, or the size 0 for a box that runs to
   * {@code end}. A size smaller than its header is CORRUPT_IMAGE.
   */
  Box box(long pos, long end) {
    long size = u32be(pos);
    String type = fourcc(pos + 4);
    long header = 8;
    if (size == 1) {
      size = u64be(pos + 8);
      header = 16;
    } else if (size == 0) {
      size = end - pos;
    }
    if (size < header) {
      throw corrupt("box '%s' has size %d".formatted(printable(type), size));
    }
    return new Box(type, pos, header, size);
  }

  /** An ISO-BMFF box: its type, where it starts, its header's length and its whole size. */
  record Box(String type, long start, long header, long size) {
    long body() {
      return start + header;
    }

    long end() {
      return start + size;
    }
  }

  /** True if the bytes at {@code pos} are the ASCII text {@code s}; false near the end. */
  boolean matches(long pos, String s) {
    if (!has(pos, s.length())) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if ((data[(int) pos + i] & 0xFF) != s.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** Four bytes as ASCII, for box and chunk types. */
  String fourcc(long pos) {
    require(pos, 4);
    return new String(data, (int) pos, 4, StandardCharsets.ISO_8859_1);
  }

  /** Position of the first {@code b} in [from, to), or -1. */
  int indexOf(int b, long from, long to) {
    int end = (int) Math.min(to, data.length);
    int i = (int) Math.max(from, 0);
    // Eight bytes per step: a JPEG's entropy-coded data, most of the file, is scanned for 0xFF on
    // every request. A zero byte of x = word ^ pattern is where b is; the lowest flagged byte is
    // always a true match (borrows only flag bytes above a real zero).
    long pattern = ONES * (b & 0xFF);
    for (; i <= end - Long.BYTES; i += Long.BYTES) {
      long x = (long) LONGS.get(data, i) ^ pattern;
      long zeros = (x - ONES) & ~x & HIGHS;
      if (zeros != 0) {
        return i + (Long.numberOfTrailingZeros(zeros) >>> 3);
      }
    }
    for (; i < end; i++) {
      if ((data[i] & 0xFF) == b) {
        return i;
      }
    }
    return -1;
  }

  /** A box or chunk type fit for a message: non-printable bytes become '?'. */
  static String printable(String fourcc) {
    return fourcc.replaceAll("[^\\x20-\\x7E]", "?");
  }

  byte[] array() {
    return data;
  }

  ImgdException corrupt(String message) {
    return new ImgdException(ErrorCode.CORRUPT_IMAGE, format + " " + message);
  }

  private void require(long pos, long n) {
    if (!has(pos, n)) {
      throw corrupt("header is truncated");
    }
  }
}
