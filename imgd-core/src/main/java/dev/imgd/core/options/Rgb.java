package dev.imgd.core.options;

import java.io.Serializable;
import java.util.HexFormat;
import java.util.Locale;

/**
 * An opaque sRGB colour.
 *
 * @param r red, 0..255
 * @param g green, 0..255
 * @param b blue, 0..255
 */
public record Rgb(int r, int g, int b) implements Serializable {
  public static final Rgb WHITE = new Rgb(255, 255, 255);
  public static final Rgb BLACK = new Rgb(0, 0, 0);

  public Rgb {
    if ((r | g | b) < 0 || r > 255 || g > 255 || b > 255) {
      throw new IllegalArgumentException(
          "colour channels must be 0..255: " + r + "," + g + "," + b);
    }
  }

  /**
   * Parses a hex colour as imgproxy does: "rrggbb" or the short "rgb" (each digit doubled), no
   * leading '#'.
   *
   * @throws IllegalArgumentException if {@code hex} is not 3 or 6 hex digits
   */
  public static Rgb fromHex(String hex) {
    if (hex == null || (hex.length() != 3 && hex.length() != 6)) {
      throw new IllegalArgumentException("expected 3 or 6 hex digits: " + hex);
    }
    for (int i = 0; i < hex.length(); i++) {
      if (Character.digit(hex.charAt(i), 16) < 0) {
        throw new IllegalArgumentException("expected 3 or 6 hex digits: " + hex);
      }
    }
    if (hex.length() == 3) {
      return new Rgb(
          Character.digit(hex.charAt(0), 16) * 17,
          Character.digit(hex.charAt(1), 16) * 17,
          Character.digit(hex.charAt(2), 16) * 17);
    }
    int v = HexFormat.fromHexDigits(hex);
    return new Rgb(v >> 16, (v >> 8) & 0xff, v & 0xff);
  }

  /** Six lower-case hex digits, e.g. "ff0000". */
  public String toHex() {
    return String.format(Locale.ROOT, "%02x%02x%02x", r, g, b);
  }
}
