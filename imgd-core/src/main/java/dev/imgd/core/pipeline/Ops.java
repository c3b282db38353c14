package dev.imgd.core.pipeline;

import dev.imgd.core.options.CropRect;
import dev.imgd.vips.VipsImage;
import dev.imgd.vips.VipsOperation;
import java.util.function.UnaryOperator;

/** The libvips operations more than one step uses. */
final class Ops {
  private static final String KERNEL = "lanczos3";

  private Ops() {}

  /** Applies {@code op} and closes the input. */
  static VipsImage then(VipsImage in, UnaryOperator<VipsImage> op) {
    try (in) {
      return op.apply(in);
    }
  }

  static VipsImage crop(VipsImage in, CropRect r) {
    if (r.x() == 0 && r.y() == 0 && r.width() == in.width() && r.height() == in.height()) {
      return in.share();
    }
    int x = Math.min(r.x(), in.width() - 1);
    int y = Math.min(r.y(), in.height() - 1);
    return VipsOperation.of("extract_area")
        .set("input", in)
        .set("left", x)
        .set("top", y)
        .set("width", Math.min(r.width(), in.width() - x))
        .set("height", Math.min(r.height(), in.height() - y))
        .image();
  }

  /**
   * libvips' attention crop. It reads its input more than once, which a sequentially loaded image
   * cannot do ("out of order read"), so the input is rendered into memory first, as imgproxy does
   * (the memory model counts it).
   */
  static VipsImage smartCrop(VipsImage in, CropRect r) {
    try (VipsImage whole = in.copyMemory()) {
      return VipsOperation.of("smartcrop")
          .set("input", whole)
          .set("width", Math.min(r.width(), whole.width()))
          .set("height", Math.min(r.height(), whole.height()))
          .set("interesting", "attention")
          .image();
    }
  }

  /** Lanczos3 resize to exactly {@code w x h}, on premultiplied alpha. */
  static VipsImage resize(VipsImage in, int w, int h) {
    if (in.width() == w && in.height() == h) {
      return in.share();
    }
    double sx = w / (double) in.width();
    double sy = h / (double) in.height();
    if (!in.hasAlpha()) {
      return resizeOnce(in, sx, sy);
    }
    // Resizing straight alpha bleeds the colour of transparent pixels into the edges. The
    // premultiplied image goes back to the input's band format before the resize: libvips'
    // integer reducers are about twice as fast as its float ones (sharp does the same).
    try (VipsImage pre = VipsOperation.of("premultiply").in(in).image();
        VipsImage packed = VipsOperation.of("cast").in(pre).set("format", in.format()).image();
        VipsImage resized = resizeOnce(packed, sx, sy);
        VipsImage un = VipsOperation.of("unpremultiply").in(resized).image()) {
      return VipsOperation.of("cast").in(un).set("format", in.format()).image();
    }
  }

  /**
   * As {@link #resize}, in linear light, as imgproxy's {@code IMGPROXY_USE_LINEAR_COLORSPACE}: to
   * scRGB (floats) before the resample, back to the image's own space and band format after, so
   * light and dark detail average as light does, not as its gamma-coded values. Each conversion
   * works line by line: nothing is held whole.
   */
  static VipsImage resizeInLinearLight(VipsImage in, int w, int h) {
    if (in.width() == w && in.height() == h) {
      return in.share();
    }
    String space = in.interpretation();
    String format = in.format();
    try (VipsImage linear = VipsOperation.of("colourspace").in(in).set("space", "scrgb").image();
        VipsImage resized = resize(linear, w, h);
        VipsImage back = VipsOperation.of("colourspace").in(resized).set("space", space).image()) {
      return format.equals(back.format())
          ? back.share()
          : VipsOperation.of("cast").in(back).set("format", format).image();
    }
  }

  private static VipsImage resizeOnce(VipsImage in, double sx, double sy) {
    return VipsOperation.of("resize")
        .in(in)
        .set("scale", sx)
        .set("vscale", sy)
        .set("kernel", KERNEL)
        .image();
  }

  /** An opaque alpha band, at the image's depth. */
  static VipsImage addAlpha(VipsImage in) {
    return VipsOperation.of("bandjoin_const")
        .in(in)
        .set("c", new double[] {Colours.maxAlpha(in)})
        .image();
  }
}
