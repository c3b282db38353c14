package dev.imgd.server;

import dev.imgd.core.ImageFormat;
import dev.imgd.core.options.Encoding;
import dev.imgd.core.options.Options;
import dev.imgd.server.settings.Settings;
import java.util.Locale;
import java.util.Map;

/**
 * The options every request starts from: imgproxy's defaults with the savers' options and
 * autoquality the settings give (IMGD_JPEG_*, IMGD_PNG_*, IMGD_WEBP_*, IMGD_AVIF_*,
 * IMGD_AUTOQUALITY_*, with IMGD_AUTOQUALITY_FORMAT_MIN and _MAX) and IMGD_PRESERVE_HDR, which jpgo,
 * pngo, webpo, avifo, aq and ph override per request, IMGD_USE_LINEAR_COLORSPACE, which no option
 * changes, and the qualities of IMGD_QUALITY and IMGD_FORMAT_QUALITY, under the URL's {@code q} and
 * {@code fq}.
 */
final class EncodingDefaults {
  /** imgproxy's IMGPROXY_QUALITY default, which the formats without a default of their own take. */
  private static final int IMGPROXY_QUALITY = 80;

  private EncodingDefaults() {}

  /**
   * @throws IllegalArgumentException naming the settings when they do not fit together
   */
  static Options of(Settings s) {
    Encoding.Autoquality autoquality;
    try {
      autoquality =
          new Encoding.Autoquality(
              Encoding.Method.valueOf(upper(s.get(Settings.AUTOQUALITY_METHOD))),
              s.get(Settings.AUTOQUALITY_TARGET),
              s.get(Settings.AUTOQUALITY_MIN),
              s.get(Settings.AUTOQUALITY_MAX),
              s.get(Settings.AUTOQUALITY_ALLOWED_ERROR),
              s.get(Settings.AUTOQUALITY_FORMAT_MIN),
              s.get(Settings.AUTOQUALITY_FORMAT_MAX),
              s.get(Settings.AUTOQUALITY_MAX_RESOLUTION));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("bad settings IMGD_AUTOQUALITY_*: " + e.getMessage(), e);
    }
    Encoding encoding =
        new Encoding(
            new Encoding.Jpeg(
                s.get(Settings.JPEG_PROGRESSIVE),
                s.get(Settings.JPEG_NO_SUBSAMPLE),
                s.get(Settings.JPEG_TRELLIS_QUANT),
                s.get(Settings.JPEG_OVERSHOOT_DERINGING),
                s.get(Settings.JPEG_OPTIMIZE_SCANS),
                s.get(Settings.JPEG_QUANT_TABLE)),
            new Encoding.Png(
                s.get(Settings.PNG_INTERLACED),
                s.get(Settings.PNG_QUANTIZE),
                s.get(Settings.PNG_QUANTIZATION_COLORS)),
            new Encoding.Webp(
                Encoding.WebpCompression.valueOf(upper(s.get(Settings.WEBP_COMPRESSION))),
                s.get(Settings.WEBP_SMART_SUBSAMPLE),
                Encoding.WebpPreset.valueOf(upper(s.get(Settings.WEBP_PRESET))),
                s.get(Settings.WEBP_EFFORT)),
            new Encoding.Avif(
                Encoding.Subsample.valueOf(upper(s.get(Settings.AVIF_SUBSAMPLE))),
                s.get(Settings.AVIF_SPEED)),
            autoquality);
    Options.Builder defaults =
        Options.builder()
            .encoding(encoding)
            .preserveHdr(s.get(Settings.PRESERVE_HDR))
            .linearLight(s.get(Settings.USE_LINEAR_COLORSPACE));
    // imgproxy's order: the URL's q, its fq, IMGPROXY_FORMAT_QUALITY over the formats' own
    // defaults (ImageFormat.defaultQuality: WebP 79, AVIF 63, JPEG XL 77), then IMGPROXY_QUALITY.
    // As fq entries of the base options, the URL's q and fq still win.
    Map<ImageFormat, Integer> perFormat = s.get(Settings.FORMAT_QUALITY);
    int quality = s.get(Settings.QUALITY);
    for (ImageFormat f : ImageFormat.values()) {
      Integer q = perFormat.get(f);
      if (q == null && f.defaultQuality() == IMGPROXY_QUALITY && quality != IMGPROXY_QUALITY) {
        q = quality;
      }
      if (q != null) {
        defaults.formatQuality(f, q);
      }
    }
    return defaults.build();
  }

  private static String upper(String id) {
    return id.toUpperCase(Locale.ROOT);
  }
}
