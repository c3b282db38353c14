package dev.imgd.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgd.core.probe.Probe;
import dev.imgd.testkit.Fixtures;
import dev.imgd.testkit.hostile.HostileFile;
import dev.imgd.testkit.hostile.HostileFiles;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** FM-17: metadata is stripped by default, GPS never survives, ICC is gone after sRGB. */
@Tag("smoke")
class MetadataTest {
  private static byte[] gpsJpeg() {
    return HostileFiles.all().stream()
        .filter(
            f -> f.expected() == HostileFile.Expectation.CLEAN && Probe.read(f.bytes()).hasGps())
        .findFirst()
        .orElseThrow()
        .bytes();
  }

  @ParameterizedTest
  @ValueSource(strings = {"f:jpg", "sm:0/f:jpg", "sm:0/f:webp", "sm:0/f:png"})
  void gpsNeverSurvives_FM17(String options) {
    byte[] source = gpsJpeg();
    assertThat(Probe.read(source).hasGps()).isTrue();
    byte[] out = Engines.engine().process(source, options).bytes();
    var probe = Probe.read(out);
    assertThat(probe.hasGps()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"Landscape_6.jpg", "Channel_digital_image_CMYK_color.jpg", "p3.png"})
  void strippedByDefault_FM17(String name) {
    byte[] out = Engines.engine().process(Fixtures.bytes(name), "w:50").bytes();
    var probe = Probe.read(out);
    assertThat(probe.exifBytes()).isZero();
    assertThat(probe.xmpBytes()).isZero();
    assertThat(probe.iccBytes()).isZero();
    assertThat(probe.orientation()).isEqualTo(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"sm:0/scp:0/w:50/f:jpg"})
  void keptOnRequestWithTheSrgbProfile(String options) {
    byte[] out =
        Engines.engine()
            .process(Fixtures.bytes("Channel_digital_image_CMYK_color.jpg"), options)
            .bytes();
    var probe = Probe.read(out);
    assertThat(probe.iccBytes()).as("the sRGB profile the image was converted to").isPositive();
    assertThat(probe.colourSpace()).isEqualTo("srgb");
  }

  @org.junit.jupiter.api.Test
  void copyrightIsKeptWhenAskedAndOnlyIt() {
    Engines.engine();
    byte[] source;
    try (var img = Engines.decode(gpsJpeg());
        var copy = dev.imgd.vips.VipsOperation.of("copy").in(img).image()) {
      copy.setStringField("exif-ifd0-Copyright", "(c) imgd tests");
      source = dev.imgd.vips.VipsOperation.of("jpegsave_buffer").in(copy).bytes();
    }
    byte[] kept = Engines.engine().process(source, "kcr:1/w:40/f:jpg").bytes();
    byte[] dropped = Engines.engine().process(source, "kcr:0/w:40/f:jpg").bytes();
    assertThat(new String(kept, java.nio.charset.StandardCharsets.ISO_8859_1))
        .contains("(c) imgd tests");
    assertThat(Probe.read(kept).hasGps()).isFalse();
    assertThat(Probe.read(dropped).exifBytes()).isZero();
  }
}
