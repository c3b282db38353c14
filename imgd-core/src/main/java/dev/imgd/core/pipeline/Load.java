package dev.imgd.core.pipeline;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImageFormat;
import dev.imgd.core.ImgdException;
import dev.imgd.core.options.ResizePlan;
import dev.imgd.core.plan.Plan;
import dev.imgd.vips.VipsException;
import dev.imgd.vips.VipsImage;
import dev.imgd.vips.VipsOperation;

/**
 * Decodes the source, shrinking on load (JPEG DCT scaling, WebP scale) and picking the pages: the
 * frames of an animation, or pages stacked into one image (the pages option).
 */
final class Load implements Step {
  @Override
  public Passes passes() {
    return Passes.FIRST;
  }

  @Override
  public void apply(Context ctx) {
    VipsImage image = load(ctx.source, ctx.plan);
    if (ctx.plan.input() == ImageFormat.PNG && image.intField("interlaced").orElse(0) == 1) {
      decodeNow(image);
    }
    ctx.image(image);
    if (ctx.plan.frames() == 1 && ctx.plan.load().pages() > 1) {
      // Stacked pages (the pages option) are one still image, not the frames of an animation.
      ctx.then(Load::onePage);
    }
  }

  private static VipsImage onePage(VipsImage strip) {
    VipsImage still = VipsOperation.of("copy").in(strip).image();
    still.setIntField("page-height", strip.height());
    return still;
  }

  /**
   * libvips decodes an interlaced (Adam7) PNG whole when the first pixel is asked for, and libpng
   * gives up on missing data without a message: the failure surfaced later, reasonless, in the
   * encoder, as a 500 (issue 17). One pixel asked for here decodes it where the failure is plainly
   * the input's; the decoded image is what the rest of the run reads anyway.
   */
  private static void decodeNow(VipsImage image) {
    try {
      VipsOperation.of("getpoint").in(image).set("x", 0).set("y", 0).run();
    } catch (VipsException e) {
      image.close();
      throw new ImgdException(
          ErrorCode.CORRUPT_IMAGE,
          "the image is truncated or corrupt: its interlaced PNG data ends early",
          e);
    }
  }

  /**
   * Whether the source decodes whole, every pixel, as the plan loads it: asked when a run failed
   * for a reason that does not name the input, to tell whose fault it was.
   */
  static boolean decodes(byte[] source, Plan plan) {
    try (VipsImage image = load(source, plan)) {
      VipsOperation.of("avg").in(image).call("out").close();
      return true;
    } catch (VipsException e) {
      return false;
    }
  }

  private static VipsImage load(byte[] source, Plan plan) {
    if (plan.input().has(ImageFormat.Trait.OWN_CODEC)) {
      return OwnCodec.load(source, plan.input(), failOn(plan));
    }
    Plan.Load load = plan.load();
    VipsOperation op =
        VipsOperation.of(plan.input().loader().orElseThrow())
            .set("buffer", source)
            .set("access", "sequential")
            .set("fail_on", failOn(plan));
    ImageFormat f = plan.input();
    if (load.shrink() > 1 && f.has(ImageFormat.Trait.LOAD_SHRINK)) {
      op.set("shrink", load.shrink());
    }
    if (load.shrink() > 1 && f.has(ImageFormat.Trait.LOAD_SCALE)) {
      op.set("scale", 1.0 / load.shrink());
    }
    if (f.has(ImageFormat.Trait.PAGES)) {
      pages(op, load);
    }
    if (f.isVector()) {
      op.set("scale", load.scale());
    }
    if (load.thumbnail()) {
      op.set("thumbnail", true);
    }
    // JPEG "autorotate" is off by default in libvips; orientation is applied by the plan.
    VipsImage image = op.image();
    if (load.thumbnail()) {
      checkThumbnailSize(image, plan);
    }
    return image;
  }

  /**
   * The plan's sizes and memory are the thumbnail's as the probe measured it; libheif chose the
   * thumbnail by itself, so a file where the two disagree is refused rather than run unplanned.
   */
  private static void checkThumbnailSize(VipsImage image, Plan plan) {
    ResizePlan g = plan.geometry();
    int w = image.width();
    int h = image.height();
    // The plan's source size is oriented (a rotate option may turn it); HEIF carries no EXIF turn.
    boolean same =
        (w == g.sourceWidth() && h == g.sourceHeight())
            || (w == g.sourceHeight() && h == g.sourceWidth());
    if (!same) {
      image.close();
      throw new ImgdException(
          ErrorCode.CORRUPT_IMAGE,
          "the embedded thumbnail decodes as %dx%d, not the %dx%d its header declares"
              .formatted(w, h, g.sourceWidth(), g.sourceHeight()));
    }
  }

  /**
   * How strict the decoder is. JPEG: "warning", because libjpeg only warns when the entropy data
   * ends early at a marker, and "truncated" would grey-fill the rest (FM-11); as sharp does by
   * default. Other formats: "truncated", as their decoders warn about harmless things too (a PNG's
   * sRGB profile, say).
   */
  private static String failOn(Plan plan) {
    if (!plan.load().failOnTruncated()) {
      return "none";
    }
    return plan.input().has(ImageFormat.Trait.FAIL_ON_WARNING) ? "warning" : "truncated";
  }

  private static void pages(VipsOperation op, Plan.Load load) {
    if (load.page() > 0) {
      op.set("page", load.page());
    }
    if (load.pages() != 1) {
      op.set("n", load.pages());
    }
  }
}
