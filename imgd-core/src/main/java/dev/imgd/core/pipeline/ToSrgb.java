package dev.imgd.core.pipeline;

import dev.imgd.vips.VipsImage;
import dev.imgd.vips.VipsOperation;

/** The colour step: everything to 8-bit sRGB (or greyscale) before any pixel is resized. */
final class ToSrgb implements Step {
  @Override
  public Passes passes() {
    return Passes.FIRST;
  }

  @Override
  public void apply(Context ctx) {
    ctx.then(ToSrgb::convert);
  }

  /**
   * Embedded profiles (CMYK, P3, ProPhoto...) to sRGB through the profile; 16-bit to 8-bit; other
   * colour spaces to sRGB. Greyscale stays greyscale.
   */
  static VipsImage convert(VipsImage in) {
    VipsImage img = in.share();
    if ("ushort".equals(img.format())) {
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
                    .set("depth", 8);
            if (cmyk) {
              op.set("input_profile", "cmyk"); // used only when no profile is embedded
            }
            return op.image();
          });
    }
    if ((!"srgb".equals(space) && !"b-w".equals(space)) || !"uchar".equals(img.format())) {
      img =
          Ops.then(
              img,
              i -> {
                try (VipsImage srgb =
                    VipsOperation.of("colourspace").in(i).set("space", "srgb").image()) {
                  return "uchar".equals(srgb.format())
                      ? srgb.share()
                      : VipsOperation.of("cast").in(srgb).set("format", "uchar").image();
                }
              });
    }
    return img;
  }
}
