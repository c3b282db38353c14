package dev.imgd.core.options;

import java.io.Serializable;
import java.util.Objects;

/**
 * Placement of the server's watermark image.
 *
 * @param enabled whether to place it (imgproxy enables it when the opacity is above 0)
 * @param opacity multiplier of the watermark's own opacity, 0..1
 * @param position a compass gravity or {@link GravityType#REPLICATE}, with offsets (the spacing
 *     between tiles when replicated)
 * @param scale size relative to the result; 0 keeps the watermark's own size
 */
public record Watermark(boolean enabled, double opacity, Gravity position, double scale)
    implements Serializable {
  /** imgproxy's default: off, opacity 1, centred, unscaled. */
  public static final Watermark OFF = new Watermark(false, 1, Gravity.CENTER, 0);

  public Watermark {
    Objects.requireNonNull(position, "position");
    if (!(opacity >= 0 && opacity <= 1)) {
      throw new IllegalArgumentException("watermark opacity must be 0..1: " + opacity);
    }
    if (enabled && opacity == 0) {
      throw new IllegalArgumentException("an enabled watermark needs an opacity above 0");
    }
    if (!position.type().isCompass() && position.type() != GravityType.REPLICATE) {
      throw new IllegalArgumentException("watermark position cannot be " + position.type().id());
    }
    if (!(scale >= 0) || Double.isInfinite(scale)) {
      throw new IllegalArgumentException("watermark scale must be >= 0: " + scale);
    }
  }
}
