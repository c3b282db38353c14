package dev.imgd.core.plan;

import dev.imgd.core.ImageFormat;
import dev.imgd.core.options.ResizePlan;
import dev.imgd.core.probe.ProbeResult;

/**
 * Estimates the peak native memory of one job, for admission control (FM-16). libvips streams a
 * sequential load through the resize a few scanlines at a time, so memory follows the output, not
 * the input (FM-03), with three exceptions modelled here: a progressive JPEG holds every DCT
 * coefficient of the whole image; PNG, GIF and HEIF decode whole frames; and a turned or
 * smart-cropped image is rendered to memory at its resized size.
 */
public final class MemoryModel {
  /** Scanline buffers of the sequential pipeline, in lines of the loaded image. */
  static final int WINDOW_LINES = 256;

  /** Fixed cost of a job: decoder state, operation objects, encoder tables. */
  static final long BASE = 2L << 20;

  private MemoryModel() {}

  public static long estimate(
      ProbeResult probe, Plan.Load load, ResizePlan g, int frames, Plan.Output output) {
    int bands = Math.max(3, probe.bands());
    long loadedW = ceilDiv(probe.width(), load.shrink());
    long loadedH = ceilDiv(probe.height(), load.shrink());
    long decode;
    if (probe.format() == ImageFormat.JPEG) {
      // Progressive: libjpeg keeps 2-byte coefficients for the whole image at full resolution.
      decode =
          probe.progressive()
              ? (long) probe.width() * probe.height() * probe.bands() * 2
              : loadedW * Math.min(loadedH, WINDOW_LINES) * bands;
    } else if (probe.format() == ImageFormat.WEBP) {
      decode = loadedW * loadedH * bands * frames; // libwebp decodes whole frames
    } else {
      decode = (long) probe.width() * probe.height() * bands * Math.max(1, frames);
    }
    long resized = (long) g.resizedWidth() * g.resizedHeight() * bands * 4; // float when alpha
    long result = (long) g.width() * g.height() * bands * frames;
    long encoded = output.format() == ImageFormat.AVIF ? result * 3 : result / 2;
    return BASE + decode + Math.min(resized, result * 4L) + result + encoded;
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }
}
