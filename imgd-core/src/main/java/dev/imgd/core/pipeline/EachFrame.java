package dev.imgd.core.pipeline;

import dev.imgd.vips.VipsImage;
import dev.imgd.vips.VipsOperation;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs its steps on every frame: an animation is split into frames, each one run through the steps,
 * and the frames joined again; a still image is its one frame.
 */
final class EachFrame implements Step {
  private final List<Step> steps;

  EachFrame(List<Step> steps) {
    this.steps = List.copyOf(steps);
  }

  @Override
  public void apply(Context ctx) {
    if (ctx.plan.frames() > 1) {
      int pageHeight = ctx.image().pageHeight();
      int frames = CheckFrames.frames(ctx);
      ctx.then(strip -> eachFrame(ctx, strip, pageHeight, frames));
    } else {
      steps.forEach(s -> s.apply(ctx));
    }
  }

  private VipsImage eachFrame(Context ctx, VipsImage strip, int pageHeight, int frames) {
    List<VipsImage> done = new ArrayList<>(frames);
    try {
      for (int i = 0; i < frames; i++) {
        try (VipsImage frame =
            VipsOperation.of("extract_area")
                .set("input", strip)
                .set("left", 0)
                .set("top", i * pageHeight)
                .set("width", strip.width())
                .set("height", pageHeight)
                .image()) {
          done.add(run(ctx.forFrame(frame.share())));
        }
      }
      VipsImage joined =
          VipsOperation.of("arrayjoin")
              .set("in", done.toArray(VipsImage[]::new))
              .set("across", 1)
              .image();
      try (joined) {
        VipsImage out = VipsOperation.of("copy").in(joined).image();
        out.setIntField("page-height", done.getFirst().height());
        return out;
      }
    } finally {
      done.forEach(VipsImage::close);
    }
  }

  /** The frame through every step; closes what the steps leave behind when one fails. */
  private VipsImage run(Context frame) {
    try {
      steps.forEach(s -> s.apply(frame));
      return frame.takeImage();
    } finally {
      frame.close();
    }
  }
}
