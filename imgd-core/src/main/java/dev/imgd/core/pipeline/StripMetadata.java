package dev.imgd.core.pipeline;

import dev.imgd.core.plan.Plan;
import dev.imgd.vips.VipsImage;
import dev.imgd.vips.VipsOperation;
import java.util.Locale;

/**
 * Metadata out: GPS never survives; EXIF, XMP and IPTC go unless asked to stay, but the copyright
 * notice stays when asked (imgproxy's keep_copyright); the ICC profile (sRGB by now) goes unless
 * asked to stay. The saver then writes exactly what is left (Encoder).
 */
final class StripMetadata implements Step {
  private static final String EXIF_COPYRIGHT = "exif-ifd0-Copyright";

  @Override
  public Passes passes() {
    return Passes.LAST;
  }

  @Override
  public void apply(Context ctx) {
    ctx.then(i -> strip(i, ctx.plan));
  }

  private static VipsImage strip(VipsImage in, Plan plan) {
    VipsImage out = VipsOperation.of("copy").in(in).image(); // a private header to edit
    Plan.Output o = plan.output();
    boolean copyright =
        o.stripMetadata()
            && plan.options().metadata().keepCopyright()
            && out.hasField(EXIF_COPYRIGHT);
    for (String field : out.fields()) {
      String f = field.toLowerCase(Locale.ROOT);
      // libvips rebuilds the EXIF block from these fields on save: a removed field is gone.
      boolean gps = f.startsWith("exif-ifd3-") || f.contains("gps");
      boolean meta =
          f.startsWith("exif-")
              || f.equals("xmp-data")
              || f.equals("iptc-data")
              || f.equals("orientation");
      boolean keptForCopyright =
          copyright && (f.equals("exif-data") || field.equals(EXIF_COPYRIGHT));
      boolean icc = f.equals("icc-profile-data");
      if (gps
          || (meta && o.stripMetadata() && !keptForCopyright)
          || (icc && o.stripColourProfile())) {
        out.removeField(field);
      }
    }
    if (!o.stripMetadata()) {
      out.removeField("xmp-data"); // XMP can carry GPS too, and is not parsed here
    }
    return out;
  }
}
