package dev.imgd.core.options;

import java.io.Serializable;

/**
 * A crop of an image, in that image's pixels. When {@code smart} is set, libvips chooses the
 * position ({@code vips_smartcrop} to width x height) and x, y are 0.
 */
public record CropRect(int x, int y, int width, int height, boolean smart) implements Serializable {
  public CropRect {
    if (x < 0 || y < 0 || width < 1 || height < 1) {
      throw new IllegalArgumentException("bad crop " + x + "," + y + " " + width + "x" + height);
    }
  }

  /** The whole of a width x height image: nothing to do. */
  public static CropRect full(int width, int height) {
    return new CropRect(0, 0, width, height, false);
  }

  /** Whether this crop keeps the whole of a width x height image. */
  public boolean isFull(int imageWidth, int imageHeight) {
    return !smart && x == 0 && y == 0 && width == imageWidth && height == imageHeight;
  }
}
