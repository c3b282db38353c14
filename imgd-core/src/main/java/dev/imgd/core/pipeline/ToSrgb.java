package dev.imgd.core.pipeline;

import dev.imgd.vips.VipsImage;
import dev.imgd.vips.VipsOperation;

/**
 * The colour step: everything to 8-bit sRGB (or greyscale) before any pixel is resized, or to
 * 16-bit RGB (or grey) when the plan keeps a high-bit-depth source's depth (preserve_hdr).
 */
final class ToSrgb implements Step {
  @Override
  public Passes passes() {
    return Passes.FIRST;
  }

  @Override
  public void apply(Context ctx) {
    boolean keepDepth = ctx.plan.keepsHighDepth();
    ctx.then(i -> convert(i, keepDepth));
  }

  /** To 8-bit sRGB or greyscale. */
  static VipsImage convert(VipsImage in) {
    return convert(in, false);
  }

  /**
   * Embedded profiles (CMYK, P3, ProPhoto...) to sRGB through the profile; other colour spaces to
   * sRGB; greyscale stays greyscale. More than 8 bits per sample become 8, unless {@code
   * keepDepth}: then they become 16 (as imgproxy's preserve_hdr: 16-bit RGB and grey as they are,
   * anything else deeper than 8 bits to 16-bit RGB).
   */
  static VipsImage convert(VipsImage in, boolean keepDepth) {
    VipsImage img = in.share();
    boolean deep = keepDepth && !img.format().endsWith("char");
    if ("ushort".equals(img.format()) && !deep) {
      // Scale every band, alpha included, first: libvips 8.14 clips 16-bit alpha to 255 in
      // icc_transform and colourspace. The result is 8-bit anyway.
      String eightBit = img.bands() <= 2 ? "b-w" : "srgb";
      img =
          Ops.then(
              img,
              i -> {
                try (VipsImage scaled =
                    VipsOperation.of("linear")
                        .in(i)
                        .set("a", 1 / 257.0)
                        .set("b", 0.0)
                        .set("uchar", true)
                        .image()) {
                  return VipsOperation.of("copy")
                      .in(scaled)
                      .set("interpretation", eightBit)
                      .image();
                }
              });
    }
    String space = img.interpretation();
    boolean cmyk = "cmyk".equals(space);
    if (img.hasField("icc-profile-data") || cmyk) {
      return Ops.then(
          img,
          i -> {
            VipsOperation op =
                VipsOperation.of("icc_transform")
                    .in(i)
                    .set("output_profile", "srgb")
                    .set("embedded", true)
                    .set("intent", "perceptual")
                    .set("depth", deep ? 16 : 8);
            if (cmyk) {
              op.set("input_profile", "cmyk"); // used only when no profile is embedded
            }
            return op.image();
          });
    }
    String rgb = deep ? "rgb16" : "srgb";
    String grey = deep ? "grey16" : "b-w";
    String format = deep ? "ushort" : "uchar";
    if ((!rgb.equals(space) && !grey.equals(space)) || !format.equals(img.format())) {
      img =
          Ops.then(
              img,
              i -> {
                try (VipsImage converted =
                    VipsOperation.of("colourspace").in(i).set("space", rgb).image()) {
                  return format.equals(converted.format())
                      ? converted.share()
                      : VipsOperation.of("cast").in(converted).set("format", format).image();
                }
              });
    }
    return img;
  }
}
