package dev.imgd.core.plan;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImageFormat;
import dev.imgd.core.ImgdException;
import dev.imgd.core.Limits;
import dev.imgd.core.options.Geometry;
import dev.imgd.core.options.Options;
import dev.imgd.core.options.ResizePlan;
import dev.imgd.core.probe.ProbeResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
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

  /**
   * The plan for {@code options} on the probed source; for a chained pipeline, the last pass's plan
   * holding the earlier ones, each checked against the result limit and counted in the memory
   * estimate.
   */
  public Plan plan(ProbeResult probed, Options options) {
    checkReadable(probed.format());
    ImageFormat format = outputFormat(probed, options);
    List<Options> passes = options.passes();
    Options first = passes.getFirst();
    boolean thumbnail = usesThumbnail(probed, first);
    // What is decoded is the source from here on: its size for the geometry, limits and memory.
    ProbeResult probe = thumbnail ? probed.asThumbnail() : probed;
    int stacked = stackedPages(probe, first);
    boolean animate =
        probe.animated()
            && probe.frames() > 1
            && stacked == 1
            && format.has(ImageFormat.Trait.ANIMATION)
            && !first.input().disableAnimation();
    int frames = animate ? probe.frames() : 1;
    // Stacked pages are one image, as tall as the pages together.
    ProbeResult loaded =
        stacked == 1 ? probe : probe.withMeasuredSize(probe.width(), probe.height() * stacked);
    // The request's security options, in whichever pass, only tighten the limits.
    Limits asked = limits;
    for (Options pass : passes) {
      asked = pass.security().tighten(asked, probe.frames() > 1);
    }
    Plan.ResultLimit resultLimit =
        new Plan.ResultLimit(asked.maxResultSide(), asked.maxResultPixels());
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

    // The first pass loads and orients the source.
    int orientation = first.autoRotate() ? probe.orientation() : 1;
    boolean swap = (orientation >= 5) ^ (first.rotate() % 180 == 90);
    int width = swap ? loaded.height() : loaded.width();
    int height = swap ? loaded.width() : loaded.height();
    ResizePlan geometry = Geometry.plan(first, width, height, probe.orientation(), false, 0);
    resultLimit.check(geometry);
    Plan.Load load =
        new Plan.Load(
            shrinkOnLoad(probe, first, geometry),
            // As imgproxy: an animated result uses every frame and ignores the page asked for
            // (the frames after it would not match the header's count: a 422 for a sound file).
            animate ? 0 : Math.max(0, first.input().page()),
            animate ? -1 : stacked,
            !lenient,
            probe.format().isVector() ? vectorScale(probe, geometry) : 1,
            thumbnail);
    long memory =
        MemoryModel.estimate(loaded, load, geometry, frames, output)
            + (first.crop().trim().enabled() ? MemoryModel.trim(loaded) : 0)
            + MemoryModel.watermark(first.watermark(), geometry);
    // preserve_hdr: every pixel term holds two bytes a sample.
    int depth = probe.bitsPerSample() > 8 && Plan.keepsHighDepth(options, format) ? 2 : 1;
    if (passes.size() == 1) {
      return new Plan(
          options,
          probe.format(),
          orientation,
          load,
          geometry,
          output,
          frames,
          memory * depth + autoquality(loaded, options, geometry, frames, output),
          resultLimit,
          List.of());
    }
    // Each later pass works on the result of the one before, held in memory and already oriented.
    List<Plan> earlier = new ArrayList<>();
    Plan.Load inMemory = new Plan.Load(1, 0, 1, !lenient, 1, false);
    Plan plan = null;
    for (int i = 0; i < passes.size(); i++) {
      Options pass = passes.get(i);
      boolean last = i == passes.size() - 1;
      if (!last && pass.crop().trim().enabled()) {
        throw new ImgdException(
            ErrorCode.BAD_OPTIONS,
            "trim in a chained pipeline works only in its last pass: a trim finds its size in the"
                + " pixels, and every later pass is planned before the run");
      }
      if (i > 0) {
        ResizePlan before = geometry;
        boolean turns = pass.rotate() % 180 == 90;
        geometry =
            Geometry.plan(
                pass,
                turns ? before.height() : before.width(),
                turns ? before.width() : before.height(),
                1,
                false,
                0);
        resultLimit.check(geometry);
        memory +=
            MemoryModel.laterPass(probe, before, geometry, frames, pass.crop().trim().enabled())
                + MemoryModel.watermark(pass.watermark(), geometry);
      }
      plan =
          new Plan(
              last ? options : pass,
              probe.format(),
              i == 0 ? orientation : 1,
              i == 0 ? load : inMemory,
              geometry,
              output,
              frames,
              last
                  ? memory * depth + autoquality(probe, options, geometry, frames, output)
                  : memory,
              resultLimit,
              last ? earlier : List.of());
      earlier.add(plan);
    }
    return Objects.requireNonNull(plan);
  }

  /** The extra memory of an autoquality search over the result's encodes, if one runs. */
  private static long autoquality(
      ProbeResult probe, Options options, ResizePlan g, int frames, Plan.Output output) {
    return options.encoding().autoquality().searches((long) g.width() * g.height() * frames)
            && output.format().has(ImageFormat.Trait.LOSSY)
        ? MemoryModel.autoquality(probe, g, frames, output)
        : 0;
  }

  /**
   * How many pages or frames {@code pages} stacks (imgproxy's: from {@code page} on, as many as
   * there are), counted where the probe counts them: the frames of a GIF or WebP. A TIFF, HEIF or
   * PDF is refused: its page count is known only to the decoder, and the plan must bound the
   * stacked size before any decoding.
   */
  private static int stackedPages(ProbeResult probe, Options options) {
    int pages = options.input().pages();
    if (pages == 1 || !probe.format().has(ImageFormat.Trait.PAGES)) {
      return 1;
    }
    if (probe.format() != ImageFormat.GIF && probe.format() != ImageFormat.WEBP) {
      throw new ImgdException(
          ErrorCode.UNSUPPORTED_FORMAT,
          "pages: the pages of "
              + probe.format()
              + " cannot be stacked: imgd counts pages before decoding only for GIF and WebP");
    }
    int page = Math.max(0, options.input().page());
    return Math.max(1, Math.min(pages, probe.frames() - page));
  }

  /**
   * enforce_thumbnail: the thumbnail embedded for the primary image (HEIC, AVIF), when the probe
   * found one and the primary is the page asked for; otherwise the image itself, as imgproxy falls
   * back to it. Other formats have no thumbnail.
   */
  private static boolean usesThumbnail(ProbeResult probe, Options first) {
    return first.input().enforceThumbnail()
        && probe.thumbnail() != null
        && first.input().page() <= 0;
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
