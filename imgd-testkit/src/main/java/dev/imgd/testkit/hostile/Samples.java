package dev.imgd.testkit.hostile;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/** Small valid images of seeded noise, written by ImageIO: the raw material of most attacks. */
final class Samples {
  private Samples() {}

  /** A JPEG: JFIF, DQT, SOF, DHT, SOS (baseline or progressive). */
  static byte[] jpeg(int width, int height, boolean progressive) {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    try {
      ImageWriteParam param = writer.getDefaultWriteParam();
      if (progressive) {
        param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
      }
      return write(writer, param, noise(width, height, BufferedImage.TYPE_INT_RGB));
    } finally {
      writer.dispose();
    }
  }

  /** An RGB PNG. */
  static byte[] png(int width, int height) {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
    try {
      return write(
          writer, writer.getDefaultWriteParam(), noise(width, height, BufferedImage.TYPE_INT_RGB));
    } finally {
      writer.dispose();
    }
  }

  /** A GIF: global colour table, one image. */
  static byte[] gif(int width, int height) {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
    try {
      return write(
          writer,
          writer.getDefaultWriteParam(),
          noise(width, height, BufferedImage.TYPE_BYTE_INDEXED));
    } finally {
      writer.dispose();
    }
  }

  private static BufferedImage noise(int width, int height, int type) {
    BufferedImage image = new BufferedImage(width, height, type);
    Random random = new Random(42);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        image.setRGB(x, y, random.nextInt(0x1000000));
      }
    }
    return image;
  }

  private static byte[] write(ImageWriter writer, ImageWriteParam param, BufferedImage image) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
      writer.setOutput(ios);
      writer.write(null, new IIOImage(image, null, null), param);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
