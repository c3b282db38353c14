package dev.imgd.core.pipeline;

import dev.imgd.core.options.ResizePlan;
import dev.imgd.core.plan.Plan;
import dev.imgd.vips.VipsImage;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * What the steps of one run share: the inputs, which never change, the plan of the pass being run
 * (a chained pipeline moves on pass by pass), its geometry, which only {@link TrimBorders} replaces
 * (before any step reads it), and the image or bytes so far.
 */
final class Context {
  Plan plan;
  final byte[] source;
  final byte @Nullable [] watermark;
  private ResizePlan geometry;
  private @Nullable VipsImage image;
  private byte @Nullable [] encoded;

  Context(Plan plan, byte[] source, byte @Nullable [] watermark) {
    this.plan = plan;
    this.source = source;
    this.watermark = watermark;
    this.geometry = plan.geometry();
  }

  /** A context for one frame of an animation, which owns {@code frame}. */
  Context forFrame(VipsImage frame) {
    Context f = new Context(plan, source, watermark);
    f.geometry = geometry;
    f.image = frame;
    return f;
  }

  /** Moves on to the next pass of a chained pipeline: its plan and geometry. */
  void pass(Plan next) {
    this.plan = next;
    this.geometry = next.geometry();
  }

  ResizePlan geometry() {
    return geometry;
  }

  void geometry(ResizePlan trimmed) {
    this.geometry = trimmed;
  }

  VipsImage image() {
    return Objects.requireNonNull(image, "no image yet: the loader sets it");
  }

  /** Sets the first image (the loader's); the context owns it from now on. */
  void image(VipsImage loaded) {
    this.image = loaded;
  }

  /** Replaces the image by {@code op}'s result and closes the old one. */
  void then(UnaryOperator<VipsImage> op) {
    image = Ops.then(image(), op);
  }

  byte[] encoded() {
    return Objects.requireNonNull(encoded, "not encoded yet");
  }

  void encoded(byte[] bytes) {
    this.encoded = bytes;
  }

  /** Hands the image over to the caller, who must close it. */
  VipsImage takeImage() {
    VipsImage taken = image();
    image = null;
    return taken;
  }

  /** Closes the image, if any; again is a no-op. */
  void close() {
    if (image != null) {
      image.close();
      image = null;
    }
  }
}
