package dev.imgd.core.options;

import java.io.Serializable;

/**
 * Space added around the result, in CSS order. In {@link Options} the values are CSS pixels (dpr
 * scales them); in a {@link ResizePlan} they are output pixels.
 */
public record Padding(int top, int right, int bottom, int left) implements Serializable {
  public static final Padding NONE = new Padding(0, 0, 0, 0);

  public Padding {
    if ((top | right | bottom | left) < 0) {
      throw new IllegalArgumentException(
          "padding must be >= 0: " + top + " " + right + " " + bottom + " " + left);
    }
  }

  /** The same padding on all four sides. */
  public static Padding all(int px) {
    return new Padding(px, px, px, px);
  }

  /** Whether every side is zero. */
  public boolean isEmpty() {
    return (top | right | bottom | left) == 0;
  }
}
