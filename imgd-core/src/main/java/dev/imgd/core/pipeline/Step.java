package dev.imgd.core.pipeline;

/**
 * One step of the {@link Pipeline}: takes the context's image and leaves its successor there,
 * closing what it no longer needs, so native memory is released as soon as the run moves on.
 */
interface Step {
  void apply(Context ctx);

  /** Which passes of a chained pipeline the step runs in; a single pass is first and last. */
  default Passes passes() {
    return Passes.EACH;
  }

  /**
   * Pixel steps run in each pass; decoding and colour conversion only in the first (a later pass
   * gets its predecessor's sRGB result); metadata, encoding and verification only in the last.
   */
  enum Passes {
    FIRST,
    EACH,
    LAST;

    boolean runsIn(int pass, int passes) {
      return switch (this) {
        case FIRST -> pass == 0;
        case EACH -> true;
        case LAST -> pass == passes - 1;
      };
    }
  }
}
