package dev.imgd.core.pipeline;

import dev.imgd.core.options.Colour;
import dev.imgd.core.options.Rgb;
import dev.imgd.vips.VipsImage;
import dev.imgd.vips.VipsOperation;
import org.jspecify.annotations.Nullable;

/**
 * imgproxy Pro's colour options, after the other filters (imgproxy applies its filters after the
 * crop to the result and before extend): brightness and contrast, saturation, monochrome, duotone,
 * then the colour overlay. Each is a linear operation on the colour bands in sRGB (16-bit RGB when
 * preserve_hdr keeps the depth); the alpha band is kept, except that a colour overlay without
 * keep_alpha also covers transparent areas. Every operation streams: no pixel is held whole.
 */
final class Adjust implements Step {
  // Rec. 709 luma weights, for saturation (an exact grey at 0).
  private static final double[] LUMA = {0.2126, 0.7152, 0.0722};

  @Override
  public void apply(Context ctx) {
    Colour c = ctx.plan.options().colour();
    if (c.adjusts()) {
      ctx.then(i -> adjust(i, c));
    }
  }

  static VipsImage adjust(VipsImage in, Colour c) {
    boolean deep = "ushort".equals(in.format());
    double scale = deep ? 257 : 1; // 8-bit steps to the image's own
    int colourBands = in.hasAlpha() ? in.bands() - 1 : in.bands();
    VipsImage img = band(in, 0, colourBands);
    try (@Nullable VipsImage alpha = in.hasAlpha() ? band(in, colourBands, 1) : null) {
      if (colourBands < 3 && bringsColour(c)) {
        img = Ops.then(img, i -> space(i, deep ? "rgb16" : "srgb"));
      }
      if (c.brightness() != 0 || c.contrast() != 1) {
        // (x - mid) * contrast + mid + brightness, in one pass
        double mid = 128 * scale;
        double b = mid * (1 - c.contrast()) + c.brightness() * scale;
        img = Ops.then(img, i -> linear(i, new double[] {c.contrast()}, new double[] {b}));
      }
      if (c.saturation() != 1 && img.bands() >= 3) {
        img = Ops.then(img, i -> saturate(i, c.saturation()));
      }
      if (c.monochrome().intensity() > 0) {
        Colour.Tint m = c.monochrome();
        img = Ops.then(img, i -> mix(i, tint(i, m.colour(), deep), m.intensity()));
      }
      if (c.duotone().intensity() > 0) {
        Colour.Duotone d = c.duotone();
        img = Ops.then(img, i -> mix(i, duotone(i, d.dark(), d.light(), scale), d.intensity()));
      }
      VipsImage colour = Ops.then(img, i -> finish(i, deep));
      Colour.Colorize o = c.colorize();
      if (o.opacity() > 0) {
        return colorize(colour, alpha, o, scale, deep);
      }
      return alpha == null ? colour : Ops.then(colour, i -> join(i, alpha));
    }
  }

  /** Whether an option paints a colour that a greyscale image cannot show. */
  private static boolean bringsColour(Colour c) {
    return (c.monochrome().intensity() > 0 && !Colours.neutral(c.monochrome().colour()))
        || (c.duotone().intensity() > 0
            && !(Colours.neutral(c.duotone().dark()) && Colours.neutral(c.duotone().light())))
        || (c.colorize().opacity() > 0 && !Colours.neutral(c.colorize().colour()));
  }

  /** out = in * s + luma * (1 - s), with luma a weighted mean of the three bands. */
  private static VipsImage saturate(VipsImage in, double s) {
    double[] w = new double[in.bands()];
    for (int i = 0; i < 3; i++) {
      w[i] = LUMA[i] * 3;
    }
    try (VipsImage weighted = linear(in, w, new double[] {0});
        VipsImage first = band(weighted, 0, 3);
        VipsImage luma = VipsOperation.of("bandmean").in(first).image();
        VipsImage kept = linear(in, new double[] {s}, new double[] {0});
        VipsImage grey = linear(luma, new double[] {1 - s}, new double[] {0})) {
      return add(kept, grey);
    }
  }

  /**
   * The image's lightness with the colour's hue and chroma (its Lab a and b): a neutral colour, as
   * the default b3b3b3, gives a plain greyscale.
   */
  private static VipsImage tint(VipsImage in, Rgb colour, boolean deep) {
    double[] lab = lab(colour);
    try (VipsImage l = lightness(in);
        VipsImage a = linear(l, new double[] {0}, new double[] {lab[1]});
        VipsImage b = linear(l, new double[] {0}, new double[] {lab[2]});
        VipsImage joined =
            VipsOperation.of("bandjoin").set("in", new VipsImage[] {l, a, b}).image();
        VipsImage tagged =
            VipsOperation.of("copy").in(joined).set("interpretation", "lab").image()) {
      // a greyscale image is still grey here only when the colour is neutral: it stays grey
      String space = in.bands() >= 3 ? (deep ? "rgb16" : "srgb") : (deep ? "grey16" : "b-w");
      return space(tagged, space);
    }
  }

  /** dark + (light - dark) * lightness, per band. */
  private static VipsImage duotone(VipsImage in, Rgb dark, Rgb light, double scale) {
    double[] from = {dark.r(), dark.g(), dark.b()};
    double[] to = {light.r(), light.g(), light.b()};
    // a greyscale image is still grey here only when both colours are neutral: it stays grey
    int bands = in.bands() >= 3 ? 3 : 1;
    double[] a = new double[bands];
    double[] b = new double[bands];
    for (int i = 0; i < bands; i++) {
      a[i] = (to[i] - from[i]) * scale / 100; // lightness is 0..100
      b[i] = from[i] * scale;
    }
    try (VipsImage l = lightness(in)) {
      return linear(l, a, b);
    }
  }

  /** The Lab lightness, 0..100, as one float band. */
  private static VipsImage lightness(VipsImage in) {
    try (VipsImage lab = space(in, "lab")) {
      return band(lab, 0, 1);
    }
  }

  /**
   * The overlay: colour bands mixed with the colour by the opacity. Without keep_alpha the overlay
   * also covers transparency, as a layer over the image ("over": alpha' = a + o(max - a), the
   * colour weighted by each layer's share).
   */
  private static VipsImage colorize(
      VipsImage colour, @Nullable VipsImage alpha, Colour.Colorize o, double scale, boolean deep) {
    double op = o.opacity();
    double[] c = {o.colour().r() * scale, o.colour().g() * scale, o.colour().b() * scale};
    double[] paint = new double[colour.bands()];
    for (int i = 0; i < paint.length; i++) {
      paint[i] = c[i] * op;
    }
    if (alpha == null || o.keepAlpha()) {
      try (colour;
          VipsImage mixed = linear(colour, new double[] {1 - op}, paint);
          VipsImage done = finish(mixed, deep)) {
        return alpha == null ? done.share() : join(done, alpha);
      }
    }
    double max = 255 * scale;
    for (int i = 0; i < paint.length; i++) {
      paint[i] *= max;
    }
    try (colour;
        VipsImage weighted =
            VipsOperation.of("multiply").set("left", colour).set("right", alpha).image();
        VipsImage numerator = linear(weighted, new double[] {1 - op}, paint);
        VipsImage covered = linear(alpha, new double[] {1 - op}, new double[] {op * max});
        VipsImage rgb =
            VipsOperation.of("divide").set("left", numerator).set("right", covered).image();
        VipsImage rgbDone = finish(rgb, deep);
        VipsImage roundedAlpha =
            VipsOperation.of("round").in(covered).set("round", "rint").image();
        VipsImage alphaDone = cast(roundedAlpha, rgbDone.format())) {
      return join(rgbDone, alphaDone);
    }
  }

  /** in * (1 - t) + effect * t; closes the effect. */
  private static VipsImage mix(VipsImage in, VipsImage effect, double t) {
    try (effect) {
      if (t >= 1) {
        return effect.share();
      }
      try (VipsImage a = linear(in, new double[] {1 - t}, new double[] {0});
          VipsImage b = linear(effect, new double[] {t}, new double[] {0})) {
        return add(a, b);
      }
    }
  }

  /** Back to the pipeline's band format and interpretation: 8 or 16 bits, grey or RGB. */
  private static VipsImage finish(VipsImage in, boolean deep) {
    String format = deep ? "ushort" : "uchar";
    String space = in.bands() >= 3 ? (deep ? "rgb16" : "srgb") : (deep ? "grey16" : "b-w");
    // round, not truncate, the float results
    try (VipsImage rounded = VipsOperation.of("round").in(in).set("round", "rint").image();
        VipsImage cast = cast(rounded, format)) {
      return VipsOperation.of("copy").in(cast).set("interpretation", space).image();
    }
  }

  private static VipsImage join(VipsImage colour, VipsImage alpha) {
    return VipsOperation.of("bandjoin").set("in", new VipsImage[] {colour, alpha}).image();
  }

  private static VipsImage cast(VipsImage in, String format) {
    return VipsOperation.of("cast").in(in).set("format", format).image();
  }

  private static VipsImage space(VipsImage in, String space) {
    return VipsOperation.of("colourspace").in(in).set("space", space).image();
  }

  private static VipsImage band(VipsImage in, int from, int n) {
    return VipsOperation.of("extract_band").in(in).set("band", from).set("n", n).image();
  }

  private static VipsImage linear(VipsImage in, double[] a, double[] b) {
    return VipsOperation.of("linear").in(in).set("a", a).set("b", b).image();
  }

  private static VipsImage add(VipsImage left, VipsImage right) {
    return VipsOperation.of("add").set("left", left).set("right", right).image();
  }

  /** CIE Lab (D65, as libvips) of an sRGB colour. */
  static double[] lab(Rgb c) {
    double r = linearLight(c.r());
    double g = linearLight(c.g());
    double b = linearLight(c.b());
    double x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047;
    double y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b;
    double z = (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883;
    double fx = f(x);
    double fy = f(y);
    double fz = f(z);
    return new double[] {116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)};
  }

  private static double linearLight(int v) {
    double s = v / 255.0;
    return s <= 0.04045 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
  }

  private static double f(double t) {
    return t > 216 / 24389.0 ? Math.cbrt(t) : (24389 / 27.0 * t + 16) / 116;
  }
}
