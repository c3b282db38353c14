package dev.imgd.testkit.hostile;

import static dev.imgd.testkit.hostile.Bytes.ascii;
import static dev.imgd.testkit.hostile.Bytes.be32;
import static dev.imgd.testkit.hostile.Bytes.be64;
import static dev.imgd.testkit.hostile.Bytes.concat;
import static dev.imgd.testkit.hostile.Bytes.le32;
import static dev.imgd.testkit.hostile.HostileFile.Expectation.LIMIT_EXCEEDED;
import static dev.imgd.testkit.hostile.HostileFiles.add;

import java.util.List;

/** HEIF and AVIF (ISO-BMFF): image size properties (ispe) far beyond the data. */
final class Heifs {
  private Heifs() {}

  static void files(List<HostileFile> files) {
    add(
        files,
        "avif-ispe-100000x100000",
        "FM-01",
        heif("avif", false, 100_000, 100_000),
        LIMIT_EXCEEDED);
    add(files, "heic-ispe-65535x65535", "FM-01", heif("heic", false, 65535, 65535), LIMIT_EXCEEDED);
    // A 64-bit box size, and the huge ispe after a small (thumbnail) one.
    add(
        files,
        "heic-largesize-ispe-20000x20000",
        "FM-01",
        heif("heic", true, 20_000, 20_000),
        LIMIT_EXCEEDED);
  }

  private static byte[] heif(String brand, boolean largeSize, int width, int height) {
    byte[] ftyp = box("ftyp", concat(ascii(brand), le32(0), ascii("mif1"), ascii(brand)));
    byte[] ispes = concat(ispe(160, 120), ispe(width, height));
    byte[] meta =
        concat(
            be32(0),
            box("hdlr", concat(new byte[8], ascii("pict"), new byte[13])),
            box("iprp", box("ipco", ispes)));
    byte[] metaBox =
        largeSize
            ? concat(be32(1), ascii("meta"), be64(16 + meta.length), meta)
            : box("meta", meta);
    return concat(ftyp, metaBox, box("mdat", new byte[32]));
  }

  private static byte[] ispe(int width, int height) {
    return box("ispe", concat(be32(0), be32(width), be32(height)));
  }

  static byte[] box(String type, byte[] body) {
    return concat(be32(8 + body.length), ascii(type), body);
  }
}
