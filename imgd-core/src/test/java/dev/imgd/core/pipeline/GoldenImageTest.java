package dev.imgd.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgd.core.ImageFormat;
import dev.imgd.core.Imgd;
import dev.imgd.core.probe.Probe;
import dev.imgd.testkit.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * FM-21: one golden image per operation family, compared by perceptual distance (mean CIEDE2000 at
 * most {@value #MAX_MEAN_DELTA_E}), not by bytes, so an upgrade that changes output visibly fails
 * and one that changes only rounding passes. Goldens were made by imgd on libvips 8.18 and looked
 * at; refresh with -Dimgd.golden.update=true after checking the new output by eye.
 */
@Tag("smoke")
class GoldenImageTest {
  static final double MAX_MEAN_DELTA_E = 1.5;
  static final double MAX_MEAN_DELTA_E_AVIF = 3.0;
  private static final Path GOLDEN = Path.of("src", "test", "resources", "golden");

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "fit            | 2569067123_aca715a2ee_o.jpg          | rs:fit:200:200/f:png",
        "fill-gravity   | 2569067123_aca715a2ee_o.jpg          | rs:fill:120:160/g:no/f:png",
        "fill-smart     | 2569067123_aca715a2ee_o.jpg          | rs:fill:150:150/g:sm/f:png",
        "crop           | 2569067123_aca715a2ee_o.jpg          | c:800:600:soea/rs:fit:160:0/f:png",
        "extend         | Landscape_1.jpg                      | rs:fit:160:160/ex:1:so/bg:3366cc/f:png",
        "padding        | with-alpha.png                       | w:100/pd:10:20/f:png",
        "rotate-flip    | Landscape_3.jpg                      | rot:90/fl:1:0/w:90/f:png",
        "blur           | 4.webp                               | w:160/bl:3/f:png",
        "sharpen        | 4.webp                               | w:160/sh:1.5/f:png",
        "pixelate       | 4.webp                               | w:160/pix:10/f:png",
        "trim           | Flag_of_the_Netherlands-alpha.png    | t:10/w:120/f:png",
        "watermark      | 2569067123_aca715a2ee_o.jpg          | w:200/wm:0.7:soea:8:8:0.3/f:png",
        "webp-out       | alpha-premultiply-2048x1536-paper.png | w:180/f:webp",
        "avif-out       | 2569067123_aca715a2ee_o.jpg          | w:180/f:avif",
        "gif-out        | with-alpha.png                       | w:120/f:gif",
        "cmyk-to-srgb   | Channel_digital_image_CMYK_color.jpg | w:160/f:png",
        "p3-to-srgb     | p3.png                               | f:png",
        "prophoto-srgb  | prophoto.png                         | f:png",
        "grey16-alpha   | 16-bit-grey-alpha.png                | w:80/f:png",
        "premultiplied  | alpha-premultiply-2048x1536-paper.png | w:200/f:png",
      })
  void matchesGolden_FM21(String name, String source, String options) throws IOException {
    Imgd.Result result = Engines.engine().process(Fixtures.bytes(source.strip()), options.strip());
    Path golden = GOLDEN.resolve(name.strip() + "." + result.format().extension());
    if (Boolean.getBoolean("imgd.golden.update") || !Files.exists(golden)) {
      Files.createDirectories(GOLDEN);
      Files.write(golden, result.bytes());
      assertThat(Boolean.getBoolean("imgd.golden.update"))
          .as("golden %s was missing and has been written; check it by eye and commit it", golden)
          .isTrue();
    }
    byte[] expected = Files.readAllBytes(golden);
    var want = Probe.read(expected);
    assertThat(result.width()).isEqualTo(want.width());
    assertThat(result.height()).isEqualTo(want.height());
    // AVIF goes through whichever aom the build has: 8.14's differs by about 2.3.
    double limit = result.format() == ImageFormat.AVIF ? MAX_MEAN_DELTA_E_AVIF : MAX_MEAN_DELTA_E;
    assertThat(Engines.meanDeltaE(result.bytes(), expected))
        .as("mean CIEDE2000 against %s", golden)
        .isLessThanOrEqualTo(limit);
  }
}
