package dev.imgd.core.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImageFormat;
import dev.imgd.core.ImgdException;
import dev.imgd.core.Limits;
import dev.imgd.testkit.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Each shared image probes as SOURCES.md (checked against libvips) describes it. */
class ProbeFixturesTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    // file, format, width, height, frames, bands, colour space, bits
    "16-bit-grey-alpha.png, PNG, 109, 96, 1, 2, grey, 16",
    "2569067123_aca715a2ee_o.jpg, JPEG, 2725, 2225, 1, 3, srgb, 8",
    "4.webp, WEBP, 1024, 772, 1, 3, srgb, 8",
    // Stored as YCCK (Adobe transform 2); libjpeg decodes it to CMYK, which libvips reports.
    "Channel_digital_image_CMYK_color.jpg, JPEG, 500, 333, 1, 4, ycck, 8",
    "Flag_of_the_Netherlands-alpha.png, PNG, 900, 600, 1, 4, srgb, 2",
    "alpha-premultiply-2048x1536-paper.png, PNG, 2048, 1536, 1, 4, srgb, 8",
    // "loop-3" is the loop count: both animations have 10 frames (libvips n-pages agrees).
    "animated-loop-3.gif, GIF, 370, 285, 10, 4, srgb, 8",
    "animated-loop-3.webp, WEBP, 370, 285, 10, 4, srgb, 8",
    "p3.png, PNG, 8, 8, 1, 4, srgb, 8",
    "prophoto.png, PNG, 1, 1, 1, 3, srgb, 8",
    "rotating-squares.webp, WEBP, 80, 80, 9, 4, srgb, 8",
    "sdr_cosmos12920_cicp1-13-6_yuv444_full_qp10.avif, AVIF, 2048, 858, 1, 3, srgb, 8",
    "truncated.jpg, JPEG, 2725, 2225, 1, 3, srgb, 8",
    "truncated.png, PNG, 294, 240, 1, 3, srgb, 8",
    "with-alpha.png, PNG, 256, 192, 1, 4, srgb, 8",
  })
  void probes(
      String file,
      ImageFormat format,
      int width,
      int height,
      int frames,
      int bands,
      String colourSpace,
      int bits) {
    ProbeResult p = Probe.check(Fixtures.bytes(file), Limits.DEFAULTS);
    assertThat(p.format()).isEqualTo(format);
    assertThat(p.width()).isEqualTo(width);
    assertThat(p.height()).isEqualTo(height);
    assertThat(p.frames()).isEqualTo(frames);
    assertThat(p.animated()).isEqualTo(frames > 1);
    assertThat(p.bands()).isEqualTo(bands);
    assertThat(p.colourSpace()).isEqualTo(colourSpace);
    assertThat(p.bitsPerSample()).isEqualTo(bits);
    assertThat(p.orientation()).isEqualTo(1);
    assertThat(p.hasGps()).isFalse();
  }

  /**
   * HEIF's size is the primary item's as libvips reports it: heif-enc stores 300x225 as a grid over
   * a 300x226 coded tile (HEVC codes even heights), the thumbnail as a grid over a 64x64 tile.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "landscape-1.heic, HEIC, ,",
    "landscape-1-thumbnail.heic, HEIC, 64x48, grid",
    "landscape-1-thumbnail.avif, AVIF, 64x48, av01",
  })
  void probesTheHeifPrimaryItemAndItsThumbnail(
      String file, ImageFormat format, String thumbnail, String codec) {
    ProbeResult p = Probe.check(Fixtures.bytes(file), Limits.DEFAULTS);
    assertThat(p.format()).isEqualTo(format);
    assertThat(p.width()).isEqualTo(300);
    assertThat(p.height()).isEqualTo(225);
    if (thumbnail == null) {
      assertThat(p.thumbnail()).isNull();
    } else {
      String[] size = thumbnail.split("x", -1);
      assertThat(p.thumbnail())
          .isEqualTo(
              new ProbeResult.Thumbnail(
                  Integer.parseInt(size[0]), Integer.parseInt(size[1]), codec));
    }
  }

  @ParameterizedTest(name = "Landscape_{0}.jpg")
  @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
  void readsExifOrientation(int orientation) {
    ProbeResult p =
        Probe.check(Fixtures.bytes("Landscape_" + orientation + ".jpg"), Limits.DEFAULTS);
    assertThat(p.orientation()).isEqualTo(orientation);
    assertThat(p.width()).isEqualTo(orientation <= 4 ? 600 : 450);
    assertThat(p.exifBytes()).isPositive();
  }

  @Test
  void measuresMetadata() {
    ProbeResult cmyk = Probe.read(Fixtures.bytes("Channel_digital_image_CMYK_color.jpg"));
    assertThat(cmyk.iccBytes()).isEqualTo(557_168); // 20 APP2 chunks
    assertThat(cmyk.exifBytes()).isPositive();
    assertThat(cmyk.xmpBytes()).isPositive();
    assertThat(Probe.read(Fixtures.bytes("p3.png")).iccBytes()).isPositive();
    assertThat(Probe.read(Fixtures.bytes("16-bit-grey-alpha.png")).estimatedDecodeBytes())
        .isEqualTo(109L * 96 * 2 * 2);
    assertThat(Probe.read(Fixtures.bytes("animated-loop-3.gif")).estimatedDecodeBytes())
        .isEqualTo(370L * 285 * 4 * 10);
  }

  @Test
  void truncatedFilesStillProbe() { // FM-11: libvips rejects them later, fail_on=truncated
    assertThat(Probe.check(Fixtures.bytes("truncated.jpg"), Limits.DEFAULTS).pixels())
        .isEqualTo(2725L * 2225);
    assertThat(Probe.check(Fixtures.bytes("truncated.png"), Limits.DEFAULTS).pixels())
        .isEqualTo(294L * 240);
  }

  @Test
  void corruptHeaderIsCorrupt() { // FM-11
    // An APP1 (EXIF) segment that claims 9544 bytes in a 1024-byte file: no SOF is ever reached.
    assertThatThrownBy(() -> Probe.read(Fixtures.bytes("corrupt-header.jpg")))
        .isInstanceOfSatisfying(
            ImgdException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CORRUPT_IMAGE))
        .hasMessage("JPEG ends before its frame header (SOF)");
  }

  @Test
  void tighterLimitsApply() { // FM-01, FM-17
    byte[] gif = Fixtures.bytes("animated-loop-3.gif");
    assertThatThrownBy(() -> Probe.check(gif, Limits.builder().maxFrames(9).build()))
        .hasMessage("GIF has 10 frames, over the 9 frame limit");
    byte[] cmyk = Fixtures.bytes("Channel_digital_image_CMYK_color.jpg");
    assertThatThrownBy(() -> Probe.check(cmyk, Limits.builder().maxMetadataBytes(100_000).build()))
        .hasMessage("ICC profile is 557168 bytes, over the 100000 byte metadata limit");
    byte[] jpeg = Fixtures.bytes("2569067123_aca715a2ee_o.jpg");
    assertThatThrownBy(() -> Probe.check(jpeg, Limits.builder().maxSourcePixels(6_000_000).build()))
        .hasMessage("JPEG is 2725x2225 (6063125 px), over the 6000000 px limit");
  }
}
