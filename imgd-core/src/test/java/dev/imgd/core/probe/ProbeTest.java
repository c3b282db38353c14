package dev.imgd.core.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImageFormat;
import dev.imgd.core.ImgdException;
import dev.imgd.core.Limits;
import dev.imgd.testkit.Fixtures;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Behaviour of the probe on small hand-made inputs. */
class ProbeTest {

  @Test
  void rejectsNullArguments() {
    assertThatNullPointerException().isThrownBy(() -> Probe.read(null));
    assertThatNullPointerException().isThrownBy(() -> Probe.check(new byte[1], null));
  }

  @Test
  void emptyInputIsCorrupt() { // FM-11
    assertCode(new byte[0], ErrorCode.CORRUPT_IMAGE, "empty input");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'/>",
        "\uFEFF<?xml version='1.0'?>\n<!-- a comment -->\n"
            + "<!DOCTYPE svg [<!ENTITY a 'b'>]>\n<svg>\n</svg>",
        "  \n<svg/>",
      })
  void recognisesSvgWithoutMeasuringIt(String text) {
    ProbeResult p = Probe.check(text.getBytes(StandardCharsets.UTF_8), Limits.DEFAULTS);
    assertThat(p.format()).isEqualTo(ImageFormat.SVG);
    assertThat(p.hasKnownSize()).isFalse();
    assertThat(p.estimatedDecodeBytes()).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"<svgx/>", "<?xml version='1.0'?><html/>", "<!-- <svg> -->", "hello"})
  void refusesOtherText(String text) {
    assertCode(text.getBytes(StandardCharsets.UTF_8), ErrorCode.UNSUPPORTED_FORMAT, null);
  }

  @Test
  void recognisesPdf() {
    ProbeResult p = Probe.check("%PDF-1.7\n".getBytes(StandardCharsets.US_ASCII), Limits.DEFAULTS);
    assertThat(p.format()).isEqualTo(ImageFormat.PDF);
    assertThat(p.width()).isZero();
  }

  @Test
  void readsBigEndianTiff() {
    byte[] tiff =
        hex(
            "4d4d002a00000008" // MM, 42, IFD0 at 8
                + "0004"
                + "0100000300000001 01f40000" // width 500
                + "0101000400000001 000001c2" // height 450
                + "0112000300000001 00030000" // orientation 3
                + "0115000300000001 00040000" // 4 samples
                + "00000000");
    ProbeResult p = Probe.read(tiff);
    assertThat(p.format()).isEqualTo(ImageFormat.TIFF);
    assertThat(p.width()).isEqualTo(500);
    assertThat(p.height()).isEqualTo(450);
    assertThat(p.orientation()).isEqualTo(3);
    assertThat(p.bands()).isEqualTo(4);
  }

  @Test
  void tiffWithoutSizeIsCorrupt() { // FM-11
    assertCode(hex("49492a0008000000 0000 00000000"), ErrorCode.CORRUPT_IMAGE, null);
  }

  @Test
  void heifBrandsDecideTheFormat() {
    assertThat(Probe.read(heif("mif1", "avif")).format()).isEqualTo(ImageFormat.AVIF);
    assertThat(Probe.read(heif("avif", "mif1")).format()).isEqualTo(ImageFormat.AVIF);
    assertThat(Probe.read(heif("heic", "mif1")).format()).isEqualTo(ImageFormat.HEIC);
    assertThat(Probe.read(heif("mif1", "miaf")).format()).isEqualTo(ImageFormat.HEIC);
    assertThat(Probe.read(heif("msf1", "hevc")).format()).isEqualTo(ImageFormat.HEIC);
    assertCode(heif("crx ", "isom"), ErrorCode.UNSUPPORTED_FORMAT, null);
  }

  @Test
  void heifBoxesMayNotOverrunTheirParent() { // FM-11
    byte[] ftyp = box("ftyp", ascii("avif\0\0\0\0avif"));
    byte[] ispe = box("ispe", hex("00000000 00000010 00000010"));
    ispe[3] += 100; // claims more than ipco holds
    byte[] meta = box("meta", concat(new byte[4], box("iprp", box("ipco", ispe))));
    assertCode(concat(ftyp, meta), ErrorCode.CORRUPT_IMAGE, "AVIF box 'ispe' overruns its parent");
  }

  /**
   * The size is the primary item's as displayed (ispe, cropped by clap, turned by irot), not the
   * largest ispe (here another item's); the thumbnail is the item with a 'thmb' reference to it.
   */
  @Test
  void heifPrimaryItemAndThumbnail() {
    byte[] ipco =
        box(
            "ipco",
            concat(
                box("ispe", hex("00000000 00000040 00000040")), // 1: 64x64, coded
                box(
                    "clap",
                    hex("0000003c 00000001 0000002d 00000001 00000000 00000001 00000000 00000001")),
                box("irot", hex("01")), // 3: a quarter turn
                box("ispe", hex("00000000 00000010 0000000c")), // 4: the thumbnail, 16x12
                box("ispe", hex("00000000 000003e8 000003e8")))); // 5: a 1000x1000 depth map
    // item 1: 1, 2 (essential), 3 (essential); item 2: 4; item 3: 5
    byte[] ipma = box("ipma", hex("00000000 00000003 0001 03 01 82 83 0002 01 04 0003 01 05"));
    byte[] iinf =
        box(
            "iinf",
            concat(
                hex("00000000 0003"),
                box("infe", hex("02000000 0001 0000 61763031")),
                box("infe", hex("02000000 0002 0000 61763031")),
                box("infe", hex("02000000 0003 0000 61763031"))));
    byte[] iref = box("iref", concat(hex("00000000"), box("thmb", hex("0002 0001 0001"))));
    byte[] meta =
        box(
            "meta",
            concat(
                new byte[4],
                box("pitm", hex("00000000 0001")),
                iinf,
                iref,
                box("iprp", concat(ipco, ipma))));
    byte[] file = concat(box("ftyp", ascii("avif\0\0\0\0avif")), meta);
    ProbeResult p = Probe.read(file);
    assertThat(p.width()).isEqualTo(45);
    assertThat(p.height()).isEqualTo(60);
    assertThat(p.thumbnail()).isEqualTo(new ProbeResult.Thumbnail(16, 12, "av01"));
    assertThat(p.asThumbnail().width()).isEqualTo(16);
    assertThat(p.asThumbnail().thumbnail()).isNull();
    // FM-01: the largest item stays within the source limits, though the plan sizes the primary.
    assertThatThrownBy(() -> Probe.check(file, Limits.builder().maxSourceSide(999).build()))
        .isInstanceOfSatisfying(
            ImgdException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.LIMIT_EXCEEDED))
        .hasMessageContaining("AVIF item is 1000x1000");
    // Without the item structure, the largest ispe stands.
    assertThat(Probe.read(heif("avif", "mif1")).width()).isEqualTo(32);
    assertThat(Probe.read(heif("avif", "mif1")).thumbnail()).isNull();
  }

  @Test
  void heifNestingIsBounded() { // FM-01: depth, not recursion, is the limit
    byte[] inner = box("ispe", hex("00000000 00000010 00000010"));
    for (int i = 0; i < 20; i++) {
      inner = box("ipco", inner);
    }
    byte[] file =
        concat(box("ftyp", ascii("avif\0\0\0\0avif")), box("meta", concat(new byte[4], inner)));
    assertCode(file, ErrorCode.CORRUPT_IMAGE, "AVIF has boxes nested deeper than 8");
  }

  @Test
  void jpegEntropyDataIsNotMarkers() {
    // SOI, SOF0 8x8 grey, SOS, entropy data with stuffing and RST markers, a second SOS, EOI.
    byte[] jpeg =
        hex(
            "ffd8 ffc0000b08000800080101 1100"
                + "ffda0008010100003f00 12ff0034ffd056ffd7ff00"
                + "ffda0008010100003f00 ffffff0012 ffd9");
    ProbeResult p = Probe.read(jpeg);
    assertThat(p.scans()).isEqualTo(2);
    assertThat(p.bands()).isEqualTo(1);
    assertThat(p.colourSpace()).isEqualTo("grey");
    assertThat(p.progressive()).isFalse();
  }

  @Test
  void jpegWithTwoFramesIsCorrupt() { // FM-01: the second SOF could hide a larger size
    byte[] sof = hex("ffc0000b08000800080101 1100");
    assertCode(
        concat(hex("ffd8"), sof, sof),
        ErrorCode.CORRUPT_IMAGE,
        "JPEG has more than one frame header (SOF)");
  }

  @Test
  void apngLoadsOneFrame() {
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    png.writeBytes(hex("89504e470d0a1a0a"));
    png.writeBytes(chunk("IHDR", hex("00000010 00000010 0806000000")));
    png.writeBytes(chunk("acTL", hex("000003e8 00000000"))); // 1000 frames
    png.writeBytes(chunk("IEND", new byte[0]));
    ProbeResult p = Probe.check(png.toByteArray(), Limits.DEFAULTS);
    assertThat(p.animated()).isTrue();
    assertThat(p.frames()).isEqualTo(1);
    assertThat(p.hasAlpha()).isTrue();
  }

  @Test
  void pngTrnsAddsAlpha() {
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    png.writeBytes(hex("89504e470d0a1a0a"));
    png.writeBytes(chunk("IHDR", hex("00000010 00000010 0803000000")));
    png.writeBytes(chunk("tRNS", hex("00")));
    ProbeResult p = Probe.read(png.toByteArray());
    assertThat(p.hasAlpha()).isTrue();
    assertThat(p.bands()).isEqualTo(4);
  }

  @Test
  void gifCanvasCoversEveryFrame() { // FM-01: not the logical screen
    byte[] gif =
        hex(
            "474946383961 0a000a00 000000" // 10x10 screen, no colour table
                + "2c 0000 0000 0a00 0a00 00 02 02 4c01 00" // frame at 0,0 10x10
                + "2c 6400 c800 0a00 0a00 00 02 02 4c01 00" // frame at 100,200 10x10
                + "3b");
    ProbeResult p = Probe.read(gif);
    assertThat(p.width()).isEqualTo(110);
    assertThat(p.height()).isEqualTo(210);
    assertThat(p.frames()).isEqualTo(2);
  }

  @Test
  void readsJpegXlCodestreamsAndContainers() {
    // libvips 8.14 (libjxl 0.7) wrote both: a bare codestream, RGB and RGBA.
    ProbeResult rgb = Probe.read(Fixtures.bytes("landscape-1.jxl"));
    assertThat(rgb.format()).isEqualTo(ImageFormat.JXL);
    assertThat(rgb.width() + "x" + rgb.height()).isEqualTo("300x225");
    assertThat(rgb.hasAlpha()).isFalse();
    ProbeResult rgba = Probe.read(Fixtures.bytes("with-alpha.jxl"));
    assertThat(rgba.width() + "x" + rgba.height()).isEqualTo("100x75");
    assertThat(rgba.hasAlpha()).isTrue();
    // The same codestream in the ISO-BMFF container, after an ftyp box, as cjxl writes it.
    byte[] codestream = Fixtures.bytes("landscape-1.jxl");
    ByteArrayOutputStream boxed = new ByteArrayOutputStream();
    boxed.writeBytes(hex("0000000c 4a584c20 0d0a870a"));
    boxed.writeBytes(hex("00000014 66747970 6a786c20 00000000 6a786c20"));
    boxed.writeBytes(hex("%08x 6a786c63".formatted(codestream.length + 8)));
    boxed.writeBytes(codestream);
    ProbeResult contained = Probe.read(boxed.toByteArray());
    assertThat(contained.format()).isEqualTo(ImageFormat.JXL);
    assertThat(contained.width() + "x" + contained.height()).isEqualTo("300x225");
  }

  @Test
  void jpegXlOverTheLimitsOrCutIsRefused() { // FM-01, FM-11
    // SizeHeader not small, height selector 3 (1 + 30 bits all set), ratio 1: a 2^30 px square;
    // then all_default metadata.
    byte[] huge = hex("ff0a fe ff ff ff 13");
    ImgdException e =
        catchThrowableOfType(ImgdException.class, () -> Probe.check(huge, Limits.DEFAULTS));
    assertThat(e.code()).isEqualTo(ErrorCode.LIMIT_EXCEEDED);
    assertCode(hex("ff0a"), ErrorCode.CORRUPT_IMAGE, null);
    assertCode(hex("0000000c 4a584c20 0d0a870a 00000008 66747970"), ErrorCode.CORRUPT_IMAGE, null);
  }

  @Test
  void estimatedDecodeBytesSaturates() {
    ProbeResult huge =
        new ProbeResult(
            ImageFormat.TIFF,
            Integer.MAX_VALUE,
            Integer.MAX_VALUE,
            1000,
            1,
            false,
            0,
            0,
            0,
            0,
            false,
            false,
            false,
            16,
            65535,
            "unknown",
            0,
            null);
    assertThat(huge.estimatedDecodeBytes()).isEqualTo(Long.MAX_VALUE);
  }

  private static void assertCode(byte[] data, ErrorCode code, String message) {
    assertThatThrownBy(() -> Probe.check(data, Limits.DEFAULTS))
        .isInstanceOfSatisfying(ImgdException.class, e -> assertThat(e.code()).isEqualTo(code))
        .satisfies(e -> {
          if (message != null) {
            assertThat(e).hasMessage(message);
          }
        });
  }

  private static byte[] heif(String major, String compatible) {
    byte[] ftyp = box("ftyp", concat(ascii(major), new byte[4], ascii(compatible)));
    byte[] ispe = box("ispe", hex("00000000 00000020 00000010"));
    return concat(ftyp, box("meta", concat(new byte[4], box("iprp", box("ipco", ispe)))));
  }

  static byte[] box(String type, byte[] body) {
    return concat(hex("%08x".formatted(body.length + 8)), ascii(type), body);
  }

  static byte[] chunk(String type, byte[] data) {
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(ascii(type));
    crc.update(data);
    return concat(
        hex("%08x".formatted(data.length)),
        ascii(type),
        data,
        hex("%08x".formatted(crc.getValue())));
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  static byte[] hex(String s) {
    return HexFormat.of().parseHex(s.replace(" ", ""));
  }
}
