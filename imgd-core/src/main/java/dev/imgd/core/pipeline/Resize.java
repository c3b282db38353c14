package dev.imgd.core.pipeline;

import dev.imgd.core.options.ResizePlan;
import dev.imgd.core.plan.Orientation;

/**
 * The resize, done while the image is still unturned: to the resized size with axes undone; in
 * linear light where the server says so.
 */
final class Resize implements Step {
  @Override
  public void apply(Context ctx) {
    ResizePlan g = ctx.geometry();
    Orientation turn = ctx.plan.turn();
    int targetW = turn.swapsAxes() ? g.resizedHeight() : g.resizedWidth();
    int targetH = turn.swapsAxes() ? g.resizedWidth() : g.resizedHeight();
    if (ctx.plan.options().colour().linearLight()) {
      ctx.then(i -> Ops.resizeInLinearLight(i, targetW, targetH));
    } else {
      ctx.then(i -> Ops.resize(i, targetW, targetH));
    }
  }
}
