package dev.imgd.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import dev.imgd.testkit.Fixtures;
import dev.imgd.vips.VipsImage;
import dev.imgd.vips.VipsOperation;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Regression: libvips 8.14's icc_transform clipped a 16-bit alpha band to 255 instead of scaling
 * it, so a mostly transparent 16-bit PNG came out mostly opaque. imgd scales 16-bit to 8-bit itself
 * before any colour work; the smoke run on 8.14 keeps this honest.
 */
@Tag("smoke")
class SixteenBitAlphaTest {
  @Test
  void sixteenBitAlphaIsScaledNotClipped() {
    byte[] source = Fixtures.bytes("16-bit-grey-alpha.png");
    double sourceAlpha;
    Engines.engine();
    try (VipsImage in = VipsOperation.of("pngload_buffer").set("buffer", source).image();
        VipsImage alpha = VipsOperation.of("extract_band").in(in).set("band", 1).image();
        var avg = VipsOperation.of("avg").in(alpha).call("out")) {
      sourceAlpha = avg.doubleValue("out") / 257;
    }
    byte[] out = Engines.engine().process(source, "f:png").bytes();
    try (VipsImage result = Engines.decode(out);
        VipsImage alpha =
            VipsOperation.of("extract_band").in(result).set("band", result.bands() - 1).image();
        var avg = VipsOperation.of("avg").in(alpha).call("out")) {
      assertThat(avg.doubleValue("out")).isCloseTo(sourceAlpha, offset(1.0));
    }
  }
}
