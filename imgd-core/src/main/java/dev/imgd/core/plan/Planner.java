package dev.imgd.core.plan;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImageFormat;
import dev.imgd.core.ImgdException;
import dev.imgd.core.Limits;
import dev.imgd.core.options.Geometry;
import dev.imgd.core.options.Options;
import dev.imgd.core.options.ResizePlan;
import dev.imgd.core.probe.ProbeResult;
import java.util.Set;

/**
 * Resolves options and a probed header into a {@link Plan}: the input is accepted or refused, the
 * output format chosen and checked against what the loaded libvips can write, the geometry computed
 * (imgproxy's rules), the result checked against the limits, the shrink-on-load factor chosen, and
 * the memory estimated. Pure Java: it touches no pixel.
 */
public final class Planner {
  private final Limits limits;
  private final Set<ImageFormat> readable;
  private final Set<ImageFormat> writable;
  private final boolean lenient;

  /**
   * @param limits what imgd agrees to decode and produce
   * @param readable input formats this engine accepts (what the loaded libvips reads and the
   *     configuration allows)
   * @param writable output formats the loaded libvips can write
   * @param lenient accept truncated input (grey-filled) instead of refusing it
   */
  public Planner(
      Limits limits, Set<ImageFormat> readable, Set<ImageFormat> writable, boolean lenient) {
    this.limits = limits;
    this.readable = Set.copyOf(readable);
    this.writable = Set.copyOf(writable);
    this.lenient = lenient;
  }

  /** Refuses an input format the engine does not read (UNSUPPORTED_FORMAT). */
  public void checkReadable(ImageFormat input) {
    if (!readable.contains(input)) {
      throw new ImgdException(
          ErrorCode.UNSUPPORTED_FORMAT,
          input
              + " input is not accepted by this engine"
              + (input.isVector()
                  ? " (SVG and PDF are handled only by isolated workers with a libvips that reads"
                      + " them)"
                  : input
                      .buildNeeds()
                      .map(n -> " (it needs " + n + "; see imgd doctor)")
                      .orElse(" (the loaded libvips cannot read it; see imgd doctor)")));
    }
  }

  public Plan plan(ProbeResult probe, Options options) {
    checkReadable(probe.format());
    ImageFormat format = outputFormat(probe, options);
    boolean animate =
        probe.animated()
            && probe.frames() > 1
            && format.has(ImageFormat.Trait.ANIMATION)
            && !options.input().disableAnimation();
    int orientation = options.autoRotate() ? probe.orientation() : 1;
    boolean swap = (orientation >= 5) ^ (options.rotate() % 180 == 90);
    int width = swap ? probe.height() : probe.width();
    int height = swap ? probe.width() : probe.height();
    ResizePlan geometry = Geometry.plan(options, width, height, probe.orientation(), false, 0);
    Plan.ResultLimit resultLimit =
        new Plan.ResultLimit(limits.maxResultSide(), limits.maxResultPixels());
    resultLimit.check(geometry);
    int frames = animate ? probe.frames() : 1;
    Plan.Load load =
        new Plan.Load(
            shrinkOnLoad(probe, options, geometry),
            Math.max(0, options.input().page()),
            animate ? -1 : 1,
            !lenient,
            probe.format().isVector() ? vectorScale(probe, geometry) : 1);
    int quality = options.qualityFor(format);
    if (quality <= 0) {
      quality = format.defaultQuality();
    }
    Plan.Output output =
        new Plan.Output(
            format,
            Math.min(100, quality),
            options.metadata().stripMetadata(),
            options.metadata().stripColorProfile(),
            options.output().maxBytes());
    long memory =
        MemoryModel.estimate(probe, load, geometry, frames, output)
            + (options.crop().trim().enabled() ? MemoryModel.trim(probe) : 0);
    return new Plan(
        options, probe.format(), orientation, load, geometry, output, frames, memory, resultLimit);
  }

  private ImageFormat outputFormat(ProbeResult probe, Options options) {
    ImageFormat wanted =
        options
            .format()
            .orElseGet(() ->
                probe.format().isOutput() && writable.contains(probe.format())
                    ? probe.format()
                    : ImageFormat.fallbackOutput(probe.hasAlpha()));
    if (wanted.has(ImageFormat.Trait.SANITIZED_OUTPUT)) {
      throw new ImgdException(
          ErrorCode.UNSUPPORTED_FORMAT,
          wanted
              + " output is only an "
              + wanted
              + " source passed through, sanitized: "
              + probe.format()
              + " cannot become one");
    }
    if (!wanted.isOutput() || !writable.contains(wanted)) {
      throw new ImgdException(
          ErrorCode.UNSUPPORTED_FORMAT,
          wanted
              + " output is not available: the loaded libvips cannot write it"
              + (wanted.isOutput()
                  ? wanted.buildNeeds().map(n -> " (it needs " + n + ")").orElse("")
                  : "")
              + "; see imgd doctor");
    }
    return wanted;
  }

  /**
   * The scale a vector input is rendered at: the output's own scale, so the resize that follows is
   * a no-op, but never so large that the rendered page passes the source pixel or side limits.
   */
  double vectorScale(ProbeResult probe, ResizePlan g) {
    double wanted = Math.max(g.scaleX(), g.scaleY());
    if (!(wanted > 0)) {
      wanted = 1;
    }
    double byPixels = Math.sqrt(limits.maxSourcePixels() / (double) probe.pixels());
    double bySide = limits.maxSourceSide() / (double) Math.max(probe.width(), probe.height());
    return Math.min(1000, Math.min(wanted, Math.min(byPixels, bySide)));
  }

  /**
   * The largest of 8, 4, 2 that the resize still has to shrink by (as imgproxy and sharp choose):
   * JPEG decodes at 1/s through DCT scaling, WebP through its own scaler. Trim needs every pixel
   * and is done at full resolution.
   */
  static int shrinkOnLoad(ProbeResult probe, Options options, ResizePlan g) {
    boolean shrinkable = probe.format().shrinksOnLoad();
    if (!shrinkable || options.crop().trim().enabled()) {
      return 1;
    }
    double scale = Math.max(g.scaleX(), g.scaleY());
    if (scale <= 0) {
      return 1;
    }
    double shrink = 1 / scale;
    return shrink >= 8 ? 8 : shrink >= 4 ? 4 : shrink >= 2 ? 2 : 1;
  }
}
