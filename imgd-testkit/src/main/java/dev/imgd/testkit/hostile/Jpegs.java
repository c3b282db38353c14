package dev.imgd.testkit.hostile;

import static dev.imgd.testkit.hostile.Bytes.ascii;
import static dev.imgd.testkit.hostile.Bytes.be16;
import static dev.imgd.testkit.hostile.Bytes.concat;
import static dev.imgd.testkit.hostile.Bytes.hex;
import static dev.imgd.testkit.hostile.Bytes.put16be;
import static dev.imgd.testkit.hostile.HostileFile.Expectation.CLEAN;
import static dev.imgd.testkit.hostile.HostileFile.Expectation.CORRUPT_IMAGE;
import static dev.imgd.testkit.hostile.HostileFile.Expectation.DECODER_MUST_REJECT;
import static dev.imgd.testkit.hostile.HostileFile.Expectation.LIMIT_EXCEEDED;
import static dev.imgd.testkit.hostile.HostileFiles.add;

import dev.imgd.testkit.hostile.HostileFile.Expectation;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;

/** JPEG: SOF floods, scan floods, truncations, APP-segment metadata bombs and loops. */
final class Jpegs {
  private Jpegs() {}

  static void files(List<HostileFile> files) {
    floods(files);
    truncations(files);
    metadata(files);
  }

  // FM-01: headers that claim far more pixels or scans than the bytes hold.
  private static void floods(List<HostileFile> files) {
    byte[] baseline = Samples.jpeg(16, 16, false);
    byte[] progressive = Samples.jpeg(8, 8, true);
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
    // Under every limit (49 MP, one scan): the probe passes it, and the decoder must give up at the
    // end of the 16x16 of data instead of grey-filling 49 MP (FM-11). libvips' fail_on=truncated
    // does not: the data ends at a marker (EOI), which libjpeg only warns about ("premature end of
    // data segment"); fail_on=warning refuses it. A known gap in HostilePipelineTest.
    add(
        files,
        "jpeg-baseline-7000x7000-of-16x16-data",
        "FM-01",
        sof(baseline, 7000, 7000),
        DECODER_MUST_REJECT);
    // The progressive variant at the limits: 29 MP (under the 30 MP progressive cap) and 95 scans
    // (under the 100 scan cap) of one byte each. The same gap: libjpeg warns, libvips grey-fills.
    add(
        files,
        "jpeg-progressive-5400x5400-95-scans",
        "FM-01",
        scanFlood(sof(progressive, 5400, 5400), 85),
        DECODER_MUST_REJECT);
  }

  // FM-11: a real file cut inside its header (the probe must notice) or its pixel data (the
  // decoder must, as imgd loads with fail_on=truncated).
  private static void truncations(List<HostileFile> files) {
    byte[] jpeg = Samples.jpeg(32, 32, false);
    int sos = markerOffset(jpeg, 0xDA);
    truncate(files, jpeg, 4, CORRUPT_IMAGE); // inside APP0
    truncate(files, jpeg, markerOffset(jpeg, 0xDB) + 10, CORRUPT_IMAGE); // inside DQT
    truncate(files, jpeg, sos, DECODER_MUST_REJECT); // header complete, no scan
    truncate(files, jpeg, sos + (jpeg.length - sos) / 2, DECODER_MUST_REJECT);
    // A progressive file cut at many offsets: inside the header, between and inside its scans.
    // The probe reads up to the end of the frame header (SOF2) and finds any shorter cut corrupt;
    // every later cut loses scan data (even the last byte: EOI is half there), so the decoder must
    // reject each one.
    byte[] progressive = Samples.jpeg(48, 48, true);
    int sof = markerOffset(progressive, 0xC2);
    int frameEnd = sof + 2 + ((progressive[sof + 2] & 0xFF) << 8 | (progressive[sof + 3] & 0xFF));
    files.addAll(
        HostileFiles.truncations(
            "jpeg-progressive",
            progressive,
            10,
            cut -> cut.length < frameEnd ? CORRUPT_IMAGE : DECODER_MUST_REJECT));
  }

  private static void truncate(List<HostileFile> files, byte[] file, int length, Expectation e) {
    add(files, "jpeg-truncated-at-" + length, "FM-11", Arrays.copyOf(file, length), e);
  }

  // FM-17: metadata that loops, is huge, or leaks.
  private static void metadata(List<HostileFile> files) {
    byte[] jpeg = Samples.jpeg(16, 16, false);
    // First of the CLEAN files with GPS: MetadataTest takes it as its GPS source.
    add(files, "jpeg-exif-gps", "FM-17", withExif(jpeg, Metadata.exifGps()), CLEAN);
    add(files, "jpeg-exif-ifd-loop", "FM-17", withExif(jpeg, Metadata.exifSelfLoop()), CLEAN);
    add(
        files,
        "jpeg-exif-ifd-cycle-of-two",
        "FM-17",
        withExif(jpeg, Metadata.exifChainLoop()),
        CLEAN);
    add(
        files,
        "jpeg-exif-3000-chained-ifds",
        "FM-17",
        withExif(jpeg, Metadata.exifLongChain(3000)),
        CLEAN);
    add(
        files,
        "jpeg-exif-absurd-counts",
        "FM-17",
        withExif(jpeg, Metadata.exifAbsurdCounts()),
        CLEAN);
    // 70 EXIF segments of 64 KB: each is fine, together they are over the 4 MiB metadata cap.
    byte[] exif = app1Exif(concat(Metadata.exifGps(), new byte[65000]));
    byte[] segments = new byte[exif.length * 70];
    for (int i = 0; i < 70; i++) {
      System.arraycopy(exif, 0, segments, i * exif.length, exif.length);
    }
    add(files, "jpeg-exif-70-segments", "FM-17", insertAfterSoi(jpeg, segments), LIMIT_EXCEEDED);
    add(files, "jpeg-icc-6mb", "FM-17", insertAfterSoi(jpeg, iccSegments(6 << 20)), LIMIT_EXCEEDED);
    add(
        files,
        "jpeg-icc-tag-count-4g",
        "FM-17",
        insertAfterSoi(jpeg, iccSegments(Metadata.iccTagCount4g())),
        CLEAN);
    add(
        files,
        "jpeg-icc-tags-overlap-table",
        "FM-17",
        insertAfterSoi(jpeg, iccSegments(Metadata.iccTagsOverlapTable())),
        CLEAN);
    add(
        files,
        "jpeg-xmp-billion-laughs",
        "FM-17",
        insertAfterSoi(
            jpeg,
            segment(
                0xE1,
                concat(ascii("http://ns.adobe.com/xap/1.0/\0"), Metadata.xmpBillionLaughs()))),
        CLEAN);
  }

  /** The same JPEG with its frame header claiming another size. */
  static byte[] sof(byte[] jpeg, int width, int height) {
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
    byte[] scan = concat(segment(0xDA, hex("010100000000")), new byte[1]);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(jpeg, 0, jpeg.length - 2);
    for (int i = 0; i < scans; i++) {
      out.writeBytes(scan);
    }
    out.writeBytes(hex("ffd9"));
    return out.toByteArray();
  }

  /** Offset of the first marker {@code 0xFF marker} among the header segments, or -1. */
  static int markerOffset(byte[] jpeg, int marker) {
    int pos = 2;
    while (pos + 4 <= jpeg.length && (jpeg[pos] & 0xFF) == 0xFF) {
      if ((jpeg[pos + 1] & 0xFF) == marker) {
        return pos;
      }
      pos += 2 + ((jpeg[pos + 2] & 0xFF) << 8 | (jpeg[pos + 3] & 0xFF));
    }
    return -1;
  }

  static byte[] segment(int marker, byte[] payload) {
    return concat(new byte[] {(byte) 0xFF, (byte) marker}, be16(payload.length + 2), payload);
  }

  static byte[] insertAfterSoi(byte[] jpeg, byte[] segments) {
    return concat(Arrays.copyOf(jpeg, 2), segments, Arrays.copyOfRange(jpeg, 2, jpeg.length));
  }

  static byte[] withExif(byte[] jpeg, byte[] tiff) {
    return insertAfterSoi(jpeg, app1Exif(tiff));
  }

  private static byte[] app1Exif(byte[] tiff) {
    return segment(0xE1, concat(ascii("Exif\0\0"), tiff));
  }

  /** ICC_PROFILE APP2 chunks carrying {@code size} zero bytes in all. */
  private static byte[] iccSegments(int size) {
    return iccSegments(new byte[size]);
  }

  /** ICC_PROFILE APP2 chunks carrying {@code profile}. */
  private static byte[] iccSegments(byte[] profile) {
    int perChunk = 65535 - 2 - 14;
    int count = (profile.length + perChunk - 1) / perChunk;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < count; i++) {
      int from = i * perChunk;
      int to = Math.min(profile.length, from + perChunk);
      out.writeBytes(
          segment(
              0xE2,
              concat(
                  ascii("ICC_PROFILE\0"),
                  new byte[] {(byte) (i + 1), (byte) count},
                  Arrays.copyOfRange(profile, from, to))));
    }
    return out.toByteArray();
  }
}
