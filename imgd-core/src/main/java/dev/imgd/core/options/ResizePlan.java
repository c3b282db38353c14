package dev.imgd.core.options;

import java.io.Serializable;

/**
 * The geometry of one request, step by step, as {@link Geometry} computes it. Every step is always
 * present and is an identity when it has nothing to do, so a pipeline may apply them in order:
 * orient the source (EXIF orientation if auto-rotate, then rotate, then flip), {@link #preCrop},
 * resize by {@link #scaleX} x {@link #scaleY} to {@link #resizedWidth} x {@link #resizedHeight},
 * {@link #postCrop}, {@link #extend}, {@link #extendAspectRatio}, {@link #padding}, giving {@link
 * #width} x {@link #height}.
 *
 * @param sourceWidth the oriented source width the plan was made for
 * @param sourceHeight the oriented source height
 * @param preCrop the crop option, in oriented source pixels
 * @param scaleX horizontal resize factor applied to the pre-cropped image
 * @param scaleY vertical resize factor
 * @param resizedWidth width after the resize
 * @param resizedHeight height after the resize
 * @param postCrop the crop to the requested box (fill, min-width...), in resized pixels
 * @param extend embedding into the requested box, relative to the post-cropped image
 * @param extendAspectRatio embedding into the requested aspect ratio, after {@code extend}
 * @param padding padding in output pixels (already scaled by dpr)
 * @param width the final width
 * @param height the final height
 * @param dprScale the effective dpr, which also scales watermark offsets
 */
public record ResizePlan(
    int sourceWidth,
    int sourceHeight,
    CropRect preCrop,
    double scaleX,
    double scaleY,
    int resizedWidth,
    int resizedHeight,
    CropRect postCrop,
    Embed extend,
    Embed extendAspectRatio,
    Padding padding,
    int width,
    int height,
    double dprScale)
    implements Serializable {

  /** Whether a crop needs libvips' smart crop (gravity {@code sm}). */
  public boolean needsSmartCrop() {
    return preCrop.smart() || postCrop.smart();
  }
}
