package dev.imgd.server;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** What an Accept header (RFC 9110 §12.5.1) says of one media type, as negotiation needs it. */
final class Accept {
  private Accept() {}

  /**
   * The weight the header gives {@code mimeType} by name: its q value (1 without one), 0 when it is
   * named with q=0, with a malformed q, or not at all. A wildcard ({@code image/*}, {@code *}{@code
   * /*}) never counts: clients that cannot decode AVIF or WebP send them too, so those are offered
   * only to clients that name them, as imgproxy offers them. The first entry naming the type
   * decides.
   */
  static double quality(@Nullable String header, String mimeType) {
    if (header == null) {
      return 0;
    }
    for (String range : header.split(",", -1)) {
      String[] params = range.split(";", -1);
      if (!params[0].trim().equalsIgnoreCase(mimeType)) {
        continue;
      }
      for (int i = 1; i < params.length; i++) {
        String[] kv = params[i].split("=", 2);
        if (kv.length == 2 && kv[0].trim().toLowerCase(Locale.ROOT).equals("q")) {
          return qvalue(kv[1].trim());
        }
      }
      return 1;
    }
    return 0;
  }

  /** RFC 9110's qvalue, 0 to 1 with at most three decimals; 0 when it is not one. */
  private static double qvalue(String q) {
    if (!q.matches("0(\\.[0-9]{0,3})?|1(\\.0{0,3})?")) {
      return 0;
    }
    return Double.parseDouble(q);
  }
}
