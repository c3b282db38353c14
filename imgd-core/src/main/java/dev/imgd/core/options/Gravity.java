package dev.imgd.core.options;

import java.io.Serializable;
import java.util.Objects;

/**
 * A gravity with its offsets. For compass types an offset of magnitude 1 or more is in pixels
 * (scaled by dpr), a smaller one is a fraction of the outer size; for {@link
 * GravityType#FOCUS_POINT} x and y are fractions in [0, 1]; {@link GravityType#SMART} has none.
 *
 * @param type the anchor
 * @param x the x offset (towards the inside of the anchored edge) or focus x
 * @param y the y offset or focus y
 */
public record Gravity(GravityType type, double x, double y) implements Serializable {
  /** imgproxy's default: centre, no offsets. */
  public static final Gravity CENTER = new Gravity(GravityType.CENTER, 0, 0);

  /** Smart gravity (offsets do not apply). */
  public static final Gravity SMART = new Gravity(GravityType.SMART, 0, 0);

  public Gravity {
    Objects.requireNonNull(type, "type");
    if (!Double.isFinite(x) || !Double.isFinite(y)) {
      throw new IllegalArgumentException("gravity offsets must be finite: " + x + ", " + y);
    }
    if (type == GravityType.FOCUS_POINT && (x < 0 || x > 1 || y < 0 || y > 1)) {
      throw new IllegalArgumentException("focus point must be within [0, 1]: " + x + ", " + y);
    }
    if (type == GravityType.SMART && (x != 0 || y != 0)) {
      throw new IllegalArgumentException("smart gravity takes no offsets");
    }
  }

  /** A compass gravity without offsets. */
  public static Gravity of(GravityType type) {
    return new Gravity(type, 0, 0);
  }

  /** A focus point at fractions (x, y) of the image. */
  public static Gravity focusPoint(double x, double y) {
    return new Gravity(GravityType.FOCUS_POINT, x, y);
  }

  /** The imgproxy URL arguments, e.g. "soea:10:0.5", "sm" or "fp:0.3:0.7". */
  String toArgs() {
    if (type == GravityType.SMART) {
      return type.id();
    }
    return type.id() + ':' + Options.num(x) + ':' + Options.num(y);
  }
}
