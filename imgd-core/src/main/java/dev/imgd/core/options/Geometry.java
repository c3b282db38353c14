package dev.imgd.core.options;

import java.util.EnumMap;
import java.util.Map;

/**
 * Computes the geometry of a request exactly as imgproxy does (its {@code processing/prepare.go}
 * calcScale/calcSizes/limitScale, crop.go, extend.go, padding.go and calc_position.go), as a {@link
 * ResizePlan} of integer steps. A pure function.
 *
 * <p>imgproxy crops before rotating, with the crop gravity turned to match; this class does the
 * same and then turns the crop rectangle into oriented coordinates, so that a pipeline that orients
 * first gets the very same pixels.
 */
public final class Geometry {
  private Geometry() {}

  /**
   * Plans a raster source with no EXIF orientation.
   *
   * @param width the source width after the rotate option
   * @param height the source height after the rotate option
   */
  public static ResizePlan plan(Options o, int width, int height) {
    return plan(o, width, height, 1, false, 0);
  }

  /**
   * Plans a request.
   *
   * @param o the options
   * @param width the source width after orientation: after trimming, auto-rotation (if {@link
   *     Options#autoRotate()}) and {@link Options#rotate()}, i.e. swapped for EXIF orientations 5-8
   *     and rotate 90/270
   * @param height the source height after orientation
   * @param orientation the source's EXIF orientation, 1-8 (used to turn the crop gravity)
   * @param vector whether the source is a vector image, which imgproxy always allows to enlarge
   * @param maxResultSide if above 0, scale down so that no side of the result (with extend and
   *     padding) exceeds it, as imgproxy's max_result_dimension
   */
  public static ResizePlan plan(
      Options o, int width, int height, int orientation, boolean vector, int maxResultSide) {
    if (width < 1 || height < 1) {
      throw new IllegalArgumentException("source size must be positive: " + width + "x" + height);
    }
    if (orientation < 1 || orientation > 8) {
      orientation = 1; // as libvips, an unknown orientation is none
    }
    int exifAngle = 0;
    boolean exifFlip = false;
    if (o.autoRotate()) {
      exifAngle =
          switch (orientation) {
            case 3, 4 -> 180;
            case 5, 6 -> 90;
            case 7, 8 -> 270;
            default -> 0;
          };
      exifFlip = orientation == 2 || orientation == 4 || orientation == 5 || orientation == 7;
    }

    int cropW = cropSize(width, o.cropWidth());
    int cropH = cropSize(height, o.cropHeight());
    int widthToScale = minNonZero(cropW, width);
    int heightToScale = minNonZero(cropH, height);

    Sizes z = new Sizes(o, widthToScale, heightToScale, vector);
    z.limit(maxResultSide);

    CropRect pre = preCrop(o, width, height, cropW, cropH, exifAngle, exifFlip);
    CropRect post =
        crop(z.scaledW, z.scaledH, z.resultCropW, z.resultCropH, o.gravity(), z.dprScale);
    int w = post.width();
    int h = post.height();

    Embed extend = Embed.none(w, h);
    if (o.extend().enabled()) {
      extend = embed(w, h, z.targetW, z.targetH, o.extend().gravity(), z.dprScale);
      w = extend.width();
      h = extend.height();
    }
    Embed extendAr = Embed.none(w, h);
    if (o.extendAspectRatio().enabled() && z.extendArW != 0 && z.extendArH != 0) {
      extendAr = embed(w, h, z.extendArW, z.extendArH, o.extendAspectRatio().gravity(), z.dprScale);
      w = extendAr.width();
      h = extendAr.height();
    }
    Padding p = scaled(o.padding(), z.dprScale);
    w = padded(w, p.left(), p.right());
    h = padded(h, p.top(), p.bottom());

    return new ResizePlan(
        width,
        height,
        pre,
        z.wscale,
        z.hscale,
        z.scaledW,
        z.scaledH,
        post,
        extend,
        extendAr,
        p,
        w,
        h,
        z.dprScale);
  }

  /** imgproxy's calcScale, calcSizes and limitScale state. */
  static final class Sizes {
    final Options o;
    final int widthToScale;
    final int heightToScale;
    double wscale;
    double hscale;
    double dprScale;
    int targetW;
    int targetH;
    int scaledW;
    int scaledH;
    int resultCropW;
    int resultCropH;
    int extendArW;
    int extendArH;

    Sizes(Options o, int widthToScale, int heightToScale, boolean vector) {
      this.o = o;
      this.widthToScale = widthToScale;
      this.heightToScale = heightToScale;
      calcScale(vector);
      calcSizes();
    }

    private void calcScale(boolean vector) {
      double srcW = widthToScale;
      double srcH = heightToScale;
      double dstW = o.width() == 0 ? srcW : o.width();
      double dstH = o.height() == 0 ? srcH : o.height();
      double wshrink = dstW == srcW ? 1 : srcW / dstW;
      double hshrink = dstH == srcH ? 1 : srcH / dstH;

      if (wshrink != 1 || hshrink != 1) {
        ResizingType rt = o.resizingType();
        if (rt == ResizingType.AUTO) {
          // same orientation (a square counts as landscape) -> fill, else fit
          boolean srcLandscape = srcW - srcH >= 0;
          boolean dstLandscape = dstW - dstH >= 0;
          rt = srcLandscape == dstLandscape ? ResizingType.FILL : ResizingType.FIT;
        }
        if (o.width() == 0 && rt != ResizingType.FORCE) {
          wshrink = hshrink;
        } else if (o.height() == 0 && rt != ResizingType.FORCE) {
          hshrink = wshrink;
        } else if (rt == ResizingType.FIT) {
          wshrink = hshrink = Math.max(wshrink, hshrink);
        } else if (rt == ResizingType.FILL || rt == ResizingType.FILL_DOWN) {
          wshrink = hshrink = Math.min(wshrink, hshrink);
        }
      }

      wshrink /= o.zoomX();
      hshrink /= o.zoomY();

      dprScale = o.dpr();
      if (!o.enlarge() && !vector) {
        double minShrink = Math.min(wshrink, hshrink);
        if (minShrink < 1) {
          wshrink /= minShrink;
          hshrink /= minShrink;
          // The box cannot be reached without enlarging; a dpr below 1 would move further
          // away, so imgproxy compensates, except with extend, to keep the composition.
          if (!o.extend().enabled()) {
            dprScale /= minShrink;
          }
        }
        // The largest dpr that still does not enlarge.
        dprScale = Math.min(dprScale, Math.min(wshrink, hshrink));
      }

      if (o.minWidth() > 0) {
        double minShrink = srcW / o.minWidth();
        if (minShrink < wshrink) {
          hshrink /= wshrink / minShrink;
          wshrink = minShrink;
        }
      }
      if (o.minHeight() > 0) {
        double minShrink = srcH / o.minHeight();
        if (minShrink < hshrink) {
          wshrink /= hshrink / minShrink;
          hshrink = minShrink;
        }
      }

      wshrink /= dprScale;
      hshrink /= dprScale;
      // never below one pixel
      wshrink = Math.min(wshrink, srcW);
      hshrink = Math.min(hshrink, srcH);

      wscale = 1.0 / wshrink;
      hscale = 1.0 / hshrink;
    }

    private void calcSizes() {
      targetW = scale(o.width(), dprScale * o.zoomX());
      targetH = scale(o.height(), dprScale * o.zoomY());
      scaledW = scale(widthToScale, wscale);
      scaledH = scale(heightToScale, hscale);

      resultCropW = targetW;
      resultCropH = targetH;
      if (o.resizingType() == ResizingType.FILL_DOWN && !o.enlarge()) {
        // Too small to fill the box: crop to the box's aspect ratio instead.
        double diffW = (double) targetW / scaledW;
        double diffH = (double) targetH / scaledH;
        if (diffW > diffH && diffW > 1.0) {
          resultCropH = scale(scaledW, (double) targetH / targetW);
          resultCropW = scaledW;
        } else if (diffH > diffW && diffH > 1.0) {
          resultCropW = scale(scaledH, (double) targetW / targetH);
          resultCropH = scaledH;
        }
      }

      extendArW = 0;
      extendArH = 0;
      if (o.extendAspectRatio().enabled() && targetW > 0 && targetH > 0) {
        int outW = minNonZero(scaledW, resultCropW);
        int outH = minNonZero(scaledH, resultCropH);
        double diffW = (double) targetW / outW;
        double diffH = (double) targetH / outH;
        if (diffH > diffW) {
          extendArH = scale(outW, (double) targetH / targetW);
          extendArW = outW;
        } else if (diffW > diffH) {
          extendArW = scale(outH, (double) targetW / targetH);
          extendArH = outH;
        }
      }
    }

    void limit(int maxResultSide) {
      if (maxResultSide <= 0) {
        return;
      }
      int outW = minNonZero(scaledW, resultCropW);
      int outH = minNonZero(scaledH, resultCropH);
      if (o.extend().enabled()) {
        outW = Math.max(outW, targetW);
        outH = Math.max(outH, targetH);
      } else if (o.extendAspectRatio().enabled()) {
        outW = Math.max(outW, extendArW);
        outH = Math.max(outH, extendArH);
      }
      Padding p = scaled(o.padding(), dprScale);
      outW = padded(outW, p.left(), p.right());
      outH = padded(outH, p.top(), p.bottom());
      if (outW > maxResultSide || outH > maxResultSide) {
        double down = (double) maxResultSide / Math.max(outW, outH);
        wscale = Math.max(wscale * down, 1.0 / widthToScale);
        hscale = Math.max(hscale * down, 1.0 / heightToScale);
        dprScale *= down;
        calcSizes();
      }
    }
  }

  /** The crop option, computed in stored coordinates as imgproxy does, returned oriented. */
  private static CropRect preCrop(
      Options o, int width, int height, int cropW, int cropH, int exifAngle, boolean exifFlip) {
    if (cropW == 0 && cropH == 0) {
      return CropRect.full(width, height);
    }
    boolean swap = (exifAngle + o.rotate()) % 180 == 90;
    int storedW = swap ? height : width;
    int storedH = swap ? width : height;
    // Undo the user's rotate and flip, then the EXIF orientation: the reverse of applying them.
    Gravity g = turn(o.effectiveCropGravity(), o.rotate(), o.flipHorizontal(), o.flipVertical());
    g = turn(g, exifAngle, exifFlip, false);
    CropRect stored = crop(storedW, storedH, swap ? cropH : cropW, swap ? cropW : cropH, g, 1.0);
    if (stored.smart() || stored.isFull(storedW, storedH)) {
      return swap
          ? new CropRect(
              0, 0, /* width= */ stored.height(), /* height= */ stored.width(), stored.smart())
          : stored;
    }
    // Apply the orientation steps to the rectangle: EXIF rotate, EXIF flip, rotate, flip.
    Rect r = new Rect(stored.x(), stored.y(), stored.width(), stored.height(), storedW, storedH);
    r = r.rotate(exifAngle);
    if (exifFlip) {
      r = r.flipX();
    }
    r = r.rotate(o.rotate());
    if (o.flipHorizontal()) {
      r = r.flipX();
    }
    if (o.flipVertical()) {
      r = r.flipY();
    }
    return new CropRect(r.x, r.y, r.w, r.h, false);
  }

  /** A rectangle on a canvas, turned with the canvas. */
  private record Rect(int x, int y, int w, int h, int canvasW, int canvasH) {
    Rect rotate(int clockwise) {
      return switch (clockwise) {
        case 90 -> new Rect(canvasH - y - h, x, h, w, canvasH, canvasW);
        case 180 -> new Rect(canvasW - x - w, canvasH - y - h, w, h, canvasW, canvasH);
        case 270 -> new Rect(y, canvasW - x - w, h, w, canvasH, canvasW);
        default -> this;
      };
    }

    Rect flipX() {
      return new Rect(canvasW - x - w, y, w, h, canvasW, canvasH);
    }

    Rect flipY() {
      return new Rect(x, canvasH - y - h, w, h, canvasW, canvasH);
    }
  }

  /** imgproxy's cropImage: a crop of cropW x cropH (0 = whole side) positioned by gravity. */
  static CropRect crop(int imgW, int imgH, int cropW, int cropH, Gravity g, double offsetScale) {
    if (cropW == 0 && cropH == 0) {
      return CropRect.full(imgW, imgH);
    }
    cropW = Math.min(minNonZero(cropW, imgW), imgW);
    cropH = Math.min(minNonZero(cropH, imgH), imgH);
    if (cropW >= imgW && cropH >= imgH) {
      return CropRect.full(imgW, imgH);
    }
    if (g.type() == GravityType.SMART) {
      return new CropRect(0, 0, cropW, cropH, true);
    }
    int[] lt = position(imgW, imgH, cropW, cropH, g, offsetScale);
    return new CropRect(lt[0], lt[1], cropW, cropH, false);
  }

  /** imgproxy's extendImage: embeds into width x height when that is larger. */
  static Embed embed(int imgW, int imgH, int width, int height, Gravity g, double offsetScale) {
    if (width <= imgW && height <= imgH) {
      return Embed.none(imgW, imgH);
    }
    if (width <= 0) {
      width = imgW;
    }
    if (height <= 0) {
      height = imgH;
    }
    int[] lt = position(width, height, imgW, imgH, g, offsetScale);
    return new Embed(width, height, lt[0], lt[1]);
  }

  /**
   * imgproxy's calcPosition (without overflow): the left/top of an inner box in an outer one. Pixel
   * offsets scale by {@code offsetScale} (the dpr); offsets below 1 are fractions of the outer
   * size; east/south offsets push away from that edge.
   */
  static int[] position(int width, int height, int innerW, int innerH, Gravity g, double dpr) {
    GravityType t = g.type();
    if (t == GravityType.FOCUS_POINT) {
      int left = scaleToEven(width, g.x()) - innerW / 2;
      int top = scaleToEven(height, g.y()) - innerH / 2;
      return clamp(width, height, innerW, innerH, left, top);
    }
    int offX = Math.abs(g.x()) >= 1 ? (int) Math.rint(g.x() * dpr) : scaleToEven(width, g.x());
    int offY = Math.abs(g.y()) >= 1 ? (int) Math.rint(g.y() * dpr) : scaleToEven(height, g.y());
    int[] at = place(t, width, height, innerW, innerH, offX, offY);
    return clamp(width, height, innerW, innerH, at[0], at[1]);
  }

  /**
   * The left/top of a watermark of {@code innerW x innerH} in a {@code width x height} image, by a
   * compass gravity with offsets in pixels, as imgproxy's calcPosition places watermarks: centred
   * as {@link #position} centres boxes, and free to overflow the edges (offsets may push it partly
   * out), keeping at least one pixel inside.
   */
  public static int[] watermark(
      GravityType g, int width, int height, int innerW, int innerH, int dx, int dy) {
    if (!g.isCompass()) {
      throw new IllegalArgumentException("not a compass gravity: " + g.id());
    }
    int[] at = place(g, width, height, innerW, innerH, dx, dy);
    return new int[] {
      Math.clamp(at[0], -innerW + 1, width - 1), Math.clamp(at[1], -innerH + 1, height - 1)
    };
  }

  /**
   * A compass position, not yet kept inside the image: the left/top of an inner box offset from the
   * edges the gravity names, and centred (then offset) along the others.
   */
  private static int[] place(
      GravityType t, int width, int height, int innerW, int innerH, int offX, int offY) {
    int left = shrinkToEven(width - innerW + 1, 2) + offX;
    int top = shrinkToEven(height - innerH + 1, 2) + offY;
    if (t.isNorthern()) {
      top = offY;
    } else if (t.isSouthern()) {
      top = height - innerH - offY;
    }
    if (t.isWestern()) {
      left = offX;
    } else if (t.isEastern()) {
      left = width - innerW - offX;
    }
    return new int[] {left, top};
  }

  private static int[] clamp(int width, int height, int innerW, int innerH, int left, int top) {
    return new int[] {
      Math.max(0, Math.min(left, width - innerW)), Math.max(0, Math.min(top, height - innerH))
    };
  }

  private static final Map<Integer, Map<GravityType, GravityType>> ROTATED =
      Map.of(
          90, turnMap("no:we ea:no so:ea we:so nowe:sowe noea:nowe sowe:soea soea:noea"),
          180, turnMap("no:so ea:we so:no we:ea nowe:soea noea:sowe sowe:noea soea:nowe"),
          270, turnMap("no:ea ea:so so:we we:no nowe:noea noea:soea sowe:nowe soea:sowe"));
  private static final Map<GravityType, GravityType> FLIPPED_X =
      turnMap("ea:we we:ea nowe:noea noea:nowe sowe:soea soea:sowe");
  private static final Map<GravityType, GravityType> FLIPPED_Y =
      turnMap("no:so so:no nowe:sowe sowe:nowe noea:soea soea:noea");

  private static Map<GravityType, GravityType> turnMap(String pairs) {
    EnumMap<GravityType, GravityType> m = new EnumMap<>(GravityType.class);
    for (String pair : pairs.split(" ", -1)) { // a constant: no empty pairs
      String[] ab = pair.split(":", -1);
      m.put(GravityType.fromId(ab[0]).orElseThrow(), GravityType.fromId(ab[1]).orElseThrow());
    }
    return m;
  }

  /**
   * imgproxy's GravityOptions.RotateAndFlip: the gravity that, applied before the image is turned
   * by {@code angle} clockwise and flipped, selects the same region as {@code g} after.
   */
  static Gravity turn(Gravity g, int angle, boolean flipX, boolean flipY) {
    GravityType t = g.type();
    double x = g.x();
    double y = g.y();
    if (t == GravityType.SMART) {
      return g;
    }
    if (flipX) {
      t = FLIPPED_X.getOrDefault(t, t);
      if (t == GravityType.CENTER || t == GravityType.NORTH || t == GravityType.SOUTH) {
        x = -x;
      } else if (t == GravityType.FOCUS_POINT) {
        x = 1.0 - x;
      }
    }
    if (flipY) {
      t = FLIPPED_Y.getOrDefault(t, t);
      if (t == GravityType.CENTER || t == GravityType.EAST || t == GravityType.WEST) {
        y = -y;
      } else if (t == GravityType.FOCUS_POINT) {
        y = 1.0 - y;
      }
    }
    angle %= 360;
    if (ROTATED.containsKey(angle)) {
      t = ROTATED.get(angle).getOrDefault(t, t);
      double ox = x;
      double oy = y;
      switch (angle) {
        case 90 -> {
          if (t == GravityType.CENTER || t == GravityType.EAST || t == GravityType.WEST) {
            x = oy;
            y = -ox;
          } else if (t == GravityType.FOCUS_POINT) {
            x = oy;
            y = 1.0 - ox;
          } else {
            x = oy;
            y = ox;
          }
        }
        case 180 -> {
          if (t == GravityType.CENTER) {
            x = -ox;
            y = -oy;
          } else if (t == GravityType.NORTH || t == GravityType.SOUTH) {
            x = -ox;
          } else if (t == GravityType.EAST || t == GravityType.WEST) {
            y = -oy;
          } else if (t == GravityType.FOCUS_POINT) {
            x = 1.0 - ox;
            y = 1.0 - oy;
          }
        }
        default -> { // 270
          if (t == GravityType.CENTER || t == GravityType.NORTH || t == GravityType.SOUTH) {
            x = -oy;
            y = ox;
          } else if (t == GravityType.FOCUS_POINT) {
            x = 1.0 - oy;
            y = ox;
          } else {
            x = oy;
            y = ox;
          }
        }
      }
    }
    return new Gravity(t, x + 0.0, y + 0.0); // + 0.0 turns -0.0 into 0.0
  }

  static Padding scaled(Padding p, double dprScale) {
    return new Padding(
        scaleToEven(p.top(), dprScale),
        scaleToEven(p.right(), dprScale),
        scaleToEven(p.bottom(), dprScale),
        scaleToEven(p.left(), dprScale));
  }

  /**
   * A side with its two paddings, at most Integer.MAX_VALUE: a sum that wrapped to a negative size
   * would pass the result limit and fail in libvips instead.
   */
  static int padded(int side, int before, int after) {
    return (int) Math.min(Integer.MAX_VALUE, (long) side + before + after);
  }

  /** imgproxy's calcCropSize: 0 none, >= 1 pixels (truncated), else a fraction (>= 1 px). */
  static int cropSize(int orig, double crop) {
    if (crop == 0) {
      return 0;
    }
    if (crop >= 1) {
      return (int) Math.min(crop, Integer.MAX_VALUE);
    }
    return Math.max(1, scale(orig, crop));
  }

  static int minNonZero(int a, int b) {
    return a == 0 ? b : b == 0 ? a : Math.min(a, b);
  }

  /** Go's math.Round: half away from zero. */
  static int round(double a) {
    double abs = Math.abs(a);
    double t = Math.floor(abs);
    if (abs - t >= 0.5) {
      t += 1;
    }
    return (int) Math.copySign(t, a);
  }

  /** imgproxy's imath.Scale. */
  static int scale(int a, double scale) {
    return a == 0 ? 0 : round(a * scale);
  }

  /** imgproxy's imath.ScaleToEven: half to even. */
  static int scaleToEven(int a, double scale) {
    return a == 0 ? 0 : (int) Math.rint(a * scale);
  }

  /** imgproxy's imath.ShrinkToEven. */
  static int shrinkToEven(int a, double shrink) {
    return a == 0 ? 0 : (int) Math.rint(a / shrink);
  }
}
