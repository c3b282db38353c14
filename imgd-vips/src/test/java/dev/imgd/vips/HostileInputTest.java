package dev.imgd.vips;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgd.testkit.Fixtures;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bad bytes given straight to the libvips loaders: always the typed exception with libvips' reason,
 * never a crash, and never a silently grey-filled image (FM-11).
 */
@Tag("smoke")
class HostileInputTest {
  @BeforeAll
  static void start() {
    TestVips.start();
  }

  private static byte[] decode(String loader, byte[] bytes) {
    VipsOperation load = VipsOperation.of(loader).set("buffer", bytes).set("fail_on", "truncated");
    if (loader.startsWith("gif") || loader.startsWith("webp")) {
      load.set("n", -1); // every frame: a cut in the last frame must be seen
    }
    try (VipsImage img = load.image()) {
      // Decode errors surface when pixels are computed, not at header time.
      try (VipsImage pixels = img.copyMemory()) {
        return VipsOperation.of("pngsave_buffer").in(pixels).bytes();
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"jpegload_buffer", "pngload_buffer", "webpload_buffer", "gifload_buffer"})
  void emptyInputIsATypedError(String loader) {
    assertThatThrownBy(() -> decode(loader, new byte[0])).isInstanceOf(VipsException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"jpegload_buffer", "pngload_buffer", "webpload_buffer", "gifload_buffer"})
  void randomBytesAreATypedError(String loader) {
    byte[] noise = new byte[4096];
    new Random(42).nextBytes(noise);
    assertThatThrownBy(() -> decode(loader, noise))
        .isInstanceOf(VipsException.class)
        .hasMessageContaining(loader);
  }

  @ParameterizedTest
  @ValueSource(strings = {"truncated.jpg:jpegload_buffer", "truncated.png:pngload_buffer"})
  void truncatedFilesAreRejectedNotGreyFilled_FM11(String fileAndLoader) {
    String[] parts = fileAndLoader.split(":");
    assertThatThrownBy(() -> decode(parts[1], Fixtures.bytes(parts[0])))
        .isInstanceOf(VipsException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"animated-loop-3.webp:webpload_buffer", "4.webp:webpload_buffer"})
  void truncatedWebpIsRejected_FM11(String fileAndLoader) {
    String[] parts = fileAndLoader.split(":");
    byte[] whole = Fixtures.bytes(parts[0]);
    byte[] cut = Arrays.copyOf(whole, whole.length * 2 / 3);
    assertThatThrownBy(() -> decode(parts[1], cut)).isInstanceOf(VipsException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"jpegload_buffer", "pngload_buffer", "webpload_buffer", "gifload_buffer"})
  void anotherFormatIsATypedError(String loader) {
    byte[] pdf = "%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n".getBytes();
    assertThatThrownBy(() -> decode(loader, pdf)).isInstanceOf(VipsException.class);
  }

  /**
   * libvips' GIF loader ignores fail_on: a cut GIF loads with its missing frames silently dropped.
   * This pins that behaviour; imgd's pipeline refuses a GIF whose trailer is missing or whose
   * loaded frame count differs from the probe's (FM-11).
   */
  @Test
  void truncatedGifLosesFramesSilentlyInLibvips_FM11() {
    byte[] whole = Fixtures.bytes("animated-loop-3.gif");
    byte[] cut = Arrays.copyOf(whole, whole.length / 2);
    try (VipsImage img =
            VipsOperation.of("gifload_buffer")
                .set("buffer", cut)
                .set("n", -1)
                .set("fail_on", "truncated")
                .image();
        VipsImage pixels = img.copyMemory()) {
      assertThat(pixels.pages()).isLessThan(10);
    }
  }
}
