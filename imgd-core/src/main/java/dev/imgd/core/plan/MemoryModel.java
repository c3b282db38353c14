package dev.imgd.core.plan;

import dev.imgd.core.ImageFormat;
import dev.imgd.core.options.ResizePlan;
import dev.imgd.core.options.Watermark;
import dev.imgd.core.probe.ProbeResult;

/**
 * Estimates the peak native memory of one job, for admission control (FM-16). libvips streams a
 * sequential load through the resize in a window of scanlines, so memory follows the loaded
 * (shrunk) width and the output, not the input (FM-03). The constants were fitted to libvips 8.18's
 * tracked high-water mark and the process's RSS growth (bench/pipeline.sh); the terms:
 *
 * <ul>
 *   <li>the scanline window, in 8-bit, float when premultiplied for alpha, and again when an ICC
 *       transform runs;
 *   <li>whole frames where the decoder or the animation path holds them (GIF, WebP, HEIF,
 *       interlaced PNG; every frame of an animation, several times over while frames are split and
 *       joined);
 *   <li>a progressive JPEG's DCT coefficients for the whole image;
 *   <li>the resized image when it is turned or smart-cropped, the loaded image when the source is
 *       smart-cropped or trimmed;
 *   <li>the encoder's own buffers (mozjpeg's coefficients for optimised Huffman tables, libwebp's
 *       and aom's pictures);
 *   <li>an autoquality search's rendered result and the trial it judges ({@link #autoquality}).
 * </ul>
 */
final class MemoryModel {
  /** Scanlines of the loaded image that libvips holds at once in a sequential pipeline. */
  static final int WINDOW_LINES = 600;

  /** Fixed cost of a job: decoder state, operation objects, encoder tables. */
  static final long BASE = 1L << 20;

  private MemoryModel() {}

  public static long estimate(
      ProbeResult probe, Plan.Load load, ResizePlan g, int frames, Plan.Output output) {
    int bands = Math.max(3, probe.bands()) + (probe.hasAlpha() && probe.bands() < 4 ? 1 : 0);
    long loadedW = (long) Math.ceil(probe.width() * load.scale() / load.shrink());
    long loadedH = (long) Math.ceil(probe.height() * load.scale() / load.shrink());
    long window = loadedW * bands * Math.min(loadedH, WINDOW_LINES);
    long memory = BASE + window;
    if (probe.hasAlpha()) {
      memory += window * 3; // premultiplied float through the resize
    }
    if (probe.iccBytes() > 0
        || "cmyk".equals(probe.colourSpace())
        || "ycck".equals(probe.colourSpace())) {
      memory += window; // lcms works on float rows
    }
    long frame = loadedW * loadedH * bands;
    ImageFormat.Memory decoder = probe.format().memory();
    memory += frame * (probe.progressive() ? decoder.progressiveFrames() : decoder.frames());
    if (probe.progressive()) {
      memory +=
          (long) probe.width() * probe.height() * probe.bands() * decoder.progressiveSourceBytes();
    }
    if (frames > 1) {
      memory += frame * frames * 5; // the strip, its frames, their results, the joined strip
    }
    if (g.preCrop().smart()) {
      memory += frame; // the smart crop of the source renders it whole
    }
    long resized = (long) g.resizedWidth() * g.resizedHeight() * bands;
    if (g.postCrop().smart() || probe.orientation() != 1) {
      memory += resized;
    }
    // An ICO larger than 256x256 is shrunk before its encode: counted at the larger size, a bound.
    long result = (long) g.width() * g.height() * frames;
    int encoder = output.format().memory().encoderBytes();
    memory += encoder > 0 ? result * encoder : result * bands / 8;
    return memory;
  }

  /**
   * The extra memory of an autoquality search: the result rendered once for its several encodes,
   * and for the trial being judged (one at a time) its encoder's buffers, its decoded copy and the
   * float luminance planes DSSIM compares (counted whole: a bound on libvips' tiles of them).
   */
  public static long autoquality(ProbeResult probe, ResizePlan g, int frames, Plan.Output output) {
    int bands = Math.max(3, probe.bands()) + (probe.hasAlpha() && probe.bands() < 4 ? 1 : 0);
    // An ICO larger than 256x256 is shrunk before its encode: counted at the larger size, a bound.
    long result = (long) g.width() * g.height() * frames;
    long encoder = result * output.format().memory().encoderBytes();
    return result * bands * 2 + result * Float.BYTES * 4 + encoder;
  }

  /**
   * The extra memory of a watermark: the watermark rendered at up to the result's size, twice over
   * when turned or shadowed, and its text rendered as RGBA (up to its largest size). Tiled ({@code
   * re}, {@code ch}), one more RGBA layer the result's size: the tile pattern is up to twice the
   * result each way ({@code ch}: four tiles), never rendered whole, and libvips' regions of it, the
   * replicated tiles and their cut, are bounded by the layer they cover.
   */
  public static long watermark(Watermark wm, ResizePlan g) {
    if (!wm.enabled()) {
      return 0;
    }
    long layer = 4L * g.width() * g.height();
    long mark = layer * (wm.rotate() != 0 || wm.shadow() > 0 ? 2 : 1);
    long tiles = wm.position().type().tiles() ? layer : 0;
    long text = wm.text().isEmpty() ? 0 : 4L * Watermark.MAX_TEXT_SIDE * Watermark.MAX_TEXT_SIDE;
    return mark + tiles + text;
  }

  /**
   * A later pass of a chained pipeline: the result of the pass before (oriented, {@code before}'s
   * size) held in memory, frames and all, again when the pass trims it (trim renders its input),
   * its rows through the resize, the resized image (a turn or smart crop renders it) and the pass's
   * result. The encoder's share is counted once, in the first pass's estimate.
   */
  static long laterPass(
      ProbeResult probe, ResizePlan before, ResizePlan g, int frames, boolean trims) {
    int bands = Math.max(3, probe.bands()) + (probe.hasAlpha() && probe.bands() < 4 ? 1 : 0);
    long held = (long) before.width() * before.height() * bands * frames;
    long memory = BASE + held * (trims ? 2 : 1);
    if (probe.hasAlpha()) {
      memory += (long) before.width() * bands * Math.min(before.height(), WINDOW_LINES) * 3;
    }
    if (frames > 1) {
      memory += held * 4; // its frames and their results, as in the first pass
    }
    long resized = (long) g.resizedWidth() * g.resizedHeight() * bands * frames;
    return memory + resized + (long) g.width() * g.height() * bands * frames;
  }

  /** The extra memory of a trimmed job: the whole loaded image is rendered. */
  public static long trim(ProbeResult probe) {
    return (long) probe.width() * probe.height() * Math.max(3, probe.bands());
  }
}
