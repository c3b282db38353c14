package dev.imgd.server;

import dev.imgd.core.options.OptionsParser;
import java.util.List;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpFields;
import org.jspecify.annotations.Nullable;

/**
 * imgproxy's client hints (IMGD_ENABLE_CLIENT_HINTS): the device pixel ratio from {@code
 * Sec-CH-DPR}, else {@code DPR}, and the width from {@code Sec-CH-Width}, else {@code Width}. A
 * value that is not a number in range is skipped as imgproxy skips it: headers are what a browser
 * or a proxy sent, not the URL the user wrote, so junk there is no reason to refuse the image.
 */
final class ClientHints {
  /** What every answer varies with while hints are read, in imgproxy's order. */
  static final String VARY = "Sec-CH-DPR, DPR, Sec-CH-Width, Width";

  private static final List<String> DPR = List.of("Sec-CH-DPR", "DPR");
  private static final List<String> WIDTH = List.of("Sec-CH-Width", "Width");

  /** A decimal number as Go's ParseFloat reads one, without Java's extras ("2d", " 2", "0x1p1"). */
  private static final Pattern DECIMAL =
      Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

  /** A whole number as Go's Atoi reads one. */
  private static final Pattern WHOLE = Pattern.compile("[+-]?\\d{1,10}");

  private ClientHints() {}

  /** The hints {@code headers} carry; each one absent or out of range is no hint. */
  static OptionsParser.Hints read(HttpFields headers) {
    double dpr = 0;
    for (String name : DPR) {
      String v = headers.get(name);
      if (v != null && DECIMAL.matcher(v).matches()) {
        double d = Double.parseDouble(v);
        if (d > 0 && d <= OptionsParser.Hints.MAX_DPR) {
          dpr = d;
          break;
        }
      }
    }
    int width = 0;
    for (String name : WIDTH) {
      long w = whole(headers.get(name));
      if (w > 0 && w <= Integer.MAX_VALUE) {
        width = (int) w;
        break;
      }
    }
    return new OptionsParser.Hints(dpr, width);
  }

  private static long whole(@Nullable String v) {
    return v != null && WHOLE.matcher(v).matches() ? Long.parseLong(v) : 0;
  }
}
