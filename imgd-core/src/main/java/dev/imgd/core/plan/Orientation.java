package dev.imgd.core.plan;

import dev.imgd.core.options.CropRect;

/**
 * One of the eight ways to turn and mirror a rectangle (the dihedral group D4): rotate clockwise by
 * {@code quarterTurns} x 90 degrees, then mirror left-right if {@code mirror}. EXIF orientation,
 * the rotate option and the flip options compose into one such transform, applied to the image
 * once, after resizing, where the image is smallest.
 */
public record Orientation(int quarterTurns, boolean mirror) {
  public static final Orientation NONE = new Orientation(0, false);

  public Orientation {
    quarterTurns = Math.floorMod(quarterTurns, 4);
  }

  /** The transform that undoes EXIF orientation 1..8 (as libvips autorot does). */
  public static Orientation ofExif(int exif) {
    return switch (exif) {
      case 2 -> new Orientation(0, true);
      case 3 -> new Orientation(2, false);
      case 4 -> new Orientation(2, true);
      case 5 -> new Orientation(1, true);
      case 6 -> new Orientation(1, false);
      case 7 -> new Orientation(3, true);
      case 8 -> new Orientation(3, false);
      default -> NONE;
    };
  }

  /** This, then a further clockwise rotation by {@code degrees} (a multiple of 90). */
  public Orientation thenRotate(int degrees) {
    int turns = degrees / 90;
    // A mirror turns later rotations the other way round: flip . rot(m) = rot(-m) . flip.
    return new Orientation(mirror ? quarterTurns - turns : quarterTurns + turns, mirror);
  }

  /** This, then a left-right mirror. */
  public Orientation thenMirror() {
    return new Orientation(quarterTurns, !mirror);
  }

  /** This, then a top-bottom mirror (a half turn and a left-right mirror). */
  public Orientation thenFlipVertical() {
    return thenRotate(180).thenMirror();
  }

  public Orientation inverse() {
    // Mirrored elements are their own inverse; pure rotations turn back.
    return mirror ? this : new Orientation(-quarterTurns, false);
  }

  /** Whether width and height trade places. */
  public boolean swapsAxes() {
    return (quarterTurns & 1) == 1;
  }

  /** Maps a rectangle of a {@code width x height} image through this transform. */
  public CropRect apply(CropRect r, int width, int height) {
    int x0 = r.x();
    int y0 = r.y();
    int x1 = r.x() + r.width() - 1;
    int y1 = r.y() + r.height() - 1;
    int w = width;
    int h = height;
    for (int i = 0; i < quarterTurns; i++) {
      int nx0 = h - 1 - y0;
      int nx1 = h - 1 - y1;
      y0 = x0;
      y1 = x1;
      x0 = nx0;
      x1 = nx1;
      int t = w;
      w = h;
      h = t;
    }
    if (mirror) {
      x0 = w - 1 - x0;
      x1 = w - 1 - x1;
    }
    return new CropRect(
        Math.min(x0, x1),
        Math.min(y0, y1),
        Math.abs(x1 - x0) + 1,
        Math.abs(y1 - y0) + 1,
        r.smart());
  }
}
