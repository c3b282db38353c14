package dev.imgd.core.pipeline;

import dev.imgd.core.plan.Orientation;
import dev.imgd.vips.VipsImage;
import dev.imgd.vips.VipsOperation;

/**
 * Rotate and flip: the one turn that EXIF orientation, rotate and the flips compose to, applied
 * once the image is small.
 */
final class Orient implements Step {
  @Override
  public void apply(Context ctx) {
    Orientation turn = ctx.plan.turn();
    if (!turn.equals(Orientation.NONE) || ctx.geometry().postCrop().smart()) {
      ctx.then(VipsImage::copyMemory); // turning and attention read out of order
    }
    ctx.then(i -> orient(i, turn));
  }

  private static VipsImage orient(VipsImage in, Orientation t) {
    VipsImage img = in.share();
    if (t.quarterTurns() != 0) {
      String angle = "d" + (t.quarterTurns() * 90);
      img = Ops.then(img, i -> VipsOperation.of("rot").in(i).set("angle", angle).image());
    }
    if (t.mirror()) {
      img =
          Ops.then(img, i -> VipsOperation.of("flip").in(i).set("direction", "horizontal").image());
    }
    return img;
  }
}
