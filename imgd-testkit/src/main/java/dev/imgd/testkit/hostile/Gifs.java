package dev.imgd.testkit.hostile;

import static dev.imgd.testkit.hostile.Bytes.ascii;
import static dev.imgd.testkit.hostile.Bytes.concat;
import static dev.imgd.testkit.hostile.Bytes.le16;
import static dev.imgd.testkit.hostile.HostileFile.Expectation.CLEAN;
import static dev.imgd.testkit.hostile.HostileFile.Expectation.CORRUPT_IMAGE;
import static dev.imgd.testkit.hostile.HostileFile.Expectation.DECODER_MUST_REJECT;
import static dev.imgd.testkit.hostile.HostileFile.Expectation.LIMIT_EXCEEDED;
import static dev.imgd.testkit.hostile.HostileFiles.add;

import dev.imgd.testkit.hostile.HostileFile.Expectation;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;

/** GIF: frame descriptors beyond the screen, frame floods, canvas floods, truncations. */
final class Gifs {
  private Gifs() {}

  static void files(List<HostileFile> files) {
    add(
        files,
        "gif-frame-65535x65535-on-10x10",
        "FM-01",
        gif(10, 10, 1, 0, 65535, 65535),
        LIMIT_EXCEEDED);
    // A 1x1 frame placed at (8000, 8000): the canvas a decoder allocates is 8001x8001 (64 MP).
    add(
        files,
        "gif-frame-at-8000x8000-on-10x10",
        "FM-01",
        gif(10, 10, 1, 8000, 1, 1),
        LIMIT_EXCEEDED);
    add(files, "gif-screen-65535x65535", "FM-01", gif(65535, 65535, 1, 0, 1, 1), LIMIT_EXCEEDED);
    // Under the limits: a 7000x7000 screen (49 MP) holding one 1x1 frame, a canvas bomb.
    add(files, "gif-screen-7000x7000-of-1x1", "FM-01", gif(7000, 7000, 1, 0, 1, 1), CLEAN);
    add(files, "gif-300-frames", "FM-01", gif(1, 1, 300, 0, 1, 1), LIMIT_EXCEEDED);
    // 250 frames of 1 MP each: each frame and the count are fine, frames x pixels is not.
    add(
        files,
        "gif-250-frames-of-1000x1000",
        "FM-01",
        gif(1000, 1000, 250, 0, 1000, 1000),
        LIMIT_EXCEEDED);

    byte[] gif = Samples.gif(32, 32);
    truncate(files, gif, 10, CORRUPT_IMAGE); // inside the logical screen
    truncate(files, gif, 13 + 3 * 256 + 5, CORRUPT_IMAGE); // inside the first descriptor
    truncate(files, gif, gif.length / 2, DECODER_MUST_REJECT);
  }

  private static void truncate(List<HostileFile> files, byte[] file, int length, Expectation e) {
    add(files, "gif-truncated-at-" + length, "FM-11", Arrays.copyOf(file, length), e);
  }

  /**
   * A screen and {@code frames} image descriptors at (offset, offset) of the given size, each with
   * one LZW block.
   */
  static byte[] gif(
      int screenWidth, int screenHeight, int frames, int offset, int width, int height) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(
        concat(
            ascii("GIF89a"),
            le16(screenWidth),
            le16(screenHeight),
            new byte[] {(byte) 0x80, 0, 0}));
    out.writeBytes(new byte[6]); // 2-entry global colour table
    byte[] frame =
        concat(
            new byte[] {0x2C},
            le16(offset),
            le16(offset),
            le16(width),
            le16(height),
            new byte[] {0, 2, 2, 0x4C, 0x01, 0});
    for (int i = 0; i < frames; i++) {
      out.writeBytes(frame);
    }
    out.write(0x3B);
    return out.toByteArray();
  }
}
