package dev.imgd.core.pipeline;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImageFormat;
import dev.imgd.core.ImgdException;
import dev.imgd.core.options.Encoding;
import dev.imgd.core.plan.Plan;
import dev.imgd.vips.Vips;
import dev.imgd.vips.VipsException;
import dev.imgd.vips.VipsImage;
import dev.imgd.vips.VipsOperation;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Encodes with each output format's saver, the settings its spec gives and the request's saver
 * options ({@link Encoding}); chooses the quality by autoquality and max_bytes.
 */
final class Encoder {
  private static final int MIN_QUALITY = 10;

  private Encoder() {}

  static byte[] encode(VipsImage image, Plan.Output out, Encoding encoding) {
    ImageFormat f = out.format();
    requireSaverSupport(f, encoding);
    boolean takesQuality = takesQuality(f, encoding);
    boolean search =
        takesQuality && encoding.autoquality().searches((long) image.width() * image.height());
    if (!search && (out.maxBytes() <= 0 || !takesQuality)) {
      return encodeOnce(image, out, encoding, out.quality());
    }
    // Choosing the quality needs several encodes of the same pixels: render them once.
    try (VipsImage pixels = image.copyMemory()) {
      int quality = out.quality();
      byte[] best;
      if (search) {
        AutoqualitySearch.Choice chosen = AutoqualitySearch.choose(pixels, out, encoding);
        quality = chosen.quality();
        best = chosen.bytes();
      } else {
        best = encodeOnce(pixels, out, encoding, quality);
      }
      // As imgproxy: cut quality harder the further the result is from the budget.
      while (out.maxBytes() > 0 && best.length > out.maxBytes() && quality > MIN_QUALITY) {
        double over = best.length / (double) out.maxBytes();
        quality =
            Math.max(MIN_QUALITY, (int) (quality * (over > 3 ? 0.25 : over > 1.5 ? 0.5 : 0.75)));
        best = encodeOnce(pixels, out, encoding, quality);
      }
      return best;
    }
  }

  static byte[] encodeOnce(VipsImage image, Plan.Output out, Encoding encoding, int quality) {
    ImageFormat f = out.format();
    if (!f.isOutput()) {
      throw new IllegalArgumentException(f + " cannot be written");
    }
    if (f.has(ImageFormat.Trait.OWN_CODEC)) {
      return OwnCodec.encode(image, f);
    }
    VipsOperation save = VipsOperation.of(f.saver().orElseThrow());
    f.saveOptions().forEach(save::set);
    if (f.has(ImageFormat.Trait.LOSSY)) {
      save.set("Q", quality);
    }
    saverOptions(save, f, encoding);
    keep(save, image);
    try {
      return save.in(image).bytes();
    } catch (VipsException e) {
      throw missingArgument(e).orElseThrow(() -> e);
    }
  }

  // --- the savers' options (jpeg_options, png_options, webp_options, avif_options) ------------

  /** Whether the quality changes the result: lossy formats, except lossless WebP. */
  private static boolean takesQuality(ImageFormat f, Encoding encoding) {
    return f.has(ImageFormat.Trait.LOSSY)
        && !(f == ImageFormat.WEBP
            && encoding.webp().compression() == Encoding.WebpCompression.LOSSLESS);
  }

  /** Each format's own options, as libvips' saver arguments; only what differs from its default. */
  private static void saverOptions(VipsOperation save, ImageFormat f, Encoding encoding) {
    switch (f) {
      case JPEG -> {
        Encoding.Jpeg j = encoding.jpeg();
        setIf(save, j.progressive() || j.optimizeScans(), "interlace", true);
        setIf(save, j.noSubsample(), "subsample_mode", "off");
        setIf(save, j.trellisQuant(), "trellis_quant", true);
        setIf(save, j.overshootDeringing(), "overshoot_deringing", true);
        setIf(save, j.optimizeScans(), "optimize_scans", true);
        setIf(save, j.quantTable() != 0, "quant_table", j.quantTable());
      }
      case PNG -> {
        Encoding.Png p = encoding.png();
        setIf(save, p.interlaced(), "interlace", true);
        setIf(save, p.quantize(), "palette", true);
        setIf(save, p.quantize(), "bitdepth", p.bitDepth());
      }
      case WEBP -> {
        Encoding.Webp w = encoding.webp();
        // libvips' near-lossless is lossless with a preprocessing step whose level is Q
        setIf(save, w.compression() != Encoding.WebpCompression.LOSSY, "lossless", true);
        setIf(
            save, w.compression() == Encoding.WebpCompression.NEAR_LOSSLESS, "near_lossless", true);
        setIf(save, w.smartSubsample(), "smart_subsample", true);
        setIf(save, w.preset() != Encoding.WebpPreset.DEFAULT, "preset", w.preset().id());
        save.set("effort", w.effort());
      }
      case AVIF -> {
        Encoding.Avif a = encoding.avif();
        setIf(save, a.subsample() != Encoding.Subsample.AUTO, "subsample_mode", a.subsample().id());
        save.set("effort", 9 - a.speed()); // as imgproxy: speed 0-9 is effort 9-0
      }
      default -> {}
    }
  }

  private static void setIf(VipsOperation save, boolean when, String argument, Object value) {
    if (when) {
      save.set(argument, value);
    }
  }

  /**
   * Refuses options this libvips' saver would accept and ignore: mozjpeg's (libjpeg-turbo builds
   * warn "ignoring trellis_quant") and quantisation (builds without a quantiser).
   */
  private static void requireSaverSupport(ImageFormat f, Encoding encoding) {
    if (f == ImageFormat.JPEG && !SaverSupport.mozjpeg()) {
      encoding
          .jpeg()
          .mozjpegOnly()
          .ifPresent(o -> {
            throw unsupported("jpeg_options " + o, "a libvips built with mozjpeg");
          });
    }
    if (f == ImageFormat.PNG && encoding.png().quantize() && !SaverSupport.quantises()) {
      throw unsupported(
          "png_options quantize", "a libvips built with a quantiser (libimagequant or quantizr)");
    }
  }

  /** An option the saver of this libvips has no argument for, as a typed 400. */
  private static Optional<ImgdException> missingArgument(VipsException e) {
    String message = String.valueOf(e.getMessage());
    int at = message.indexOf("no argument named '");
    if (at < 0 || e.operation() == null || !e.operation().contains("save")) {
      return Optional.empty();
    }
    String argument = message.substring(at + "no argument named '".length()).split("'", 2)[0];
    return Optional.of(
        unsupported(
            "the saver argument " + argument, "a libvips whose " + e.operation() + " has it"));
  }

  private static ImgdException unsupported(String what, String needs) {
    return new ImgdException(
        ErrorCode.BAD_OPTIONS,
        what + " needs " + needs + "; this one (libvips " + Vips.version() + ") is not");
  }

  /**
   * The saver writes exactly the metadata the pipeline left on the image. libvips 8.15 and later
   * take "keep" flags (without them savers add an EXIF block of their own); 8.14 has only the
   * all-or-nothing "strip".
   */
  private static void keep(VipsOperation save, VipsImage image) {
    List<String> kept = new ArrayList<>();
    for (String[] kind : KEEP_FLAGS) {
      if (image.hasField(kind[0])) {
        kept.add(kind[1]);
      }
    }
    int[] v = Vips.versionNumbers();
    if (v[0] > 8 || v[1] >= 15) {
      save.set("keep", kept.isEmpty() ? "none" : String.join(":", kept));
    } else if (kept.isEmpty()) {
      save.set("strip", true);
    }
  }

  private static final String[][] KEEP_FLAGS = {
    {"exif-data", "exif"}, {"xmp-data", "xmp"}, {"iptc-data", "iptc"}, {"icc-profile-data", "icc"}
  };
}
