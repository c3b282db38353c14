package dev.imgd.testkit.hostile;

import static dev.imgd.testkit.hostile.Bytes.ascii;
import static dev.imgd.testkit.hostile.Bytes.be32;
import static dev.imgd.testkit.hostile.Bytes.concat;
import static dev.imgd.testkit.hostile.Bytes.le16;
import static dev.imgd.testkit.hostile.Bytes.le32;

import java.io.ByteArrayOutputStream;

/**
 * Metadata payloads shared by the formats (FM-17): EXIF TIFF structures with loops and absurd
 * counts, ICC profiles whose tag table lies, and XML entity bombs.
 */
final class Metadata {
  private Metadata() {}

  /** Little-endian TIFF: IFD0 (orientation 6) whose Exif pointer and next pointer are itself. */
  static byte[] exifSelfLoop() {
    return concat(
        ascii("II*\0"),
        le32(8),
        le16(2),
        ifdEntry(0x0112, 3, 1, 6), // Orientation
        ifdEntry(0x8769, 4, 1, 8), // Exif IFD -> IFD0
        le32(8)); // next IFD -> IFD0
  }

  /**
   * Little-endian TIFF: IFD0 (orientation 3) chains to IFD1, whose next pointer and GPS pointer
   * lead back to IFD0, and IFD0's Exif pointer leads to IFD1: a cycle of two that a check for an
   * IFD pointing to itself misses.
   */
  static byte[] exifChainLoop() {
    int ifd1 = 8 + 2 + 2 * 12 + 4;
    return concat(
        ascii("II*\0"),
        le32(8),
        le16(2),
        ifdEntry(0x0112, 3, 1, 3),
        ifdEntry(0x8769, 4, 1, ifd1),
        le32(ifd1),
        le16(2),
        ifdEntry(0x0112, 3, 1, 8),
        ifdEntry(0x8825, 4, 1, 8), // GPS IFD -> IFD0
        le32(8));
  }

  /**
   * Little-endian TIFF: {@code count} chained IFDs of one entry each, the last ending the chain.
   */
  static byte[] exifLongChain(int count) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(ascii("II*\0"));
    out.writeBytes(le32(8));
    int size = 2 + 12 + 4;
    for (int i = 0; i < count; i++) {
      out.writeBytes(le16(1));
      out.writeBytes(ifdEntry(0x0112, 3, 1, 1 + i % 8));
      out.writeBytes(le32(i + 1 < count ? 8 + (i + 1) * size : 0));
    }
    return out.toByteArray();
  }

  /**
   * Little-endian TIFF whose counts lie: an ASCII entry of 2^32-1 bytes at an offset past the end,
   * a LONG array of 2^30 entries, and an Exif IFD that claims 65535 entries in 14 bytes.
   */
  static byte[] exifAbsurdCounts() {
    int exif = 8 + 2 + 4 * 12 + 4;
    return concat(
        ascii("II*\0"),
        le32(8),
        le16(4),
        ifdEntry(0x010F, 2, -1, 0x7FFFFFF0), // Make: 4 GB of ASCII
        ifdEntry(0x0112, 3, 1, 1),
        ifdEntry(0x0111, 4, 1 << 30, 16), // StripOffsets: 2^30 LONGs
        ifdEntry(0x8769, 4, 1, exif),
        le32(0),
        le16(0xFFFF),
        ifdEntry(0x9003, 2, 20, 0));
  }

  /** Little-endian TIFF: IFD0 with a GPS IFD pointer; the GPS IFD says N 52, E 4. */
  static byte[] exifGps() {
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

  static byte[] ifdEntry(int tag, int type, int count, int value) {
    return concat(le16(tag), le16(type), le32(count), le32(value));
  }

  /**
   * An RGB display ICC profile (v2 header) whose tag table claims 2^32-1 tags in a 144-byte
   * profile.
   */
  static byte[] iccTagCount4g() {
    return icc(-1, new int[][] {{0x64657363, 0, 144}}, 144); // 'desc' covering the whole profile
  }

  /**
   * An RGB display ICC profile whose tags all point into the header and the tag table itself, with
   * sizes past the end of the profile: every tag overlaps every other and the table.
   */
  static byte[] iccTagsOverlapTable() {
    String[] sigs = {"desc", "wtpt", "rXYZ", "gXYZ", "bXYZ", "rTRC", "gTRC", "bTRC", "cprt"};
    int[][] tags = new int[sigs.length][];
    int size = 128 + 4 + 12 * sigs.length;
    for (int i = 0; i < sigs.length; i++) {
      byte[] s = ascii(sigs[i]);
      int sig = (s[0] & 0xFF) << 24 | (s[1] & 0xFF) << 16 | (s[2] & 0xFF) << 8 | (s[3] & 0xFF);
      tags[i] = new int[] {sig, i % 2 == 0 ? 128 : 0, i % 3 == 0 ? -16 : size};
    }
    return icc(sigs.length, tags, size);
  }

  private static byte[] icc(int declaredTags, int[][] tags, int declaredSize) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(be32(declaredSize));
    out.writeBytes(ascii("lcms"));
    out.writeBytes(be32(0x02100000)); // version 2.1
    out.writeBytes(ascii("mntrRGB XYZ "));
    out.writeBytes(new byte[12]); // date
    out.writeBytes(ascii("acsp"));
    out.writeBytes(new byte[4 + 4 + 4 + 4 + 8 + 4]); // platform .. rendering intent
    out.writeBytes(concat(be32(0xF6D6), be32(0x10000), be32(0xD32D))); // D50
    out.writeBytes(new byte[4 + 16 + 28]); // creator, id, reserved
    out.writeBytes(be32(declaredTags));
    for (int[] tag : tags) {
      out.writeBytes(concat(be32(tag[0]), be32(tag[1]), be32(tag[2])));
    }
    byte[] profile = out.toByteArray();
    return declaredSize > profile.length
        ? concat(profile, new byte[declaredSize - profile.length])
        : profile;
  }

  /**
   * An internal DTD subset of ten entities, each ten of the previous one: {@code &lol9;} expands to
   * 10^9 copies of "lol" (3 GB).
   */
  static String billionLaughsDtd(String root) {
    StringBuilder s = new StringBuilder("<!DOCTYPE ").append(root).append(" [\n");
    s.append("  <!ENTITY lol0 \"lol\">\n");
    for (int i = 1; i <= 9; i++) {
      s.append("  <!ENTITY lol").append(i).append(" \"");
      s.append(("&lol" + (i - 1) + ";").repeat(10)).append("\">\n");
    }
    return s.append("]>\n").toString();
  }

  /** An XMP packet whose DTD is a billion laughs, used in the title. */
  static byte[] xmpBillionLaughs() {
    return ascii(
        "<?xpacket begin=\"\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n"
            + billionLaughsDtd("x:xmpmeta")
            + "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF"
            + " xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\""
            + " xmlns:dc=\"http://purl.org/dc/elements/1.1/\">"
            + "<rdf:Description rdf:about=\"\" dc:format=\"&lol9;\"/></rdf:RDF></x:xmpmeta>\n"
            + "<?xpacket end=\"w\"?>");
  }
}
