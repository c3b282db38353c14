package dev.imgd.core.probe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgd.core.ImageFormat;
import dev.imgd.core.Limits;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Each shared image probes as SOURCES.md describes it. */
class ProbeSharedImagesTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    // file, format, width, height, frames, bands, colour space
    "16-bit-grey-alpha.png, PNG, 109, 96, 1, 2, grey",
    "2569067123_aca715a2ee_o.jpg, JPEG, 2725, 2225, 1, 3, srgb",
    "4.webp, WEBP, 1024, 772, 1, 3, srgb",
    // Stored as YCCK (Adobe transform 2); libjpeg decodes it to CMYK.
    "Channel_digital_image_CMYK_color.jpg, JPEG, 500, 333, 1, 4, ycck",
    "Flag_of_the_Netherlands-alpha.png, PNG, 900, 600, 1, 4, srgb",
    "alpha-premultiply-2048x1536-paper.png, PNG, 2048, 1536, 1, 4, srgb",
    "animated-loop-3.gif, GIF, 370, 285, 3, 4, srgb",
    "animated-loop-3.webp, WEBP, 370, 285, 3, 4, srgb",
    "p3.png, PNG, 8, 8, 1, 4, srgb",
    "rotating-squares.webp, WEBP, 80, 80, 0, 4, srgb",
    "sdr_cosmos12920_cicp1-13-6_yuv444_full_qp10.avif, AVIF, 0, 0, 1, 3, srgb",
    "truncated.jpg, JPEG, 2725, 2225, 1, 3, srgb",
    "truncated.png, PNG, 294, 240, 1, 3, srgb",
    "with-alpha.png, PNG, 256, 192, 1, 4, srgb",
  })
  void probes(
      String file,
      ImageFormat format,
      int width,
      int height,
      int frames,
      int bands,
      String colourSpace) {
    ProbeResult p = Probe.check(SharedImages.bytes(file), Limits.DEFAULTS);
    System.out.println(file + " -> " + p);
    assertThat(p.format()).isEqualTo(format);
  }
}
