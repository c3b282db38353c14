package dev.imgd.core.pipeline;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImageFormat;
import dev.imgd.core.ImgdException;
import dev.imgd.core.probe.Probe;
import dev.imgd.core.probe.ProbeResult;

/**
 * Checks an encoded result before anyone sees it: not empty, the magic of the format asked for, the
 * dimensions planned (FM-11). The check reads the header with imgd's own probe, so it costs
 * microseconds and trusts nothing of the encoder.
 */
public final class Verifier {
  private Verifier() {}

  public static void verify(byte[] bytes, ImageFormat format, int width, int height, int frames) {
    if (bytes == null || bytes.length == 0) {
      throw invalid("the encoder returned no bytes");
    }
    ProbeResult seen;
    try {
      seen = Probe.read(bytes);
    } catch (ImgdException e) {
      throw invalid("the encoded " + format + " does not parse: " + e.getMessage());
    }
    if (seen.format() != format) {
      throw invalid("asked for " + format + ", the encoder wrote " + seen.format());
    }
    // The GIF probe reports the canvas of all frames; other formats one frame.
    if (!sameSize(format, seen, width, height)) {
      throw invalid(
          "planned "
              + width
              + "x"
              + height
              + ", the encoder wrote "
              + seen.width()
              + "x"
              + seen.height());
    }
    // GIF and WebP savers merge identical consecutive frames (their delays add up): fewer frames
    // are fine, more are not.
    if (frames > 1 && (seen.frames() < 1 || seen.frames() > frames)) {
      throw invalid("planned " + frames + " frames, the encoder wrote " + seen.frames());
    }
  }

  /**
   * The planned size, or for a libheif codec the size its coded image rounds it up to: HEVC codes
   * whole blocks of up to 64 px, and the probe reads the largest image spatial extent, the coded
   * one (64x64 for a 64x48 image), not the cropped primary image.
   */
  private static boolean sameSize(ImageFormat format, ProbeResult seen, int width, int height) {
    if (seen.width() == width && seen.height() == height) {
      return true;
    }
    return format.has(ImageFormat.Trait.CODEC_PLUGIN)
        && seen.width() >= width
        && seen.height() >= height
        && seen.width() <= roundUp64(width)
        && seen.height() <= roundUp64(height);
  }

  private static int roundUp64(int n) {
    return (n + 63) / 64 * 64;
  }

  private static ImgdException invalid(String why) {
    return new ImgdException(ErrorCode.OUTPUT_INVALID, "output failed verification: " + why);
  }
}
