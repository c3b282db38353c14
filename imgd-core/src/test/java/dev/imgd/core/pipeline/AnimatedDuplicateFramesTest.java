package dev.imgd.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgd.core.Imgd;
import dev.imgd.testkit.Fixtures;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Animated output whose consecutive frames come out identical: libvips' GIF and WebP savers merge
 * them, and a valid request must still succeed (found by imgd soak, docs/reliability.md).
 */
class AnimatedDuplicateFramesTest {
  @ParameterizedTest
  @ValueSource(strings = {"webp", "gif"})
  void smartCropOfAnAnimationSucceeds(String format) {
    Imgd.Result r =
        Engines.engine()
            .process(Fixtures.bytes("animated-loop-3.gif"), "rs:fill:100:100/g:sm/f:" + format);
    assertThat(r.width()).isEqualTo(100);
    assertThat(r.frames()).isBetween(1, 10);
  }

  @ParameterizedTest
  @ValueSource(strings = {"webp", "gif"})
  void aGifWithTwoIdenticalFramesConverts(String format) throws Exception {
    Imgd.Result r = Engines.engine().process(gifWithDuplicateFrame(), "rs:fit:32:0/f:" + format);
    assertThat(r.width()).isEqualTo(32);
    assertThat(r.frames()).isBetween(2, 3);
  }

  /** Three 64x64 frames written by ImageIO, the first two identical. */
  private static byte[] gifWithDuplicateFrame() throws Exception {
    BufferedImage red = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
    BufferedImage blue = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 64; y++) {
      for (int x = 0; x < 64; x++) {
        red.setRGB(x, y, 0xff0000 | (x * 4));
        blue.setRGB(x, y, 0x0000ff | (y << 10));
      }
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ImageWriter w = ImageIO.getImageWritersByFormatName("gif").next();
    try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
      w.setOutput(out);
      w.prepareWriteSequence(null);
      for (BufferedImage f : new BufferedImage[] {red, red, blue}) {
        w.writeToSequence(new IIOImage(f, null, null), null);
      }
      w.endWriteSequence();
    } finally {
      w.dispose();
    }
    return bytes.toByteArray();
  }
}
