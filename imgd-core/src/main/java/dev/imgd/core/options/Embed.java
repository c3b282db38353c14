package dev.imgd.core.options;

import java.io.Serializable;

/**
 * Placing an image on a larger canvas ({@code vips_embed}) filled with the background.
 *
 * @param width canvas width
 * @param height canvas height
 * @param x left edge of the image on the canvas
 * @param y top edge of the image on the canvas
 */
public record Embed(int width, int height, int x, int y) implements Serializable {
  /** The identity for a width x height image. */
  public static Embed none(int width, int height) {
    return new Embed(width, height, 0, 0);
  }

  /** Whether this leaves a width x height image as it is. */
  public boolean isNone(int imageWidth, int imageHeight) {
    return x == 0 && y == 0 && width == imageWidth && height == imageHeight;
  }
}
