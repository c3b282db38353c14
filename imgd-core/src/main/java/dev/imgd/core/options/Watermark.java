package dev.imgd.core.options;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Which watermark to place, and how.
 *
 * @param enabled whether to place it (imgproxy enables it when the opacity is above 0)
 * @param opacity multiplier of the watermark's own opacity, 0..1
 * @param position a compass gravity, or {@link GravityType#REPLICATE} or {@link GravityType#CHESS}
 *     with offsets that are the spacing between tiles
 * @param scale size relative to the result; 0 keeps the watermark's own size (or {@code width x
 *     height})
 * @param url the image to use instead of the server's (imgproxy Pro's watermark_url); empty: none
 * @param text Pango markup to render and use instead of an image (watermark_text); empty: none
 * @param width the width to fit the watermark into when the scale is 0; 0: from the height
 * @param height the height to fit the watermark into when the scale is 0; 0: from the width
 * @param rotate clockwise rotation of the watermark, in degrees
 * @param shadow the sigma of the watermark's drop shadow; 0 for none
 */
public record Watermark(
    boolean enabled,
    double opacity,
    Gravity position,
    double scale,
    String url,
    String text,
    int width,
    int height,
    double rotate,
    double shadow)
    implements Serializable {
  /** imgproxy's default: off, opacity 1, centred, unscaled, the server's image. */
  public static final Watermark OFF = new Watermark(false, 1, Gravity.CENTER, 0);

  /** The longest watermark text, in UTF-8 bytes (it travels in the URL and is rendered). */
  public static final int MAX_TEXT_BYTES = 4096;

  /**
   * The largest rendered text, per side. The markup chooses the font size, so the text is measured
   * before it is rendered, and refused past this; the memory model counts a render this size.
   */
  public static final int MAX_TEXT_SIDE = 2048;

  /** The largest {@link #width()} or {@link #height()}: imgd's largest result side. */
  public static final int MAX_SIDE = 16384;

  /**
   * The largest shadow sigma: the shadow's canvas grows by three sigmas on each side, so an
   * unbounded sigma would be an unbounded image.
   */
  public static final double MAX_SHADOW = 100;

  public Watermark {
    Objects.requireNonNull(position, "position");
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(text, "text");
    if (!(opacity >= 0 && opacity <= 1)) {
      throw new IllegalArgumentException("watermark opacity must be 0..1: " + opacity);
    }
    if (enabled && opacity == 0) {
      throw new IllegalArgumentException("an enabled watermark needs an opacity above 0");
    }
    if (!position.type().isCompass() && !position.type().tiles()) {
      throw new IllegalArgumentException("watermark position cannot be " + position.type().id());
    }
    if (!(scale >= 0) || Double.isInfinite(scale)) {
      throw new IllegalArgumentException("watermark scale must be >= 0: " + scale);
    }
    if (text.getBytes(StandardCharsets.UTF_8).length > MAX_TEXT_BYTES) {
      throw new IllegalArgumentException(
          "watermark text must be at most " + MAX_TEXT_BYTES + " bytes");
    }
    if (width < 0 || width > MAX_SIDE || height < 0 || height > MAX_SIDE) {
      throw new IllegalArgumentException(
          "watermark size must be 0.." + MAX_SIDE + ": " + width + "x" + height);
    }
    if (!Double.isFinite(rotate)) {
      throw new IllegalArgumentException("watermark rotation must be finite: " + rotate);
    }
    if (!(shadow >= 0 && shadow <= MAX_SHADOW)) {
      throw new IllegalArgumentException(
          "watermark shadow must be 0.." + Options.num(MAX_SHADOW) + ": " + shadow);
    }
  }

  /** A placement of the server's image, unsized, unturned, without shadow. */
  public Watermark(boolean enabled, double opacity, Gravity position, double scale) {
    this(enabled, opacity, position, scale, "", "", 0, 0, 0, 0);
  }

  /**
   * The same placement of another watermark: {@code url} and {@code text} (either may be empty).
   */
  public Watermark withSource(String url, String text) {
    return new Watermark(
        enabled, opacity, position, scale, url, text, width, height, rotate, shadow);
  }

  /** The same watermark with another look: fitted size, rotation, shadow. */
  public Watermark withLook(int width, int height, double rotate, double shadow) {
    return new Watermark(
        enabled, opacity, position, scale, url, text, width, height, rotate, shadow);
  }

  /** The same watermark with another placement. */
  public Watermark withPlacement(boolean enabled, double opacity, Gravity position, double scale) {
    return new Watermark(
        enabled, opacity, position, scale, url, text, width, height, rotate, shadow);
  }
}
