package dev.imgd.core.pipeline;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImageFormat;
import dev.imgd.core.ImgdException;
import dev.imgd.core.options.ResizePlan;
import dev.imgd.core.plan.Encoded;
import dev.imgd.core.plan.Page;
import dev.imgd.core.plan.Plan;
import dev.imgd.vips.VipsException;
import dev.imgd.vips.VipsImage;
import dev.imgd.vips.VipsOperation;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Runs a {@link Plan} in libvips as an ordered list of steps, one file each. Every step takes the
 * image and leaves a new one, closing what it no longer needs, so native memory is released as soon
 * as the run moves on. A chained pipeline runs the steps once per pass ({@link Step#passes}): the
 * first pass decodes, each runs its own geometry and effects on the result of the one before, and
 * the last one encodes.
 *
 * <p>Runs on the calling thread, which must be a platform thread (see VipsThreads).
 */
public final class Pipeline {
  /** The steps, in the order they run; in each pass of a chain, those {@link Step#passes} says. */
  static final List<Step> STEPS =
      List.of(
          new Load(),
          new ToSrgb(),
          new CheckFrames(),
          new TrimBorders(),
          new EachFrame(
              List.of(
                  new CropSource(),
                  new Resize(),
                  new Orient(),
                  new CropTarget(),
                  new Filters(),
                  new Adjust(),
                  new Extend(),
                  new Watermarks())),
          new Flatten(),
          new StripMetadata(),
          new Encode(),
          new Verify());

  // What libvips says when the input is at fault, whichever operation the error surfaced in:
  // decoding is lazy, so a truncated JPEG fails inside jpegsave.
  private static final Pattern DECODE_FAILURE =
      Pattern.compile(
          "(?i)(premature|truncat|corrupt|out of order|read error|unexpected end|bad huffman|"
              + "damaged|incomplete|invalid|not a known|unable to (read|parse)|decode|load)");

  private Pipeline() {}

  /**
   * What a run made, and the oriented size of the source it worked on: the plan's, or the trimmed
   * one, with which {@link Plan#geometryFor} verifies the result outside the run.
   */
  public record Result(Encoded encoded, int sourceWidth, int sourceHeight) {}

  /**
   * Runs the plan on the source bytes; {@code watermark} holds the watermark image's bytes when the
   * plan has one.
   */
  public static Result run(byte[] source, Plan plan, byte @Nullable [] watermark) {
    List<Plan> passes = plan.passes();
    Context ctx = new Context(passes.getFirst(), source, watermark);
    try {
      for (int pass = 0; pass < passes.size(); pass++) {
        if (pass > 0) {
          ctx.pass(passes.get(pass));
          // The result of the pass before, rendered once: no re-encoding, and the next pass may
          // read it in any order (the loader reads sequentially).
          ctx.then(VipsImage::copyMemory);
        }
        for (Step step : STEPS) {
          if (step.passes().runsIn(pass, passes.size())) {
            step.apply(ctx);
          }
        }
      }
    } catch (VipsException e) {
      ctx.close(); // the failed run's images go before the source is decoded again
      throw blame(e, source, passes.getFirst());
    } finally {
      ctx.close();
    }
    ResizePlan g = ctx.geometry();
    return new Result(
        new Encoded(
            ctx.encoded(),
            plan.output().format(),
            plan.resultWidth(g),
            plan.resultHeight(g),
            plan.frames()),
        g.sourceWidth(),
        g.sourceHeight());
  }

  /**
   * The size of a vector document's page at scale 1 (72 dpi) and its page count. The loader reads
   * only the header: no page is rendered.
   */
  public static Page measure(byte[] source, ImageFormat format, int page) {
    if (!format.isVector()) {
      throw new IllegalArgumentException("not a vector format: " + format);
    }
    try {
      Page first = header(source, format, 0);
      // A page past the end is the caller's to refuse: report the first page's size.
      return page == 0 || page >= first.pages() ? first : header(source, format, page);
    } catch (VipsException e) {
      throw classify(e);
    }
  }

  private static Page header(byte[] source, ImageFormat format, int page) {
    VipsOperation op = VipsOperation.of(format.loader().orElseThrow()).set("buffer", source);
    if (page > 0) {
      op.set("page", page);
    }
    try (VipsImage header = op.image()) {
      return new Page(header.width(), header.height(), header.intField("n-pages").orElse(1));
    }
  }

  /**
   * The typed error of a failed run. A decoder may fail late, under the name of the operation that
   * pulls its pixels (trim's copy_memory: "source: bad seek"; an encoder's "unable to write to
   * target"): a failure whose message does not name the input is the input's when the source alone
   * does not decode (issue 17: these were 500s). Each failure has its own message now (imgd-vips'
   * VipsErrors); the late decoder's message names no input, so this check stays.
   */
  private static ImgdException blame(VipsException e, byte[] source, Plan first) {
    ImgdException typed = classify(e);
    return typed.code() == ErrorCode.ENGINE_FAILED && !Load.decodes(source, first)
        ? corrupt(e)
        : typed;
  }

  private static ImgdException classify(VipsException e) {
    String reason = Objects.requireNonNullElse(e.getMessage(), "");
    String operation = e.operation();
    String said = operation == null ? reason : reason.substring(operation.length() + 2);
    boolean inLoader = operation != null && operation.contains("load");
    if (inLoader || DECODE_FAILURE.matcher(said).find()) {
      return corrupt(e);
    }
    return new ImgdException(
        ErrorCode.ENGINE_FAILED, "image processing failed: " + safe(reason), e);
  }

  private static ImgdException corrupt(VipsException e) {
    String reason = Objects.requireNonNullElse(e.getMessage(), "");
    return new ImgdException(
        ErrorCode.CORRUPT_IMAGE, "the image is truncated or corrupt: " + safe(reason), e);
  }

  // libvips messages are about the image, but keep them short and free of paths.
  static String safe(String reason) {
    String s = reason.replaceAll("/[^\\s:]+", "<path>");
    return s.length() > 300 ? s.substring(0, 300) + "..." : s;
  }
}
