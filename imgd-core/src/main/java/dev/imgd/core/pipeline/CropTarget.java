package dev.imgd.core.pipeline;

import dev.imgd.core.options.CropRect;

/** The crop to the target box, in the oriented frame of the resized image. */
final class CropTarget implements Step {
  @Override
  public void apply(Context ctx) {
    CropRect box = ctx.geometry().postCrop();
    if (!box.isFull(ctx.image().width(), ctx.image().height())) {
      ctx.then(i -> box.smart() ? Ops.smartCrop(i, box) : Ops.crop(i, box));
    }
  }
}
