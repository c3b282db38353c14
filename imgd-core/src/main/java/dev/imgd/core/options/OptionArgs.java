package dev.imgd.core.options;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImageFormat;
import dev.imgd.core.ImgdException;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.function.DoublePredicate;
import java.util.function.IntPredicate;
import java.util.regex.Pattern;

/**
 * imgproxy's argument grammar: how one ':'-separated argument of an option reads as a number,
 * boolean, colour, gravity or format, and the {@link ErrorCode#BAD_OPTIONS} errors that name the
 * option, the argument and what was expected.
 */
final class OptionArgs {
  private static final Pattern DECIMAL =
      Pattern.compile("[+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?");
  private static final Pattern INTEGER = Pattern.compile("[+-]?\\d+");
  private static final Pattern UINT = Pattern.compile("\\d+");
  private static final Set<String> TRUE = Set.of("1", "t", "T", "true", "TRUE", "True");
  private static final Set<String> FALSE = Set.of("0", "f", "F", "false", "FALSE", "False");

  static final EnumSet<GravityType> COMPASS =
      EnumSet.range(GravityType.CENTER, GravityType.SOUTH_EAST);
  static final EnumSet<GravityType> CROP_GRAVITIES =
      with(COMPASS, GravityType.SMART, GravityType.FOCUS_POINT);
  static final EnumSet<GravityType> EXTEND_GRAVITIES = with(COMPASS, GravityType.FOCUS_POINT);
  static final EnumSet<GravityType> WATERMARK_GRAVITIES =
      with(COMPASS, GravityType.REPLICATE, GravityType.CHESS);

  private OptionArgs() {}

  static ResizingType resizingType(String n, String arg) {
    return ResizingType.fromId(arg)
        .orElseThrow(() -> invalid(n, "resizing type", arg, "fit, fill, fill-down, force or auto"));
  }

  /**
   * Parses a gravity from {@code a[from...]}. As imgproxy, offsets that are not given (or given
   * empty, as in {@code no::5}) keep their current values, smart clears them, and a focus point
   * needs both coordinates in [0, 1].
   */
  static Gravity gravity(
      String n, String[] a, int from, Gravity current, Set<GravityType> allowed) {
    int count = a.length - from;
    GravityType type =
        GravityType.fromId(a[from])
            .filter(allowed::contains)
            .orElseThrow(() -> invalid(n, "gravity", a[from], allowedIds(allowed)));
    if (type == GravityType.SMART) {
      if (count > 1) {
        throw argCount(n, a, "no offsets after sm");
      }
      return Gravity.SMART;
    }
    if (type == GravityType.FOCUS_POINT ? count != 3 : count > 3) {
      throw argCount(n, a, type == GravityType.FOCUS_POINT ? "fp:x:y" : "at most type:x:y");
    }
    double x = current.type() == GravityType.SMART ? 0 : current.x();
    double y = current.type() == GravityType.SMART ? 0 : current.y();
    if (count > 1 && !a[from + 1].isEmpty()) {
      x = decimal(n, "gravity x", a[from + 1]);
    }
    if (count > 2 && !a[from + 2].isEmpty()) {
      y = decimal(n, "gravity y", a[from + 2]);
    }
    if (type == GravityType.FOCUS_POINT && (x < 0 || x > 1 || y < 0 || y > 1)) {
      throw invalid(n, "focus point", a[from + 1] + ":" + a[from + 2], "x and y in [0, 1]");
    }
    return new Gravity(type, x, y);
  }

  private static String allowedIds(Set<GravityType> allowed) {
    StringBuilder s = new StringBuilder("one of");
    allowed.forEach(t -> s.append(' ').append(t.id()));
    return s.toString();
  }

  static boolean bool(String n, String arg) {
    if (TRUE.contains(arg)) {
      return true;
    }
    if (FALSE.contains(arg)) {
      return false;
    }
    throw invalid(n, "boolean", arg, "1, t, true, 0, f or false");
  }

  static double decimal(String n, String what, String arg) {
    if (DECIMAL.matcher(arg).matches()) {
      double d = Double.parseDouble(arg);
      if (Double.isFinite(d)) {
        return d;
      }
    }
    throw invalid(n, what, arg, "a number");
  }

  static double nonNegative(String n, String what, String arg) {
    return decimal(n, what, arg, d -> d >= 0, "a number >= 0");
  }

  static double positive(String n, String what, String arg) {
    return decimal(n, what, arg, d -> d > 0, "a number > 0");
  }

  /** A number that passes {@code ok}, described as {@code expected} when it does not. */
  private static double decimal(
      String n, String what, String arg, DoublePredicate ok, String expected) {
    double d = decimal(n, what, arg);
    if (!ok.test(d)) {
      throw invalid(n, what, arg, expected);
    }
    return d;
  }

  static int integer(String n, String what, String arg) {
    if (INTEGER.matcher(arg).matches()) {
      try {
        return Integer.parseInt(arg);
      } catch (NumberFormatException e) {
        throw invalid(n, what, arg, "an integer within range");
      }
    }
    throw invalid(n, what, arg, "an integer");
  }

  static long unixTime(String n, String arg) {
    if (INTEGER.matcher(arg).matches()) {
      try {
        return Long.parseLong(arg);
      } catch (NumberFormatException e) {
        // out of range: reported below
      }
    }
    throw invalid(n, "timestamp", arg, "a unix time in seconds");
  }

  static int nonNegInt(String n, String what, String arg) {
    return integer(n, what, arg, i -> i >= 0, "an integer >= 0");
  }

  static int percent(String n, String what, String arg) {
    return integer(n, what, arg, i -> i >= 0 && i <= 100, "an integer 0..100");
  }

  /** An integer from {@code min} to {@code max}. */
  static int integerIn(String n, String what, String arg, int min, int max) {
    return integer(n, what, arg, i -> i >= min && i <= max, "an integer " + min + ".." + max);
  }

  /** A number from 0 to 1 (an intensity or an opacity). */
  static double unit(String n, String what, String arg) {
    return decimal(n, what, arg, d -> d >= 0 && d <= 1, "a number from 0 to 1");
  }

  /** An integer that passes {@code ok}, described as {@code expected} when it does not. */
  private static int integer(String n, String what, String arg, IntPredicate ok, String expected) {
    int i = integer(n, what, arg);
    if (!ok.test(i)) {
      throw invalid(n, what, arg, expected);
    }
    return i;
  }

  static int channel(String n, String what, String arg) {
    if (UINT.matcher(arg).matches() && arg.length() <= 3 && Integer.parseInt(arg) <= 255) {
      return Integer.parseInt(arg);
    }
    throw invalid(n, what, arg, "an integer 0..255");
  }

  static Rgb hex(String n, String what, String arg) {
    try {
      return Rgb.fromHex(arg);
    } catch (IllegalArgumentException e) {
      throw invalid(n, what, arg, "3 or 6 hex digits");
    }
  }

  static ImageFormat anyFormat(String n, String arg) {
    return ImageFormat.fromExtension(arg)
        .orElseThrow(() -> invalid(n, "image format", arg, "jpg, png, webp, avif, gif, ..."));
  }

  /** A format a request may ask for; a known format imgd cannot answer is UNSUPPORTED_FORMAT. */
  static ImageFormat outputFormat(String n, String arg) {
    ImageFormat f = anyFormat(n, arg);
    if (!f.canBeAsked()) {
      throw new ImgdException(
          ErrorCode.UNSUPPORTED_FORMAT,
          "Output format " + arg.toLowerCase(Locale.ROOT) + " is not supported");
    }
    return f;
  }

  static ImgdException bad(String message) {
    return new ImgdException(ErrorCode.BAD_OPTIONS, message);
  }

  static ImgdException invalid(String n, String what, String arg, String expected) {
    return bad("Invalid " + n + " " + what + ": '" + arg + "' (expected " + expected + ")");
  }

  static ImgdException argCount(String n, String[] a, String expected) {
    return bad(
        "Invalid "
            + n
            + " arguments "
            + Arrays.toString(a)
            + ": wrong count (expected "
            + expected
            + ")");
  }

  private static EnumSet<GravityType> with(EnumSet<GravityType> base, GravityType... more) {
    EnumSet<GravityType> s = EnumSet.copyOf(base);
    s.addAll(Arrays.asList(more));
    return s;
  }
}
