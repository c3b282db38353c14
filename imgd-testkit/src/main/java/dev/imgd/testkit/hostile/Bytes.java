package dev.imgd.testkit.hostile;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;

/** Byte building blocks for the generators: concatenation, integers, text, zlib. */
final class Bytes {
  private Bytes() {}

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  /** {@code part} repeated {@code times}. */
  static byte[] repeat(byte[] part, int times) {
    byte[] out = new byte[part.length * times];
    for (int i = 0; i < times; i++) {
      System.arraycopy(part, 0, out, i * part.length, part.length);
    }
    return out;
  }

  /** Latin-1 text as bytes (each char one byte). */
  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  static byte[] hex(String s) {
    return HexFormat.of().parseHex(s);
  }

  static void put16be(byte[] b, int pos, int v) {
    b[pos] = (byte) (v >> 8);
    b[pos + 1] = (byte) v;
  }

  static byte[] be16(int v) {
    return new byte[] {(byte) (v >> 8), (byte) v};
  }

  static byte[] be32(int v) {
    return new byte[] {(byte) (v >> 24), (byte) (v >> 16), (byte) (v >> 8), (byte) v};
  }

  static byte[] be64(long v) {
    return concat(be32((int) (v >> 32)), be32((int) v));
  }

  static byte[] le16(int v) {
    return new byte[] {(byte) v, (byte) (v >> 8)};
  }

  static byte[] le24(int v) {
    return new byte[] {(byte) v, (byte) (v >> 8), (byte) (v >> 16)};
  }

  static byte[] le32(int v) {
    return new byte[] {(byte) v, (byte) (v >> 8), (byte) (v >> 16), (byte) (v >> 24)};
  }

  /** zlib data of {@code block} repeated {@code times}. */
  static byte[] deflate(byte[] block, int times) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
    try (DeflaterOutputStream z = new DeflaterOutputStream(out, deflater, 1 << 16)) {
      for (int i = 0; i < times; i++) {
        z.write(block);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      deflater.end();
    }
    return out.toByteArray();
  }

  /** zlib data that inflates to at least {@code size} zero bytes. */
  static byte[] deflateZeros(int size) {
    int block = 1 << 16;
    return deflate(new byte[block], (size + block - 1) / block);
  }

  static byte[] gzip(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
