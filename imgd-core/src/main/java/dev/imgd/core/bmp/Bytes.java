package dev.imgd.core.bmp;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImgdException;

/** Little-endian reads at absolute offsets; a read past the end is CORRUPT_IMAGE. */
final class Bytes {
  private Bytes() {}

  static boolean has(byte[] data, long pos, long n) {
    return pos >= 0 && n >= 0 && pos <= data.length && n <= data.length - pos;
  }

  static int u8(byte[] data, long pos, String format) {
    require(data, pos, 1, format);
    return data[(int) pos] & 0xFF;
  }

  static int u16(byte[] data, long pos, String format) {
    require(data, pos, 2, format);
    int p = (int) pos;
    return (data[p] & 0xFF) | (data[p + 1] & 0xFF) << 8;
  }

  static int s32(byte[] data, long pos, String format) {
    require(data, pos, 4, format);
    int p = (int) pos;
    return (data[p] & 0xFF)
        | (data[p + 1] & 0xFF) << 8
        | (data[p + 2] & 0xFF) << 16
        | (data[p + 3] & 0xFF) << 24;
  }

  static long u32(byte[] data, long pos, String format) {
    return s32(data, pos, format) & 0xFFFF_FFFFL;
  }

  static void putU16(byte[] out, int pos, int v) {
    out[pos] = (byte) v;
    out[pos + 1] = (byte) (v >>> 8);
  }

  static void putU32(byte[] out, int pos, long v) {
    putU16(out, pos, (int) v & 0xFFFF);
    putU16(out, pos + 2, (int) (v >>> 16) & 0xFFFF);
  }

  static ImgdException corrupt(String format, String message) {
    return new ImgdException(ErrorCode.CORRUPT_IMAGE, format + " " + message);
  }

  static ImgdException unsupported(String message) {
    return new ImgdException(ErrorCode.UNSUPPORTED_FORMAT, message);
  }

  private static void require(byte[] data, long pos, long n, String format) {
    if (!has(data, pos, n)) {
      throw corrupt(format, "header is truncated");
    }
  }
}
