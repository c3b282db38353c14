package dev.imgd.core.hostile;

import static dev.imgd.core.hostile.HostileFile.Expectation.CLEAN;
import static dev.imgd.core.hostile.HostileFile.Expectation.CORRUPT_IMAGE;
import static dev.imgd.core.hostile.HostileFile.Expectation.DECODER_MUST_REJECT;
import static dev.imgd.core.hostile.HostileFile.Expectation.LIMIT_EXCEEDED;
import static dev.imgd.core.hostile.HostileFile.Expectation.UNSUPPORTED_FORMAT;

import dev.imgd.core.hostile.HostileFile.Expectation;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * Generates hostile inputs for the failure modes the header probe guards against: pixel floods
 * (FM-01), truncation (FM-11) and metadata bombs (FM-17), plus data that is not an accepted image.
 * Files are built in memory, deterministically (fixed seeds), and kept small: a flood file is
 * dangerous because it is tiny. Only the metadata bombs are megabytes, as their point is size.
 *
 * <p>Expectations hold under {@code Limits.DEFAULTS}.
 */
public final class HostileFiles {
  /**
   * A 24x24 lossy WebP (simple format, one VP8 chunk) made with libvips; ImageIO cannot write WebP.
   */
  private static final byte[] WEBP =
      Base64.getDecoder()
          .decode(
              "UklGRh4BAABXRUJQVlA4IBIBAACQBgCdASoYABgAPxF+tVWsJ6SjKAgBgCIJaQAOcHYDKB4AcSve7GJ84wm3"
                  + "Y7IIqyVw85s5F9hIO/MhzAKAAN4oukGOjaGQCueU4jPp62eyXVtQwiUUZnmPL/1XAjBT55F/qnlFFKPC"
                  + "MZF6XxrS478sfnRGnbMlV/QHsgEwm84L54TefD/70kf3SN0T/oKFTXqSWnG/0TGFcv/vYTMgodkIOlsu"
                  + "gVGcQYHobDclO+jPWIaPt8K3XFTqaH4AgGV0o/kjtT/t3jNMFfFdKif5CUekSHhpKVRPrgTJwz87NzAj"
                  + "r0xhKpUq3RKhZ2bYeQanbLSgpoYJy3AZQBFh0uSAjI8dzKEOanDXBsZJ9eJVcsdgAAAA");

  /** A 1x1 lossless bitstream (a VP8L chunk, made with libvips) for animation frames. */
  private static final byte[] VP8L_1X1 = hex("5650384c0e0000002f00000000071011fd0f4444ff03");

  private HostileFiles() {}

  /** Every hostile file, in a fixed order with unique names. */
  public static List<HostileFile> all() {
    List<HostileFile> files = new ArrayList<>();
    floods(files);
    truncations(files);
    metadata(files);
    refusals(files);
    return List.copyOf(files);
  }

  /** The small ones (at most {@code maxBytes}), e.g. to seed a fuzzer's corpus. */
  public static List<HostileFile> smallerThan(int maxBytes) {
    return all().stream().filter(f -> f.bytes().length <= maxBytes).toList();
  }

  // FM-01: headers that claim far more pixels, frames or scans than the bytes hold.
  private static void floods(List<HostileFile> files) {
    byte[] baseline = jpeg(16, 16, false);
    byte[] progressive = jpeg(8, 8, true);
    add(files, "jpeg-baseline-65500x65500", "FM-01", sof(baseline, 65500, 65500), LIMIT_EXCEEDED);
    add(
        files,
        "jpeg-progressive-65500x65500",
        "FM-01",
        sof(progressive, 65500, 65500),
        LIMIT_EXCEEDED);
    // Under the 50 MP source cap but over the 30 MP progressive cap.
    add(files, "jpeg-progressive-6000x6000", "FM-01", sof(progressive, 6000, 6000), LIMIT_EXCEEDED);
    add(files, "jpeg-dnl-height-0", "FM-01", sof(baseline, 16, 0), CORRUPT_IMAGE);
    add(files, "jpeg-scan-flood-20000", "FM-01", scanFlood(progressive, 20_000), LIMIT_EXCEEDED);

    add(files, "png-ihdr-50000x50000", "FM-01", pngFlood(50_000, 50_000, 4), LIMIT_EXCEEDED);

    add(
        files,
        "gif-frame-65535x65535-on-10x10",
        "FM-01",
        gif(10, 10, 1, 65535, 65535),
        LIMIT_EXCEEDED);
    add(files, "gif-300-frames", "FM-01", gif(1, 1, 300, 1, 1), LIMIT_EXCEEDED);
    // 250 frames of 1 MP each: each frame and the count are fine, frames x pixels is not.
    add(
        files,
        "gif-250-frames-of-1000x1000",
        "FM-01",
        gif(1000, 1000, 250, 1000, 1000),
        LIMIT_EXCEEDED);

    add(files, "webp-vp8x-16383x16383", "FM-01", webpCanvas(16383, 16383), LIMIT_EXCEEDED);
    add(files, "webp-1000-anmf-frames", "FM-01", webpAnimation(1, 1, 1000, 1, 1), LIMIT_EXCEEDED);
    add(
        files,
        "webp-anmf-16384x16384-on-100x100",
        "FM-01",
        webpAnimation(100, 100, 1, 16384, 16384),
        LIMIT_EXCEEDED);

    add(
        files,
        "avif-ispe-100000x100000",
        "FM-01",
        heif("avif", false, 100_000, 100_000),
        LIMIT_EXCEEDED);
    // A 64-bit box size, and the huge ispe after a small (thumbnail) one.
    add(
        files,
        "heic-largesize-ispe-20000x20000",
        "FM-01",
        heif("heic", true, 20_000, 20_000),
        LIMIT_EXCEEDED);

    add(files, "tiff-1000000x1000000", "FM-01", tiffTiled(1_000_000, 1_000_000), LIMIT_EXCEEDED);
  }

  // FM-11: a real file cut inside its header (the probe must notice) or its pixel data (the
  // decoder must, as imgd loads with fail_on=truncated).
  private static void truncations(List<HostileFile> files) {
    byte[] jpeg = jpeg(32, 32, false);
    int sos = markerOffset(jpeg, 0xDA);
    truncate(files, "jpeg", jpeg, 4, CORRUPT_IMAGE); // inside APP0
    truncate(files, "jpeg", jpeg, markerOffset(jpeg, 0xDB) + 10, CORRUPT_IMAGE); // inside DQT
    truncate(files, "jpeg", jpeg, sos, DECODER_MUST_REJECT); // header complete, no scan
    truncate(files, "jpeg", jpeg, sos + (jpeg.length - sos) / 2, DECODER_MUST_REJECT);

    byte[] png = png(32, 32);
    truncate(files, "png", png, 20, CORRUPT_IMAGE); // inside IHDR
    truncate(files, "png", png, 45, DECODER_MUST_REJECT);
    truncate(files, "png", png, png.length / 2, DECODER_MUST_REJECT);

    byte[] gif = gifImage(32, 32);
    truncate(files, "gif", gif, 10, CORRUPT_IMAGE); // inside the logical screen
    truncate(files, "gif", gif, 13 + 3 * 256 + 5, CORRUPT_IMAGE); // inside the first descriptor
    truncate(files, "gif", gif, gif.length / 2, DECODER_MUST_REJECT);

    truncate(files, "webp", WEBP, 16, CORRUPT_IMAGE); // inside the VP8 chunk header
    truncate(files, "webp", WEBP, 26, CORRUPT_IMAGE); // before the frame size
    truncate(files, "webp", WEBP, 200, DECODER_MUST_REJECT);
  }

  // FM-17: metadata that loops, is huge, or leaks.
  private static void metadata(List<HostileFile> files) {
    byte[] jpeg = jpeg(16, 16, false);
    add(files, "jpeg-exif-ifd-loop", "FM-17", insertAfterSoi(jpeg, app1Exif(exifLoop())), CLEAN);
    add(files, "jpeg-exif-gps", "FM-17", insertAfterSoi(jpeg, app1Exif(exifGps())), CLEAN);
    add(files, "jpeg-icc-6mb", "FM-17", insertAfterSoi(jpeg, iccSegments(6 << 20)), LIMIT_EXCEEDED);
    add(
        files,
        "png-xmp-5mb",
        "FM-17",
        pngWithChunk(png(8, 8), "iTXt", xmpText(5 << 20)),
        LIMIT_EXCEEDED);
    add(
        files,
        "png-iccp-zlib-bomb-60mb",
        "FM-17",
        pngWithChunk(png(8, 8), "iCCP", iccpBomb(60 << 20)),
        LIMIT_EXCEEDED);
    // A hundred small zlib bombs: the probe's inflation budget covers them all together.
    add(files, "png-ztxt-100-bombs-of-1mb", "FM-17", pngZtxtFlood(100, 1 << 20), LIMIT_EXCEEDED);
  }

  // Anything not on the allow-list is refused before a decoder's own sniffer can see it.
  private static void refusals(List<HostileFile> files) {
    byte[] html =
        "<html><body><script>alert(1)</script></body></html>".getBytes(StandardCharsets.US_ASCII);
    add(files, "gzip", "FM-01", gzip(jpeg(16, 16, false)), UNSUPPORTED_FORMAT);
    add(
        files,
        "xml-not-svg",
        "FM-01",
        ascii("<?xml version=\"1.0\"?>\n<!-- x -->\n<rss version=\"2.0\"><channel/></rss>"),
        UNSUPPORTED_FORMAT);
    add(files, "html", "FM-01", html, UNSUPPORTED_FORMAT);
    add(
        files,
        "mp4-ftyp-isom",
        "FM-01",
        concat(box("ftyp", ascii("isom\0\0\2\0isomiso2mp41")), box("mdat", new byte[16])),
        UNSUPPORTED_FORMAT);
    add(
        files,
        "riff-avi",
        "FM-01",
        concat(ascii("RIFF"), le32(4 + 8), ascii("AVI LIST"), le32(0)),
        UNSUPPORTED_FORMAT);
    // GIF magic with a script where the first block should be: no image, so corrupt.
    add(
        files,
        "polyglot-gif-html",
        "FM-01",
        concat(ascii("GIF89a"), le16(10), le16(10), new byte[3], html),
        CORRUPT_IMAGE);
    // A valid JPEG with a zip after EOI: decoders stop at EOI and re-encoding drops the payload.
    add(
        files,
        "polyglot-jpeg-zip-trailer",
        "FM-01",
        concat(jpeg(16, 16, false), ascii("PK\3\4\24\0\0\0\0\0"), html),
        CLEAN);
    add(
        files,
        "jpeg-without-sof",
        "FM-11",
        concat(hex("ffd8"), segment(0xDA, hex("010100003f00")), new byte[32], hex("ffd9")),
        CORRUPT_IMAGE);
    add(files, "png-ihdr-not-first", "FM-11", pngIhdrNotFirst(), CORRUPT_IMAGE);
    add(files, "empty", "FM-11", new byte[0], CORRUPT_IMAGE);
    add(files, "zeros-1k", "FM-11", new byte[1024], UNSUPPORTED_FORMAT);
    byte[] random = new byte[4096];
    new Random(20240601L).nextBytes(random);
    add(files, "random-4k", "FM-11", random, UNSUPPORTED_FORMAT);
  }

  private static void add(
      List<HostileFile> files, String name, String fm, byte[] bytes, Expectation e) {
    files.add(new HostileFile(name, fm, bytes, e));
  }

  private static void truncate(
      List<HostileFile> files, String format, byte[] file, int length, Expectation e) {
    add(files, format + "-truncated-at-" + length, "FM-11", Arrays.copyOf(file, length), e);
  }

  // ---- JPEG ----

  /** A JPEG of seeded noise from ImageIO: JFIF, DQT, SOF, DHT, SOS. */
  static byte[] jpeg(int width, int height, boolean progressive) {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    try {
      ImageWriteParam param = writer.getDefaultWriteParam();
      if (progressive) {
        param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
      }
      return write(writer, param, noise(width, height, BufferedImage.TYPE_INT_RGB));
    } finally {
      writer.dispose();
    }
  }

  /** The same JPEG with its frame header claiming another size. */
  private static byte[] sof(byte[] jpeg, int width, int height) {
    byte[] out = jpeg.clone();
    int sof = markerOffset(out, 0xC0);
    if (sof < 0) {
      sof = markerOffset(out, 0xC2);
    }
    put16be(out, sof + 5, height);
    put16be(out, sof + 7, width);
    return out;
  }

  /** Many scans inserted before EOI: each an SOS header and one byte of entropy data. */
  private static byte[] scanFlood(byte[] jpeg, int scans) {
    byte[] scan = concat(segment(0xDA, hex("01010000 0000".replace(" ", ""))), new byte[1]);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(jpeg, 0, jpeg.length - 2);
    for (int i = 0; i < scans; i++) {
      out.writeBytes(scan);
    }
    out.writeBytes(hex("ffd9"));
    return out.toByteArray();
  }

  /** Offset of the first marker {@code 0xFF marker} among the header segments, or -1. */
  private static int markerOffset(byte[] jpeg, int marker) {
    int pos = 2;
    while (pos + 4 <= jpeg.length && (jpeg[pos] & 0xFF) == 0xFF) {
      if ((jpeg[pos + 1] & 0xFF) == marker) {
        return pos;
      }
      pos += 2 + ((jpeg[pos + 2] & 0xFF) << 8 | (jpeg[pos + 3] & 0xFF));
    }
    return -1;
  }

  private static byte[] segment(int marker, byte[] payload) {
    return concat(new byte[] {(byte) 0xFF, (byte) marker}, be16(payload.length + 2), payload);
  }

  private static byte[] insertAfterSoi(byte[] jpeg, byte[] segments) {
    return concat(Arrays.copyOf(jpeg, 2), segments, Arrays.copyOfRange(jpeg, 2, jpeg.length));
  }

  private static byte[] app1Exif(byte[] tiff) {
    return segment(0xE1, concat(ascii("Exif\0\0"), tiff));
  }

  /** ICC_PROFILE APP2 chunks carrying {@code size} bytes in all. */
  private static byte[] iccSegments(int size) {
    int perChunk = 65535 - 2 - 14;
    int count = (size + perChunk - 1) / perChunk;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < count; i++) {
      int n = Math.min(perChunk, size - i * perChunk);
      out.writeBytes(
          segment(
              0xE2,
              concat(
                  ascii("ICC_PROFILE\0"), new byte[] {(byte) (i + 1), (byte) count}, new byte[n])));
    }
    return out.toByteArray();
  }

  /** Little-endian TIFF: IFD0 (orientation 6) whose Exif pointer and next pointer are itself. */
  private static byte[] exifLoop() {
    return concat(
        ascii("II*\0"),
        le32(8),
        le16(2),
        ifdEntry(0x0112, 3, 1, 6), // Orientation
        ifdEntry(0x8769, 4, 1, 8), // Exif IFD -> IFD0
        le32(8)); // next IFD -> IFD0
  }

  /** Little-endian TIFF: IFD0 with a GPS IFD pointer; the GPS IFD says N 52, E 4. */
  private static byte[] exifGps() {
    int gps = 8 + 2 + 2 * 12 + 4;
    int rationals = gps + 2 + 4 * 12 + 4;
    return concat(
        ascii("II*\0"),
        le32(8),
        le16(2),
        ifdEntry(0x0112, 3, 1, 1),
        ifdEntry(0x8825, 4, 1, gps),
        le32(0),
        le16(4),
        ifdEntry(0x0001, 2, 2, 'N'), // GPSLatitudeRef
        ifdEntry(0x0002, 5, 3, rationals), // GPSLatitude
        ifdEntry(0x0003, 2, 2, 'E'), // GPSLongitudeRef
        ifdEntry(0x0004, 5, 3, rationals + 24), // GPSLongitude
        le32(0),
        le32(52),
        le32(1),
        le32(22),
        le32(1),
        le32(0),
        le32(1),
        le32(4),
        le32(1),
        le32(53),
        le32(1),
        le32(0),
        le32(1));
  }

  private static byte[] ifdEntry(int tag, int type, int count, int value) {
    return concat(le16(tag), le16(type), le32(count), le32(value));
  }

  // ---- PNG ----

  static byte[] png(int width, int height) {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
    try {
      return write(
          writer, writer.getDefaultWriteParam(), noise(width, height, BufferedImage.TYPE_INT_RGB));
    } finally {
      writer.dispose();
    }
  }

  /** An 8-bit grey PNG claiming width x height, with {@code rows} real rows of IDAT. */
  private static byte[] pngFlood(int width, int height, int rows) {
    byte[] ihdr = concat(be32(width), be32(height), new byte[] {8, 0, 0, 0, 0});
    byte[] idat = deflate(new byte[width + 1], rows); // filter byte 0, then black
    return concat(ascii("\u0089PNG\r\n\u001a\n"), chunk("IHDR", ihdr), chunk("IDAT", idat));
  }

  private static byte[] pngIhdrNotFirst() {
    byte[] png = png(8, 8);
    byte[] text = chunk("tEXt", ascii("Comment\0first"));
    return concat(Arrays.copyOf(png, 8), text, Arrays.copyOfRange(png, 8, png.length));
  }

  /** The PNG with one more chunk right after IHDR. */
  private static byte[] pngWithChunk(byte[] png, String type, byte[] data) {
    int afterIhdr = 8 + 12 + 13;
    return concat(
        Arrays.copyOf(png, afterIhdr),
        chunk(type, data),
        Arrays.copyOfRange(png, afterIhdr, png.length));
  }

  private static byte[] xmpText(int size) {
    byte[] text = new byte[size];
    Arrays.fill(text, (byte) ' ');
    byte[] head = ascii("<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">");
    System.arraycopy(head, 0, text, 0, head.length);
    return concat(ascii("XML:com.adobe.xmp\0\0\0\0\0"), text);
  }

  /** An iCCP payload whose profile inflates to {@code size} zero bytes. */
  private static byte[] iccpBomb(int size) {
    return concat(ascii("icc\0\0"), deflateZeros(size));
  }

  private static byte[] deflateZeros(int size) {
    int block = 1 << 16;
    return deflate(new byte[block], (size + block - 1) / block);
  }

  /** zlib data of {@code block} repeated {@code times}. */
  private static byte[] deflate(byte[] block, int times) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
    try (DeflaterOutputStream z = new DeflaterOutputStream(out, deflater)) {
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

  private static byte[] pngZtxtFlood(int chunks, int size) {
    byte[] png = png(8, 8);
    byte[] ztxt = chunk("zTXt", concat(ascii("Comment\0\0"), deflateZeros(size)));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(png, 0, 8 + 12 + 13);
    for (int i = 0; i < chunks; i++) {
      out.writeBytes(ztxt);
    }
    out.write(png, 8 + 12 + 13, png.length - (8 + 12 + 13));
    return out.toByteArray();
  }

  private static byte[] chunk(String type, byte[] data) {
    CRC32 crc = new CRC32();
    byte[] typeBytes = ascii(type);
    crc.update(typeBytes);
    crc.update(data);
    return concat(be32(data.length), typeBytes, data, be32((int) crc.getValue()));
  }

  // ---- GIF ----

  /** A GIF from ImageIO: global colour table, one image. */
  static byte[] gifImage(int width, int height) {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
    try {
      return write(
          writer,
          writer.getDefaultWriteParam(),
          noise(width, height, BufferedImage.TYPE_BYTE_INDEXED));
    } finally {
      writer.dispose();
    }
  }

  /** A screen and {@code frames} image descriptors of the given size, each with one LZW block. */
  private static byte[] gif(int screenWidth, int screenHeight, int frames, int width, int height) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(
        concat(
            ascii("GIF89a"),
            le16(screenWidth),
            le16(screenHeight),
            new byte[] {(byte) 0x80, 0, 0}));
    out.writeBytes(new byte[6]); // 2-entry global colour table
    byte[] frame =
        concat(
            new byte[] {0x2C},
            le16(0),
            le16(0),
            le16(width),
            le16(height),
            new byte[] {0, 2, 2, 0x4C, 0x01, 0});
    for (int i = 0; i < frames; i++) {
      out.writeBytes(frame);
    }
    out.write(0x3B);
    return out.toByteArray();
  }

  // ---- WebP ----

  /** The small WebP with both its VP8X canvas and its VP8 frame header claiming the size. */
  private static byte[] webpCanvas(int width, int height) {
    byte[] vp8 = Arrays.copyOfRange(WEBP, 12, WEBP.length);
    vp8[8 + 6] = (byte) width;
    vp8[8 + 7] = (byte) (width >> 8 & 0x3F);
    vp8[8 + 8] = (byte) height;
    vp8[8 + 9] = (byte) (height >> 8 & 0x3F);
    return riff(vp8x(0, width, height), vp8);
  }

  private static byte[] webpAnimation(
      int width, int height, int frames, int frameWidth, int frameHeight) {
    byte[] anmf =
        riffChunk(
            "ANMF",
            concat(
                le24(0),
                le24(0),
                le24(frameWidth - 1),
                le24(frameHeight - 1),
                le24(100),
                new byte[1],
                VP8L_1X1));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(vp8x(0x12, width, height)); // alpha, animation
    out.writeBytes(riffChunk("ANIM", new byte[6]));
    for (int i = 0; i < frames; i++) {
      out.writeBytes(anmf);
    }
    return riff(out.toByteArray());
  }

  private static byte[] vp8x(int flags, int width, int height) {
    return riffChunk(
        "VP8X", concat(new byte[] {(byte) flags, 0, 0, 0}, le24(width - 1), le24(height - 1)));
  }

  private static byte[] riffChunk(String type, byte[] data) {
    return concat(ascii(type), le32(data.length), data, new byte[data.length & 1]);
  }

  private static byte[] riff(byte[]... chunks) {
    byte[] body = concat(chunks);
    return concat(ascii("RIFF"), le32(4 + body.length), ascii("WEBP"), body);
  }

  // ---- HEIF / AVIF, TIFF ----

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

  private static byte[] box(String type, byte[] body) {
    return concat(be32(8 + body.length), ascii(type), body);
  }

  /** A grey tiled TIFF claiming width x height, with one 256x256 tile. */
  private static byte[] tiffTiled(int width, int height) {
    int tile = 8 + 2 + 9 * 12 + 4;
    return concat(
        ascii("II*\0"),
        le32(8),
        le16(9),
        ifdEntry(256, 4, 1, width),
        ifdEntry(257, 4, 1, height),
        ifdEntry(258, 3, 1, 8),
        ifdEntry(259, 3, 1, 1), // no compression
        ifdEntry(262, 3, 1, 1), // black is zero
        ifdEntry(277, 3, 1, 1),
        ifdEntry(322, 3, 1, 256), // TileWidth
        ifdEntry(323, 3, 1, 256), // TileLength
        ifdEntry(324, 4, 1, tile), // TileOffsets: one tile (TileByteCounts omitted)
        le32(0),
        new byte[256 * 256 / 64]);
  }

  // ---- helpers ----

  private static BufferedImage noise(int width, int height, int type) {
    BufferedImage image = new BufferedImage(width, height, type);
    Random random = new Random(42);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        image.setRGB(x, y, random.nextInt(0x1000000));
      }
    }
    return image;
  }

  private static byte[] write(ImageWriter writer, ImageWriteParam param, BufferedImage image) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
      writer.setOutput(ios);
      writer.write(null, new IIOImage(image, null, null), param);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static byte[] gzip(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static byte[] hex(String s) {
    return java.util.HexFormat.of().parseHex(s);
  }

  private static void put16be(byte[] b, int pos, int v) {
    b[pos] = (byte) (v >> 8);
    b[pos + 1] = (byte) v;
  }

  private static byte[] be16(int v) {
    return new byte[] {(byte) (v >> 8), (byte) v};
  }

  private static byte[] be32(int v) {
    return new byte[] {(byte) (v >> 24), (byte) (v >> 16), (byte) (v >> 8), (byte) v};
  }

  private static byte[] be64(long v) {
    return concat(be32((int) (v >> 32)), be32((int) v));
  }

  private static byte[] le16(int v) {
    return new byte[] {(byte) v, (byte) (v >> 8)};
  }

  private static byte[] le24(int v) {
    return new byte[] {(byte) v, (byte) (v >> 8), (byte) (v >> 16)};
  }

  private static byte[] le32(int v) {
    return new byte[] {(byte) v, (byte) (v >> 8), (byte) (v >> 16), (byte) (v >> 24)};
  }
}
