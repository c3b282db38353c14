package dev.imgd.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgd.core.Imgd;
import dev.imgd.core.options.Options;
import dev.imgd.vips.VipsImage;
import dev.imgd.vips.VipsOperation;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * FM-09: a watermark with transparent, semi-transparent and opaque parts, composited on a flat
 * colour, matches the straight-alpha "over" formula computed here in Java within 1 level; a second
 * run gives the same bytes; a second watermark over the first is the formula applied twice.
 */
@Tag("smoke")
class WatermarkTest {
  private static final int W = 60;
  private static final int H = 20;
  private static final int[] BASE = {200, 100, 50};
  // Three vertical bands: transparent, half transparent, opaque; colour (20, 40, 240).
  private static final int[] ALPHA = {0, 128, 255};
  private static final int[] MARK = {20, 40, 240};

  private static byte[] png(
      int width, int height, int bands, java.util.function.IntUnaryOperator px) {
    byte[] pixels = new byte[width * height * bands];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (byte) px.applyAsInt(i);
    }
    Engines.engine();
    try (VipsImage img = VipsImage.fromPixels(pixels, width, height, bands)) {
      VipsImage srgb =
          bands >= 3
              ? VipsOperation.of("copy").in(img).set("interpretation", "srgb").image()
              : img.share();
      try (srgb) {
        return VipsOperation.of("pngsave_buffer").in(srgb).bytes();
      }
    }
  }

  private static byte[] base() {
    return png(W, H, 3, i -> BASE[i % 3]);
  }

  private static byte[] mark() {
    return png(
        W,
        H,
        4,
        i -> {
          int x = (i / 4) % W;
          int band = i % 4;
          return band == 3 ? ALPHA[x * 3 / W] : MARK[band];
        });
  }

  private static int[] pixel(byte[] png, int x, int y) {
    try (VipsImage img = Engines.decode(png)) {
      byte[] px = img.pixels();
      int at = (y * img.width() + x) * img.bands();
      int step = img.bands() >= 3 ? 1 : 0; // a grey image: its one value three times
      return new int[] {px[at] & 0xff, px[at + step] & 0xff, px[at + 2 * step] & 0xff};
    }
  }

  @Test
  void compositesEdgesLikeTheReferenceAndIsDeterministic_FM09() {
    try (Imgd imgd = Imgd.builder().threads(1).watermark(mark()).build()) {
      Options opts = imgd.parse("wm:1:ce:0:0/f:png");
      byte[] once = imgd.process(base(), opts).bytes();
      assertThat(imgd.process(base(), opts).bytes()).isEqualTo(once);
      byte[] twice = imgd.process(once, opts).bytes();
      for (int band = 0; band < 3; band++) {
        int x = band * W / 3 + W / 6;
        double a = ALPHA[band] / 255.0;
        int[] seen = pixel(once, x, H / 2);
        int[] seenTwice = pixel(twice, x, H / 2);
        for (int c = 0; c < 3; c++) {
          double expected = MARK[c] * a + BASE[c] * (1 - a);
          double expectedTwice = MARK[c] * a + expected * (1 - a);
          assertThat((double) seen[c])
              .as("band %d channel %d", band, c)
              .isCloseTo(expected, org.assertj.core.data.Offset.offset(1.0));
          assertThat((double) seenTwice[c])
              .isCloseTo(expectedTwice, org.assertj.core.data.Offset.offset(1.5));
        }
      }
    }
  }

  /**
   * A coloured watermark on a greyscale image keeps its colour: the grey image became RGB in the
   * composite, and only its first band (the watermark's red) was kept as the grey.
   */
  @Test
  void aColouredWatermarkOnAGreyImageKeepsItsColour() {
    try (Imgd imgd = Imgd.builder().threads(1).watermark(mark()).build()) {
      byte[] grey = png(W, H, 1, i -> 128);
      byte[] out = imgd.process(grey, "wm:1:ce:0:0/f:png").bytes();
      int[] seen = pixel(out, W - 5, H / 2); // the opaque band: the watermark's own colour
      for (int c = 0; c < 3; c++) {
        assertThat((double) seen[c])
            .as("channel %d", c)
            .isCloseTo(MARK[c], org.assertj.core.data.Offset.offset(1.5));
      }
      int[] beside = pixel(out, 5, H / 2); // the transparent band: the grey unchanged
      assertThat(beside).containsExactly(128, 128, 128);
    }
  }

  @Test
  void opacityScalesTheWatermarksAlpha_FM09() {
    try (Imgd imgd = Imgd.builder().threads(1).watermark(mark()).build()) {
      byte[] out = imgd.process(base(), "wm:0.5:ce:0:0/f:png").bytes();
      int[] seen = pixel(out, W - 5, H / 2); // opaque band at half opacity
      for (int c = 0; c < 3; c++) {
        assertThat((double) seen[c])
            .isCloseTo(MARK[c] * 0.5 + BASE[c] * 0.5, org.assertj.core.data.Offset.offset(1.5));
      }
    }
  }
}
