package dev.imgd.core.pipeline;

/**
 * One step of the {@link Pipeline}: takes the context's image and leaves its successor there,
 * closing what it no longer needs, so native memory is released as soon as the run moves on.
 */
interface Step {
  void apply(Context ctx);
}
