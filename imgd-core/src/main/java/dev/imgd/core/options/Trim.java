package dev.imgd.core.options;

import java.io.Serializable;
import java.util.Objects;

/**
 * Removal of a uniform border before anything else.
 *
 * @param enabled whether to trim
 * @param threshold colour similarity tolerance, >= 0 (imgproxy's default 10)
 * @param smart whether libvips finds the background colour itself; when false {@code color} is the
 *     colour to cut
 * @param color the colour to cut when not smart
 * @param equalHor cut the same amount from left and right
 * @param equalVer cut the same amount from top and bottom
 */
public record Trim(
    boolean enabled, double threshold, boolean smart, Rgb color, boolean equalHor, boolean equalVer)
    implements Serializable {
  /** imgproxy's default: off, threshold 10, colour found by libvips. */
  public static final Trim OFF = new Trim(false, 10, true, Rgb.BLACK, false, false);

  public Trim {
    Objects.requireNonNull(color, "color");
    if (!(threshold >= 0) || Double.isInfinite(threshold)) {
      throw new IllegalArgumentException("trim threshold must be >= 0: " + threshold);
    }
  }
}
