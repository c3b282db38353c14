package dev.imgd.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The one place that finds the project's test images: {@code test-images/} at the root of the
 * checkout (see its SOURCES.md). Each module's tests run in that module's folder, so the root is
 * found by walking up from the working directory; nothing outside the checkout is read.
 */
public final class Fixtures {
  /** The folder at the root of the checkout, and the file that marks it. */
  static final String FOLDER = "test-images";

  private static final String MARKER = "SOURCES.md";

  private static volatile Path images;

  private Fixtures() {}

  /** The test images folder, absolute. */
  public static Path images() {
    Path found = images;
    if (found == null) {
      found = find(Path.of("").toAbsolutePath());
      images = found;
    }
    return found;
  }

  /** The path of one test image; it must exist. */
  public static Path image(String name) {
    Path file = images().resolve(name);
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("no test image " + name + " in " + images());
    }
    return file;
  }

  /** The bytes of one test image. */
  public static byte[] bytes(String name) {
    try {
      return Files.readAllBytes(image(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Path find(Path start) {
    for (Path dir = start; dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve(FOLDER);
      if (Files.isRegularFile(candidate.resolve(MARKER))) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "no " + FOLDER + "/" + MARKER + " in " + start + " or any folder above it");
  }

  /**
   * imgproxy's testdata/bmp-invalid-bpp.bmp (TestBMPUnsupportedBitDepthRejected), rebuilt: a BMP
   * 512 wide at bit depth 40, whose rows once overran a decoder's buffer.
   */
  public static byte[] invalidBitDepthBmp() {
    byte[] bmp = new byte[2614];
    ByteBuffer b = ByteBuffer.wrap(bmp).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 'B').put((byte) 'M').putInt(2614).putInt(0).putInt(54);
    b.putInt(40).putInt(512).putInt(1).putShort((short) 1).putShort((short) 40);
    for (int i = 54; i < bmp.length; i++) {
      bmp[i] = (byte) (i - 54);
    }
    return bmp;
  }
}
