package dev.imgd.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.imgd.testkit.Fixtures;
import dev.imgd.vips.VipsImage;
import dev.imgd.vips.VipsOperation;
import org.junit.jupiter.api.Test;

/**
 * preserve_hdr through the steps that paint: a 16-bit image with a 16-bit alpha stays 16-bit with
 * its alpha unscaled, and padding, a background and a watermark are painted at 16 bits (an 8-bit
 * value or an 8-bit opaque alpha on a 16-bit image would be 257 times too dark).
 */
class PreserveHdrTest {
  private static final byte[] SOURCE = Fixtures.bytes("16-bit-grey-alpha.png");

  @Test
  void alphaKeepsItsSixteenBits() {
    byte[] out = Engines.engine().process(SOURCE, "ph:1/f:png").bytes();
    try (VipsImage result = Engines.decode(out);
        VipsImage source = Engines.decode(SOURCE)) {
      assertThat(result.format()).isEqualTo("ushort");
      // its grey ICC profile goes to sRGB through the profile, as at 8 bits
      assertThat(result.interpretation()).isEqualTo("rgb16");
      assertThat(mean(result, result.bands() - 1)).isCloseTo(mean(source, 1), within(1.0));
    }
  }

  @Test
  void paddingAndBackgroundAreSixteenBit() {
    byte[] out = Engines.engine().process(SOURCE, "ph:1/pd:4/bg:808080/f:png").bytes();
    try (VipsImage result = Engines.decode(out);
        VipsImage corner =
            VipsOperation.of("extract_area")
                .set("input", result)
                .set("left", 0)
                .set("top", 0)
                .set("width", 2)
                .set("height", 2)
                .image()) {
      assertThat(result.format()).isEqualTo("ushort");
      assertThat(mean(corner, 0)).isEqualTo(0x80 * 257.0);
    }
  }

  @Test
  void watermarkIsPaintedAtSixteenBits() {
    byte[] white;
    Engines.engine();
    try (VipsImage black =
            VipsOperation.of("black").set("width", 200).set("height", 200).set("bands", 3).image();
        VipsImage lit =
            VipsOperation.of("linear").in(black).set("a", 1.0).set("b", 65535.0).image();
        VipsImage cast = VipsOperation.of("cast").in(lit).set("format", "ushort").image();
        VipsImage rgb16 =
            VipsOperation.of("copy").in(cast).set("interpretation", "rgb16").image()) {
      white = VipsOperation.of("pngsave_buffer").in(rgb16).bytes();
    }
    byte[] marked = Engines.engine().process(white, "ph:1/wm:1/f:png").bytes();
    try (VipsImage b = Engines.decode(marked)) {
      assertThat(b.format()).isEqualTo("ushort");
      assertThat(b.interpretation()).isEqualTo("rgb16");
      // the watermark darkens the white image by a visible amount, not by 1/257 of one
      assertThat(65535 - mean(b, 0)).isGreaterThan(500);
    }
  }

  private static double mean(VipsImage img, int band) {
    try (VipsImage one = VipsOperation.of("extract_band").in(img).set("band", band).image();
        var avg = VipsOperation.of("avg").in(one).call("out")) {
      return avg.doubleValue("out");
    }
  }
}
