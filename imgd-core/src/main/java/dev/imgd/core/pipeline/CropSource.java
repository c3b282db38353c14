package dev.imgd.core.pipeline;

import dev.imgd.core.options.CropRect;
import dev.imgd.core.options.ResizePlan;
import dev.imgd.core.plan.Orientation;
import dev.imgd.vips.VipsImage;

/**
 * The crop before the resize. The plan's geometry is in the oriented frame at full resolution; the
 * image as loaded is neither turned nor full size, so the crop is taken back into the loaded frame.
 */
final class CropSource implements Step {
  @Override
  public void apply(Context ctx) {
    ResizePlan g = ctx.geometry();
    if (g.preCrop().isFull(g.sourceWidth(), g.sourceHeight())) {
      return;
    }
    Orientation turn = ctx.plan.turn();
    CropRect raw = turn.inverse().apply(g.preCrop(), g.sourceWidth(), g.sourceHeight());
    int rawW = turn.swapsAxes() ? g.sourceHeight() : g.sourceWidth();
    int rawH = turn.swapsAxes() ? g.sourceWidth() : g.sourceHeight();
    ctx.then(i ->
        raw.smart()
            ? Ops.smartCrop(i, scaleRect(raw, i, rawW, rawH))
            : Ops.crop(i, scaleRect(raw, i, rawW, rawH)));
  }

  /** A rectangle of full-resolution pixels in the frame of a shrunk-on-load image. */
  private static CropRect scaleRect(CropRect r, VipsImage in, int fullW, int fullH) {
    double sx = in.width() / (double) fullW;
    double sy = in.height() / (double) fullH;
    int x = Math.min(in.width() - 1, (int) Math.floor(r.x() * sx));
    int y = Math.min(in.height() - 1, (int) Math.floor(r.y() * sy));
    int w = Math.max(1, Math.min(in.width() - x, (int) Math.round(r.width() * sx)));
    int h = Math.max(1, Math.min(in.height() - y, (int) Math.round(r.height() * sy)));
    return new CropRect(x, y, w, h, r.smart());
  }
}
