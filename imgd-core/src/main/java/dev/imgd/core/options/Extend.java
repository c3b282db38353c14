package dev.imgd.core.options;

import java.io.Serializable;
import java.util.Objects;

/**
 * Whether to embed a smaller image into the requested box (or aspect ratio), and where.
 *
 * @param enabled whether to extend
 * @param gravity where the image goes on the canvas; compass or focus point, never smart
 */
public record Extend(boolean enabled, Gravity gravity) implements Serializable {
  /** imgproxy's default: off, centred. */
  public static final Extend OFF = new Extend(false, Gravity.CENTER);

  public Extend {
    Objects.requireNonNull(gravity, "gravity");
    if (gravity.type() == GravityType.SMART || gravity.type().tiles()) {
      throw new IllegalArgumentException("extend gravity cannot be " + gravity.type().id());
    }
  }

  /** Extend with the given gravity. */
  public static Extend on(Gravity gravity) {
    return new Extend(true, gravity);
  }
}
