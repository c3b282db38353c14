package dev.imgd.testkit.hostile;

import static dev.imgd.testkit.hostile.Bytes.ascii;
import static dev.imgd.testkit.hostile.Bytes.be16;
import static dev.imgd.testkit.hostile.Bytes.be32;
import static dev.imgd.testkit.hostile.Bytes.concat;
import static dev.imgd.testkit.hostile.Bytes.gzip;
import static dev.imgd.testkit.hostile.Bytes.hex;
import static dev.imgd.testkit.hostile.Bytes.le16;
import static dev.imgd.testkit.hostile.Bytes.le32;
import static dev.imgd.testkit.hostile.HostileFile.Expectation.CLEAN;
import static dev.imgd.testkit.hostile.HostileFile.Expectation.CORRUPT_IMAGE;
import static dev.imgd.testkit.hostile.HostileFile.Expectation.ISOLATED_REFUSES;
import static dev.imgd.testkit.hostile.HostileFile.Expectation.TOO_LARGE;
import static dev.imgd.testkit.hostile.HostileFile.Expectation.UNSUPPORTED_FORMAT;
import static dev.imgd.testkit.hostile.HostileFiles.add;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Data that is not an accepted image (FM-20: only allow-listed magic numbers reach a decoder, so
 * the loaders of every other format stay unreachable), polyglots (FM-20: a second format hidden in
 * an image never survives re-encoding), garbage (FM-11) and an oversized source (FM-02).
 */
final class Others {
  static final String HTML = "<html><body><script>alert(1)</script></body></html>";

  private Others() {}

  static void files(List<HostileFile> files) {
    refusals(files);
    polyglots(files);
    add(
        files,
        "jpeg-without-sof",
        "FM-11",
        concat(hex("ffd8"), Jpegs.segment(0xDA, hex("010100003f00")), new byte[32], hex("ffd9")),
        CORRUPT_IMAGE);
    add(files, "empty", "FM-11", new byte[0], CORRUPT_IMAGE);
    add(files, "zeros-1k", "FM-11", new byte[1024], UNSUPPORTED_FORMAT);
    byte[] random = new byte[4096];
    new Random(20240601L).nextBytes(random);
    add(files, "random-4k", "FM-11", random, UNSUPPORTED_FORMAT);
    // FM-02: a fine 16x16 JPEG padded after EOI to one byte over the 50 MiB source cap.
    add(
        files,
        "jpeg-50mib-plus-1-byte",
        "FM-02",
        Arrays.copyOf(Samples.jpeg(16, 16, false), (50 << 20) + 1),
        TOO_LARGE);
  }

  // Formats with loaders in libvips (or its ImageMagick fallback) that imgd never exposes.
  private static void refusals(List<HostileFile> files) {
    add(files, "gzip", "FM-20", gzip(Samples.jpeg(16, 16, false)), UNSUPPORTED_FORMAT);
    add(
        files,
        "svgz-gzip",
        "FM-20",
        gzip(ascii("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1\" height=\"1\"/>")),
        UNSUPPORTED_FORMAT);
    add(
        files,
        "xml-not-svg",
        "FM-20",
        ascii("<?xml version=\"1.0\"?>\n<!-- x -->\n<rss version=\"2.0\"><channel/></rss>"),
        UNSUPPORTED_FORMAT);
    add(files, "html", "FM-20", ascii(HTML), UNSUPPORTED_FORMAT);
    add(
        files,
        "mp4-ftyp-isom",
        "FM-20",
        concat(
            Heifs.box("ftyp", ascii("isom\0\0\2\0isomiso2mp41")), Heifs.box("mdat", new byte[16])),
        UNSUPPORTED_FORMAT);
    add(
        files,
        "cr3-ftyp-crx",
        "FM-20",
        concat(Heifs.box("ftyp", ascii("crx \0\0\0\1crx isom")), Heifs.box("mdat", new byte[16])),
        UNSUPPORTED_FORMAT);
    add(
        files,
        "riff-avi",
        "FM-20",
        concat(ascii("RIFF"), le32(4 + 8), ascii("AVI LIST"), le32(0)),
        UNSUPPORTED_FORMAT);
    add(
        files,
        "bmp-1x1",
        "FM-20",
        concat(
            ascii("BM"),
            le32(58),
            le32(0),
            le32(54),
            le32(40),
            le32(1),
            le32(1),
            le16(1),
            le16(24),
            new byte[24],
            new byte[4]),
        CLEAN); // imgd's own BMP codec reads it
    add(
        files,
        "ico-1x1",
        "FM-20",
        concat(hex("000001000100"), hex("0101000001002000"), le32(40), le32(22), new byte[40]),
        UNSUPPORTED_FORMAT);
    add(
        files,
        "psd-1x1",
        "FM-20",
        concat(ascii("8BPS"), be16(1), new byte[6], be16(3), be32(1), be32(1), be16(8), be16(3)),
        UNSUPPORTED_FORMAT);
    add(
        files,
        "jp2-signature",
        "FM-20",
        concat(hex("0000000c6a5020200d0a870a"), Heifs.box("ftyp", ascii("jp2 \0\0\0\0jp2 "))),
        UNSUPPORTED_FORMAT);
    add(
        files,
        "j2k-codestream",
        "FM-20",
        hex("ff4fff51002f000000000001000000010000"),
        UNSUPPORTED_FORMAT);
    // JPEG XL is read by the system's libvips only, in its worker pool: a header with no image
    // after it (256x341) must be refused there; a container with no codestream by the probe.
    add(files, "jxl-codestream", "FM-20", hex("ff0a7f00904c040800"), ISOLATED_REFUSES);
    add(files, "jxl-container", "FM-11", hex("0000000c4a584c200d0a870a"), CORRUPT_IMAGE);
    add(files, "ppm-1x1", "FM-20", ascii("P6\n1 1\n255\n\0\0\0"), UNSUPPORTED_FORMAT);
    add(
        files,
        "pfm-1x1",
        "FM-20",
        concat(ascii("PF\n1 1\n-1.0\n"), new byte[12]),
        UNSUPPORTED_FORMAT);
    add(files, "fits-1x1", "FM-20", fits(), UNSUPPORTED_FORMAT);
    add(
        files,
        "vips-native-header",
        "FM-20",
        concat(hex("08f2a6b6"), le32(1), le32(1), le32(1), new byte[52]),
        UNSUPPORTED_FORMAT);
    add(
        files,
        "radiance-1x1",
        "FM-20",
        concat(ascii("#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y 1 +X 1\n"), new byte[4]),
        UNSUPPORTED_FORMAT);
    add(
        files,
        "exr-header",
        "FM-20",
        concat(hex("762f3101"), le32(2), new byte[32]),
        UNSUPPORTED_FORMAT);
    add(
        files,
        "matlab-header",
        "FM-20",
        Arrays.copyOf(ascii("MATLAB 5.0 MAT-file, hostile"), 128),
        UNSUPPORTED_FORMAT);
    add(
        files,
        "dicom-header",
        "FM-20",
        concat(new byte[128], ascii("DICM"), new byte[16]),
        UNSUPPORTED_FORMAT);
    add(
        files,
        "bigtiff-header",
        "FM-20",
        concat(ascii("II+\0"), le16(8), le16(0), new byte[8]),
        UNSUPPORTED_FORMAT);
    // JPEG-LS (SOF55) behind a JPEG SOI: no frame header libjpeg knows.
    add(
        files,
        "jpeg-ls-sof55",
        "FM-20",
        concat(
            hex("ffd8"),
            Jpegs.segment(0xF7, hex("0800010001010111")),
            Jpegs.segment(0xDA, hex("0101000000")),
            new byte[16],
            hex("ffd9")),
        CORRUPT_IMAGE);
  }

  private static void polyglots(List<HostileFile> files) {
    // GIF magic with a script where the first block should be: no image, so corrupt.
    add(
        files,
        "polyglot-gif-html",
        "FM-20",
        concat(ascii("GIF89a"), le16(10), le16(10), new byte[3], ascii(HTML)),
        CORRUPT_IMAGE);
    // GIF89a/*...*/=alert(1); is also JavaScript: the width is "/*" (10799), the script follows
    // the trailer. A valid 10799x10 image; re-encoding drops the script.
    byte[] gif = Gifs.gif(10, 10, 1, 0, 1, 1);
    gif[6] = '/';
    gif[7] = '*';
    add(files, "polyglot-gif-js", "FM-20", concat(gif, ascii("*/=alert(1);")), CLEAN);
    // A valid JPEG with a zip after EOI: decoders stop at EOI and re-encoding drops the payload.
    byte[] jpeg = Samples.jpeg(16, 16, false);
    add(
        files,
        "polyglot-jpeg-zip-trailer",
        "FM-20",
        concat(jpeg, ascii("PK\3\4\24\0\0\0\0\0"), ascii(HTML)),
        CLEAN);
    add(
        files,
        "polyglot-jpeg-html-comment",
        "FM-20",
        Jpegs.insertAfterSoi(jpeg, Jpegs.segment(0xFE, ascii(HTML))),
        CLEAN);
    add(
        files,
        "polyglot-jpeg-pdf-comment",
        "FM-20",
        Jpegs.insertAfterSoi(
            jpeg,
            Jpegs.segment(
                0xFE,
                ascii(
                    "%PDF-1.4\n1 0 obj << /Type /Catalog /OpenAction << /S /JavaScript /JS"
                        + " (app.alert(1)) >> >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"))),
        CLEAN);
    add(files, "polyglot-png-html-trailer", "FM-20", concat(Samples.png(8, 8), ascii(HTML)), CLEAN);
  }

  /** A FITS primary header of 80-column cards, padded to 2880 bytes, and one data block. */
  private static byte[] fits() {
    StringBuilder s = new StringBuilder();
    for (String card :
        new String[] {
          "SIMPLE  =                    T",
          "BITPIX  =                    8",
          "NAXIS   =                    2",
          "NAXIS1  =                    1",
          "NAXIS2  =                    1",
          "END"
        }) {
      s.append(String.format("%-80s", card));
    }
    return concat(Arrays.copyOf(ascii(s.toString()), 2880), new byte[2880]);
  }
}
