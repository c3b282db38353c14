package dev.imgd.core.pipeline;

import dev.imgd.core.ImageFormat;
import dev.imgd.core.plan.Plan;
import dev.imgd.vips.Vips;
import dev.imgd.vips.VipsImage;
import dev.imgd.vips.VipsOperation;
import java.util.ArrayList;
import java.util.List;

/** Encodes with each output format's saver and the settings its spec gives. */
final class Encoder {
  private static final int MIN_QUALITY = 10;

  private Encoder() {}

  static byte[] encode(VipsImage image, Plan.Output out) {
    if (out.maxBytes() <= 0 || !out.format().has(ImageFormat.Trait.LOSSY)) {
      return encodeOnce(image, out, out.quality());
    }
    // Shrinking quality needs several encodes of the same pixels: render them once.
    try (VipsImage pixels = image.copyMemory()) {
      int quality = out.quality();
      byte[] best = encodeOnce(pixels, out, quality);
      // As imgproxy: cut quality harder the further the result is from the budget.
      while (best.length > out.maxBytes() && quality > MIN_QUALITY) {
        double over = best.length / (double) out.maxBytes();
        quality =
            Math.max(MIN_QUALITY, (int) (quality * (over > 3 ? 0.25 : over > 1.5 ? 0.5 : 0.75)));
        best = encodeOnce(pixels, out, quality);
      }
      return best;
    }
  }

  static byte[] encodeOnce(VipsImage image, Plan.Output out, int quality) {
    ImageFormat f = out.format();
    if (!f.isOutput()) {
      throw new IllegalArgumentException(f + " cannot be written");
    }
    VipsOperation save = VipsOperation.of(f.saver().orElseThrow());
    f.saveOptions().forEach(save::set);
    if (f.has(ImageFormat.Trait.LOSSY)) {
      save.set("Q", quality);
    }
    keep(save, image);
    return save.in(image).bytes();
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
