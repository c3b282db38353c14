package dev.imgd.testkit.hostile;

import static dev.imgd.testkit.hostile.Bytes.ascii;
import static dev.imgd.testkit.hostile.Bytes.be32;
import static dev.imgd.testkit.hostile.Bytes.concat;
import static dev.imgd.testkit.hostile.Bytes.deflate;
import static dev.imgd.testkit.hostile.Bytes.deflateZeros;
import static dev.imgd.testkit.hostile.HostileFile.Expectation.CLEAN;
import static dev.imgd.testkit.hostile.HostileFile.Expectation.CORRUPT_IMAGE;
import static dev.imgd.testkit.hostile.HostileFile.Expectation.DECODER_MUST_REJECT;
import static dev.imgd.testkit.hostile.HostileFile.Expectation.LIMIT_EXCEEDED;
import static dev.imgd.testkit.hostile.HostileFiles.add;

import dev.imgd.testkit.hostile.HostileFile.Expectation;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;

/** PNG: IHDR floods, IDAT and zlib bombs, truncations, text and profile chunk bombs. */
final class Pngs {
  static final String SIGNATURE = "\u0089PNG\r\n\u001a\n";
  private static final int AFTER_IHDR = 8 + 12 + 13;

  private Pngs() {}

  static void files(List<HostileFile> files) {
    add(files, "png-ihdr-50000x50000", "FM-01", grey(50_000, 50_000, 4), LIMIT_EXCEEDED);
    // 100 kpx in all, but one side over the 16384 side limit.
    add(files, "png-ihdr-100000x1", "FM-01", grey(100_000, 1, 1), LIMIT_EXCEEDED);
    // Under the limits (49 MP) with 4 rows of data: the decoder must stop at the 5th row.
    add(files, "png-7000x7000-of-4-rows", "FM-01", grey(7000, 7000, 4), DECODER_MUST_REJECT);
    // A decompression bomb under the limits: 49 MP of black in 48 KB, a valid image to process.
    add(files, "png-idat-bomb-7000x7000", "FM-01", grey(7000, 7000, 7000), CLEAN);

    byte[] png = Samples.png(32, 32);
    truncate(files, png, 20, CORRUPT_IMAGE); // inside IHDR
    truncate(files, png, 45, DECODER_MUST_REJECT);
    truncate(files, png, png.length / 2, DECODER_MUST_REJECT);

    byte[] small = Samples.png(8, 8);
    add(
        files,
        "png-exif-ifd-loop",
        "FM-17",
        withChunk(small, "eXIf", Metadata.exifSelfLoop()),
        CLEAN);
    add(files, "png-xmp-5mb", "FM-17", withChunk(small, "iTXt", xmpText(5 << 20)), LIMIT_EXCEEDED);
    add(
        files,
        "png-iccp-zlib-bomb-60mb",
        "FM-17",
        withChunk(small, "iCCP", concat(ascii("icc\0\0"), deflateZeros(60 << 20))),
        LIMIT_EXCEEDED);
    add(
        files,
        "png-iccp-tags-overlap-table",
        "FM-17",
        withChunk(
            small, "iCCP", concat(ascii("icc\0\0"), deflate(Metadata.iccTagsOverlapTable(), 1))),
        CLEAN);
    // A hundred small zlib bombs: the probe's inflation budget covers them all together.
    byte[] ztxt = chunk("zTXt", concat(ascii("Comment\0\0"), deflateZeros(1 << 20)));
    add(files, "png-ztxt-100-bombs-of-1mb", "FM-17", withChunks(small, ztxt, 100), LIMIT_EXCEEDED);
    // 20,000 tiny text chunks: 220 KB of metadata, under the cap, but a chunk count decoders limit.
    byte[] text = chunk("tEXt", ascii("Comment\0x"));
    add(files, "png-20000-text-chunks", "FM-17", withChunks(small, text, 20_000), CLEAN);
    add(files, "png-ihdr-not-first", "FM-11", ihdrNotFirst(), CORRUPT_IMAGE);
  }

  private static void truncate(List<HostileFile> files, byte[] file, int length, Expectation e) {
    add(files, "png-truncated-at-" + length, "FM-11", Arrays.copyOf(file, length), e);
  }

  /** An 8-bit grey PNG claiming width x height, with {@code rows} real rows of IDAT. */
  static byte[] grey(int width, int height, int rows) {
    byte[] ihdr = concat(be32(width), be32(height), new byte[] {8, 0, 0, 0, 0});
    byte[] idat = deflate(new byte[width + 1], rows); // filter byte 0, then black
    return concat(
        ascii(SIGNATURE), chunk("IHDR", ihdr), chunk("IDAT", idat), chunk("IEND", new byte[0]));
  }

  private static byte[] ihdrNotFirst() {
    byte[] png = Samples.png(8, 8);
    byte[] text = chunk("tEXt", ascii("Comment\0first"));
    return concat(Arrays.copyOf(png, 8), text, Arrays.copyOfRange(png, 8, png.length));
  }

  /** The PNG with one more chunk right after IHDR. */
  static byte[] withChunk(byte[] png, String type, byte[] data) {
    return withChunks(png, chunk(type, data), 1);
  }

  /** The PNG with {@code times} copies of a whole chunk right after IHDR. */
  private static byte[] withChunks(byte[] png, byte[] chunk, int times) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(png, 0, AFTER_IHDR);
    for (int i = 0; i < times; i++) {
      out.writeBytes(chunk);
    }
    out.write(png, AFTER_IHDR, png.length - AFTER_IHDR);
    return out.toByteArray();
  }

  private static byte[] xmpText(int size) {
    byte[] text = new byte[size];
    Arrays.fill(text, (byte) ' ');
    byte[] head = ascii("<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">");
    System.arraycopy(head, 0, text, 0, head.length);
    return concat(ascii("XML:com.adobe.xmp\0\0\0\0\0"), text);
  }

  static byte[] chunk(String type, byte[] data) {
    CRC32 crc = new CRC32();
    byte[] typeBytes = ascii(type);
    crc.update(typeBytes);
    crc.update(data);
    return concat(be32(data.length), typeBytes, data, be32((int) crc.getValue()));
  }
}
