package dev.imgd.core.options;

import dev.imgd.core.ImageFormat;
import java.io.Serializable;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How each output format's saver is tuned, and how the quality is chosen: imgproxy's {@code
 * jpeg_options}, {@code png_options}, {@code webp_options}, {@code avif_options} and {@code
 * autoquality}, whose defaults the server's settings give (IMGD_JPEG_*, IMGD_PNG_*, ...). A
 * format's options apply only when the result is in that format.
 *
 * @param jpeg JPEG saver options
 * @param png PNG saver options
 * @param webp WebP saver options
 * @param avif AVIF saver options
 * @param autoquality how the quality is searched for; off by default
 */
public record Encoding(Jpeg jpeg, Png png, Webp webp, Avif avif, Autoquality autoquality)
    implements Serializable {
  /** imgproxy's defaults, with imgd's AVIF speed. */
  public static final Encoding DEFAULTS =
      new Encoding(Jpeg.DEFAULTS, Png.DEFAULTS, Webp.DEFAULTS, Avif.DEFAULTS, Autoquality.OFF);

  public Encoding {
    Objects.requireNonNull(jpeg, "jpeg");
    Objects.requireNonNull(png, "png");
    Objects.requireNonNull(webp, "webp");
    Objects.requireNonNull(avif, "avif");
    Objects.requireNonNull(autoquality, "autoquality");
  }

  public Encoding withJpeg(Jpeg v) {
    return new Encoding(v, png, webp, avif, autoquality);
  }

  public Encoding withPng(Png v) {
    return new Encoding(jpeg, v, webp, avif, autoquality);
  }

  public Encoding withWebp(Webp v) {
    return new Encoding(jpeg, png, v, avif, autoquality);
  }

  public Encoding withAvif(Avif v) {
    return new Encoding(jpeg, png, webp, v, autoquality);
  }

  public Encoding withAutoquality(Autoquality v) {
    return new Encoding(jpeg, png, webp, avif, v);
  }

  /**
   * JPEG saver options (libvips jpegsave). All but progressive and no_subsample need a libvips
   * built with mozjpeg.
   *
   * @param progressive progressive (interlaced) JPEG
   * @param noSubsample no chroma subsampling
   * @param trellisQuant trellis quantisation of each 8x8 block
   * @param overshootDeringing overshoot samples with extreme values (less ringing)
   * @param optimizeScans split the DCT spectrum into separate scans; implies progressive
   * @param quantTable the quantisation table, 0 to 8
   */
  public record Jpeg(
      boolean progressive,
      boolean noSubsample,
      boolean trellisQuant,
      boolean overshootDeringing,
      boolean optimizeScans,
      int quantTable)
      implements Serializable {
    public static final Jpeg DEFAULTS = new Jpeg(false, false, false, false, false, 0);

    public Jpeg {
      if (quantTable < 0 || quantTable > 8) {
        throw new IllegalArgumentException("quant_table must be 0..8: " + quantTable);
      }
    }

    /** The first option only mozjpeg has that this value turns on, by imgproxy's name. */
    public Optional<String> mozjpegOnly() {
      if (trellisQuant) {
        return Optional.of("trellis_quant");
      }
      if (overshootDeringing) {
        return Optional.of("overshoot_deringing");
      }
      if (optimizeScans) {
        return Optional.of("optimize_scans");
      }
      return quantTable != 0 ? Optional.of("quant_table") : Optional.empty();
    }
  }

  /**
   * PNG saver options (libvips pngsave).
   *
   * @param interlaced Adam7 interlacing
   * @param quantize a palette image of at most {@code quantizationColors} colours
   * @param quantizationColors the palette's size, 2 to 256
   */
  public record Png(boolean interlaced, boolean quantize, int quantizationColors)
      implements Serializable {
    public static final Png DEFAULTS = new Png(false, false, 256);

    public Png {
      if (quantizationColors < 2 || quantizationColors > 256) {
        throw new IllegalArgumentException(
            "quantization_colors must be 2..256: " + quantizationColors);
      }
    }

    /**
     * The bit depth the palette is written with, as imgproxy: libvips quantises to 2^depth colours,
     * so the palette holds at most the power of two at or above the colours asked for.
     */
    public int bitDepth() {
      return quantizationColors > 16
          ? 8
          : quantizationColors > 4 ? 4 : quantizationColors > 2 ? 2 : 1;
    }
  }

  /**
   * WebP saver options (libvips webpsave).
   *
   * @param compression lossy, near-lossless or lossless
   * @param smartSubsample sharper chroma subsampling
   * @param preset the encoder's hint about the picture
   * @param effort CPU effort 1 to 6 (settings only, as imgproxy)
   */
  public record Webp(
      WebpCompression compression, boolean smartSubsample, WebpPreset preset, int effort)
      implements Serializable {
    public static final Webp DEFAULTS =
        new Webp(WebpCompression.LOSSY, false, WebpPreset.DEFAULT, 4);

    public Webp {
      Objects.requireNonNull(compression, "compression");
      Objects.requireNonNull(preset, "preset");
      if (effort < 1 || effort > 6) {
        throw new IllegalArgumentException("WebP effort must be 1..6: " + effort);
      }
    }
  }

  /** imgproxy's WebP compression methods. */
  public enum WebpCompression {
    LOSSY,
    NEAR_LOSSLESS,
    LOSSLESS;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** libvips' (and libwebp's) WebP presets. */
  public enum WebpPreset {
    DEFAULT,
    PHOTO,
    PICTURE,
    DRAWING,
    ICON,
    TEXT;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** When chroma is subsampled: auto (below quality 90), always or never. */
  public enum Subsample {
    AUTO,
    ON,
    OFF;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * AVIF saver options (libvips heifsave with AV1).
   *
   * @param subsample chroma subsampling
   * @param speed encoder speed 0 (slowest, smallest) to 9 (settings only, as imgproxy); imgd's
   *     default 5 is libvips effort 4
   */
  public record Avif(Subsample subsample, int speed) implements Serializable {
    public static final Avif DEFAULTS = new Avif(Subsample.AUTO, 5);

    public Avif {
      Objects.requireNonNull(subsample, "subsample");
      if (speed < 0 || speed > 9) {
        throw new IllegalArgumentException("AVIF speed must be 0..9: " + speed);
      }
    }
  }

  /** imgproxy's autoquality methods; {@code ml} needs a model imgd does not have. */
  public enum Method {
    NONE,
    SIZE,
    DSSIM;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * How the quality of a lossy result is chosen, as imgproxy's autoquality.
   *
   * @param method none, size (the largest quality whose result fits {@code target} bytes) or dssim
   *     (the lowest quality whose result is within {@code allowedError} of the {@code target}
   *     structural dissimilarity)
   * @param target bytes for size, DSSIM for dssim
   * @param minQuality the lowest quality tried
   * @param maxQuality the highest quality tried
   * @param allowedError how far from the target DSSIM a result may be
   * @param formatMin the lowest quality tried per output format, over {@code minQuality}
   *     (imgproxy's IMGPROXY_AUTOQUALITY_FORMAT_MIN)
   * @param formatMax the highest quality tried per output format, over {@code maxQuality}
   * @param maxResolution the most pixels a result may have (width x height x frames) for the
   *     quality to be searched; a larger one is encoded at its quality (imgproxy's
   *     IMGPROXY_AUTOQUALITY_MAX_RESOLUTION); 0 for no limit
   */
  public record Autoquality(
      Method method,
      double target,
      int minQuality,
      int maxQuality,
      double allowedError,
      Map<ImageFormat, Integer> formatMin,
      Map<ImageFormat, Integer> formatMax,
      long maxResolution)
      implements Serializable {
    /** imgproxy's defaults, without its per-format ones: off, DSSIM 0.02 within 0.002, 70 to 80. */
    public static final Autoquality OFF = new Autoquality(Method.NONE, 0.02, 70, 80, 0.002);

    public Autoquality {
      Objects.requireNonNull(method, "method");
      formatMin = Map.copyOf(formatMin);
      formatMax = Map.copyOf(formatMax);
      if (!(target > 0) || Double.isInfinite(target)) {
        throw new IllegalArgumentException("autoquality target must be > 0: " + target);
      }
      checkRange("", minQuality, maxQuality);
      for (ImageFormat f : ImageFormat.values()) {
        checkRange(
            f.extension() + " ",
            formatMin.getOrDefault(f, minQuality),
            formatMax.getOrDefault(f, maxQuality));
      }
      if (!(allowedError >= 0) || allowedError > 1) {
        throw new IllegalArgumentException(
            "autoquality allowed error must be 0..1: " + allowedError);
      }
      if (maxResolution < 0) {
        throw new IllegalArgumentException(
            "autoquality max resolution must be >= 0: " + maxResolution);
      }
      if (method == Method.SIZE && target != Math.rint(target)) {
        throw new IllegalArgumentException(
            "autoquality size target must be whole bytes: " + target);
      }
    }

    /** The same quality range for every format. */
    public Autoquality(
        Method method, double target, int minQuality, int maxQuality, double allowedError) {
      this(method, target, minQuality, maxQuality, allowedError, Map.of(), Map.of(), 0);
    }

    private static void checkRange(String format, int min, int max) {
      if (min < 1 || max > 100 || min > max) {
        throw new IllegalArgumentException(
            "autoquality %squalities must be 1 <= min <= max <= 100: %d, %d"
                .formatted(format, min, max));
      }
    }

    /** The lowest quality tried for a result in {@code format}. */
    public int minQuality(ImageFormat format) {
      return formatMin.getOrDefault(format, minQuality);
    }

    /** The highest quality tried for a result in {@code format}. */
    public int maxQuality(ImageFormat format) {
      return formatMax.getOrDefault(format, maxQuality);
    }

    /** The same, with {@code min} to {@code max} for every format (an aq option's own range). */
    public Autoquality withRange(int min, int max) {
      return new Autoquality(
          method, target, min, max, allowedError, Map.of(), Map.of(), maxResolution);
    }

    /** Whether the quality is searched for a result of {@code pixels} (all frames together). */
    public boolean searches(long pixels) {
      return enabled() && (maxResolution == 0 || pixels <= maxResolution);
    }

    public boolean enabled() {
      return method != Method.NONE;
    }
  }
}
