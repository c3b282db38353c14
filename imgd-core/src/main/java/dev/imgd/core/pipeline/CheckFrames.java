package dev.imgd.core.pipeline;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImgdException;

/** Refuses an animation that decodes to fewer frames than its header lists. */
final class CheckFrames implements Step {
  @Override
  public Passes passes() {
    return Passes.FIRST;
  }

  @Override
  public void apply(Context ctx) {
    int planned = ctx.plan.frames();
    int frames = frames(ctx);
    if (planned > 1 && frames != planned) {
      // libvips' GIF loader drops the frames of a cut file without a word (FM-11).
      throw new ImgdException(
          ErrorCode.CORRUPT_IMAGE,
          "the image is truncated or corrupt: the header lists "
              + planned
              + " frames, "
              + frames
              + " could be decoded");
    }
  }

  /** The frames of the image as loaded: a strip of pages. */
  static int frames(Context ctx) {
    return ctx.image().height() / Math.max(1, ctx.image().pageHeight());
  }
}
