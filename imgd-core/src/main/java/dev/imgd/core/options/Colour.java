package dev.imgd.core.options;

import java.io.Serializable;
import java.util.Objects;

/**
 * The colour options (imgproxy Pro's adjust, monochrome, duotone and colorize) and whether a
 * high-bit-depth source keeps its depth (preserve_hdr).
 *
 * @param brightness Added to each colour channel, in 8-bit steps, -255..255; default 0.
 * @param contrast Contrast factor around mid-grey, >= 0; 1 (the default) leaves it unchanged.
 * @param saturation Chroma factor, >= 0; 0 gives grey, 1 (the default) leaves it unchanged.
 * @param monochrome Monochrome: a greyscale tinted with the colour's hue, mixed in by intensity.
 * @param duotone Duotone: dark areas to one colour, light areas to another, mixed in by intensity.
 * @param colorize A colour overlay with an opacity.
 * @param preserveHdr Keep a 16-bit source 16-bit where the output format can hold it; default off.
 * @param linearLight Resize in linear light (scRGB), as imgproxy's {@code
 *     IMGPROXY_USE_LINEAR_COLORSPACE}: a server setting, no URL option; default off.
 */
public record Colour(
    int brightness,
    double contrast,
    double saturation,
    Tint monochrome,
    Duotone duotone,
    Colorize colorize,
    boolean preserveHdr,
    boolean linearLight)
    implements Serializable {
  /** imgproxy's defaults: no colour change, 8-bit output. */
  public static final Colour DEFAULTS =
      new Colour(0, 1, 1, Tint.OFF, Duotone.OFF, Colorize.OFF, false, false);

  public Colour {
    if (brightness < -255 || brightness > 255) {
      throw new IllegalArgumentException("brightness must be -255..255: " + brightness);
    }
    Check.nonNegative("contrast", contrast);
    Check.nonNegative("saturation", saturation);
    Objects.requireNonNull(monochrome, "monochrome");
    Objects.requireNonNull(duotone, "duotone");
    Objects.requireNonNull(colorize, "colorize");
  }

  /** Whether any option changes the pixels' colours. */
  public boolean adjusts() {
    return brightness != 0
        || contrast != 1
        || saturation != 1
        || monochrome.intensity() > 0
        || duotone.intensity() > 0
        || colorize.opacity() > 0;
  }

  /**
   * Monochrome.
   *
   * @param intensity 0..1: how much of the monochrome image replaces the original; 0 for none
   * @param colour the palette's base colour; a neutral grey (the default b3b3b3) gives plain grey
   */
  public record Tint(double intensity, Rgb colour) implements Serializable {
    public static final Tint OFF = new Tint(0, new Rgb(0xb3, 0xb3, 0xb3));

    public Tint {
      Check.unit("monochrome intensity", intensity);
      Objects.requireNonNull(colour, "colour");
    }
  }

  /**
   * Duotone.
   *
   * @param intensity 0..1: how much of the duotone image replaces the original; 0 for none
   * @param dark the colour of the darkest areas (default black)
   * @param light the colour of the lightest areas (default white)
   */
  public record Duotone(double intensity, Rgb dark, Rgb light) implements Serializable {
    public static final Duotone OFF = new Duotone(0, Rgb.BLACK, Rgb.WHITE);

    public Duotone {
      Check.unit("duotone intensity", intensity);
      Objects.requireNonNull(dark, "dark");
      Objects.requireNonNull(light, "light");
    }
  }

  /**
   * A colour overlay.
   *
   * @param opacity 0..1; 0 for none
   * @param colour the overlay's colour (default black)
   * @param keepAlpha keep the image's alpha; else the overlay also covers transparent areas
   */
  public record Colorize(double opacity, Rgb colour, boolean keepAlpha) implements Serializable {
    public static final Colorize OFF = new Colorize(0, Rgb.BLACK, false);

    public Colorize {
      Check.unit("colorize opacity", opacity);
      Objects.requireNonNull(colour, "colour");
    }
  }

  Colour withBrightness(int v) {
    return new Colour(
        v, contrast, saturation, monochrome, duotone, colorize, preserveHdr, linearLight);
  }

  Colour withContrast(double v) {
    return new Colour(
        brightness, v, saturation, monochrome, duotone, colorize, preserveHdr, linearLight);
  }

  Colour withSaturation(double v) {
    return new Colour(
        brightness, contrast, v, monochrome, duotone, colorize, preserveHdr, linearLight);
  }

  Colour withMonochrome(Tint v) {
    return new Colour(
        brightness, contrast, saturation, v, duotone, colorize, preserveHdr, linearLight);
  }

  Colour withDuotone(Duotone v) {
    return new Colour(
        brightness, contrast, saturation, monochrome, v, colorize, preserveHdr, linearLight);
  }

  Colour withColorize(Colorize v) {
    return new Colour(
        brightness, contrast, saturation, monochrome, duotone, v, preserveHdr, linearLight);
  }

  Colour withPreserveHdr(boolean v) {
    return new Colour(
        brightness, contrast, saturation, monochrome, duotone, colorize, v, linearLight);
  }

  Colour withLinearLight(boolean v) {
    return new Colour(
        brightness, contrast, saturation, monochrome, duotone, colorize, preserveHdr, v);
  }

  /**
   * The checks. A class of its own: a worker deserialises the nested records first, and their
   * checks must not start Colour's initialisation, which needs their defaults.
   */
  private static final class Check {
    private Check() {}

    private static void nonNegative(String what, double v) {
      if (!(v >= 0) || Double.isInfinite(v)) {
        throw new IllegalArgumentException(what + " must be a finite number >= 0: " + v);
      }
    }

    private static void unit(String what, double v) {
      if (!(v >= 0 && v <= 1)) {
        throw new IllegalArgumentException(what + " must be 0..1: " + v);
      }
    }
  }
}
