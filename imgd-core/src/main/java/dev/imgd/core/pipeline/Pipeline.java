package dev.imgd.core.pipeline;

import dev.imgd.core.Engine;
import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImageFormat;
import dev.imgd.core.ImgdException;
import dev.imgd.core.options.CropRect;
import dev.imgd.core.options.Embed;
import dev.imgd.core.options.Padding;
import dev.imgd.core.options.ResizePlan;
import dev.imgd.core.options.Rgb;
import dev.imgd.core.plan.Orientation;
import dev.imgd.core.plan.Plan;
import dev.imgd.vips.VipsException;
import dev.imgd.vips.VipsImage;
import dev.imgd.vips.VipsOperation;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * Runs a {@link Plan} in libvips: load with shrink-on-load, to sRGB, crop, premultiplied resize,
 * orientation, crop to the target box, filters, extend, padding, watermark, flatten, metadata,
 * encode, verify. Every step takes an image and returns a new one, closing what it no longer needs,
 * so native memory is released as soon as the pipeline moves on.
 *
 * <p>Runs on the calling thread, which must be a platform thread (see VipsThreads).
 */
public final class Pipeline {
  private static final String KERNEL = "lanczos3";
  // What libvips says when the input is at fault, whichever operation the error surfaced in:
  // decoding is lazy, so a truncated JPEG fails inside jpegsave.
  private static final Pattern DECODE_FAILURE =
      Pattern.compile(
          "(?i)(premature|truncat|corrupt|out of order|read error|unexpected end|bad huffman|"
              + "damaged|incomplete|invalid|not a known|unable to (read|parse)|decode|load)");

  private static final String EXIF_COPYRIGHT = "exif-ifd0-Copyright";

  private Pipeline() {}

  /** The result of one run, already verified. */
  public record Encoded(byte[] bytes, ImageFormat format, int width, int height, int frames) {}

  /**
   * Runs the plan on the source bytes; {@code watermark} holds the watermark image's bytes when the
   * plan has one.
   */
  public static Encoded run(byte[] source, Plan plan, byte[] watermark) {
    try {
      return runUnchecked(source, plan, watermark);
    } catch (VipsException e) {
      throw classify(e);
    }
  }

  /**
   * The size of a vector document's page at scale 1 (72 dpi) and its page count. The loader reads
   * only the header: no page is rendered.
   */
  public static Engine.Page measure(byte[] source, ImageFormat format, int page) {
    if (!format.isVector()) {
      throw new IllegalArgumentException("not a vector format: " + format);
    }
    try {
      Engine.Page first = header(source, format, 0);
      // A page past the end is the caller's to refuse: report the first page's size.
      return page == 0 || page >= first.pages() ? first : header(source, format, page);
    } catch (VipsException e) {
      throw classify(e);
    }
  }

  private static Engine.Page header(byte[] source, ImageFormat format, int page) {
    VipsOperation op = VipsOperation.of(Steps.loader(format)).set("buffer", source);
    if (page > 0) {
      op.set("page", page);
    }
    try (VipsImage header = op.image()) {
      return new Engine.Page(header.width(), header.height(), header.intField("n-pages").orElse(1));
    }
  }

  private static Encoded runUnchecked(byte[] source, Plan planned, byte[] watermark) {
    Plan plan = planned;
    VipsImage image = Steps.load(source, plan);
    try {
      image = Steps.then(image, Steps::toSrgb);
      int frames = image.height() / Math.max(1, image.pageHeight());
      if (plan.frames() > 1 && frames != plan.frames()) {
        // libvips' GIF loader drops the frames of a cut file without a word (FM-11).
        throw new ImgdException(
            ErrorCode.CORRUPT_IMAGE,
            "the image is truncated or corrupt: the header lists "
                + plan.frames()
                + " frames, "
                + frames
                + " could be decoded");
      }
      if (plan.options().trim().enabled() && plan.frames() == 1) {
        // Trim reads every pixel before the crop reads them again: hold them in memory.
        VipsImage pixels = Steps.then(image, VipsImage::copyMemory);
        image = pixels;
        VipsImage trimmed = Trimmer.trim(image, plan.options().trim());
        image.close();
        image = trimmed;
        plan = Trimmer.replan(plan, image.width(), image.height());
      }
      final Plan p = plan;
      if (plan.frames() > 1) {
        image =
            Steps.eachFrame(
                image, image.pageHeight(), frames, f -> Steps.geometry(f, p, watermark));
      } else {
        image = Steps.then(image, i -> Steps.geometry(i, p, watermark));
      }
      image = Steps.then(image, img -> Steps.flattenIfOpaque(img, p));
      image = Steps.then(image, img -> Steps.metadata(img, p));
      byte[] bytes = Encoder.encode(image, plan.output());
      int width = plan.geometry().width();
      int height = plan.geometry().height();
      Verifier.verify(bytes, plan.output().format(), width, height, plan.frames());
      return new Encoded(bytes, plan.output().format(), width, height, plan.frames());
    } finally {
      image.close();
    }
  }

  private static ImgdException classify(VipsException e) {
    String reason = e.getMessage();
    String said = e.operation() == null ? reason : reason.substring(e.operation().length() + 2);
    boolean inLoader = e.operation() != null && e.operation().contains("load");
    if (inLoader || DECODE_FAILURE.matcher(said).find()) {
      return new ImgdException(
          ErrorCode.CORRUPT_IMAGE, "the image is truncated or corrupt: " + safe(reason), e);
    }
    return new ImgdException(
        ErrorCode.ENGINE_FAILED, "image processing failed: " + safe(reason), e);
  }

  // libvips messages are about the image, but keep them short and free of paths.
  static String safe(String reason) {
    String s = reason.replaceAll("/[^\\s:]+", "<path>");
    return s.length() > 300 ? s.substring(0, 300) + "..." : s;
  }

  /** The steps, each one libvips operation or a few, in the order the pipeline runs them. */
  static final class Steps {
    private Steps() {}

    /** Applies {@code op} and closes the input. */
    static VipsImage then(VipsImage in, UnaryOperator<VipsImage> op) {
      try (in) {
        return op.apply(in);
      }
    }

    static VipsImage load(byte[] source, Plan plan) {
      Plan.Load load = plan.load();
      VipsOperation op =
          VipsOperation.of(loader(plan.input()))
              .set("buffer", source)
              .set("access", "sequential")
              .set("fail_on", failOn(plan));
      ImageFormat f = plan.input();
      if (load.shrink() > 1 && f.has(ImageFormat.Trait.LOAD_SHRINK)) {
        op.set("shrink", load.shrink());
      }
      if (load.shrink() > 1 && f.has(ImageFormat.Trait.LOAD_SCALE)) {
        op.set("scale", 1.0 / load.shrink());
      }
      if (f.has(ImageFormat.Trait.PAGES)) {
        pages(op, load);
      }
      if (f.isVector()) {
        op.set("scale", load.scale());
      }
      // JPEG "autorotate" is off by default in libvips; orientation is applied by the plan.
      return op.image();
    }

    /**
     * How strict the decoder is. JPEG: "warning", because libjpeg only warns when the entropy data
     * ends early at a marker, and "truncated" would grey-fill the rest (FM-11); as sharp does by
     * default. Other formats: "truncated", as their decoders warn about harmless things too (a
     * PNG's sRGB profile, say).
     */
    static String failOn(Plan plan) {
      if (!plan.load().failOnTruncated()) {
        return "none";
      }
      return plan.input().has(ImageFormat.Trait.FAIL_ON_WARNING) ? "warning" : "truncated";
    }

    private static void pages(VipsOperation op, Plan.Load load) {
      if (load.page() > 0) {
        op.set("page", load.page());
      }
      if (load.pages() != 1) {
        op.set("n", load.pages());
      }
    }

    static String loader(ImageFormat f) {
      return f.loader();
    }

    /**
     * Embedded profiles (CMYK, P3, ProPhoto...) to sRGB through the profile; 16-bit to 8-bit; other
     * colour spaces to sRGB. Greyscale stays greyscale.
     */
    static VipsImage toSrgb(VipsImage in) {
      VipsImage img = in.share();
      if ("ushort".equals(img.format())) {
        // Scale every band, alpha included, first: libvips 8.14 clips 16-bit alpha to 255 in
        // icc_transform and colourspace. The result is 8-bit anyway.
        String eightBit = img.bands() <= 2 ? "b-w" : "srgb";
        img =
            then(
                img,
                i -> {
                  try (VipsImage scaled =
                      VipsOperation.of("linear")
                          .in(i)
                          .set("a", 1 / 257.0)
                          .set("b", 0.0)
                          .set("uchar", true)
                          .image()) {
                    return VipsOperation.of("copy")
                        .in(scaled)
                        .set("interpretation", eightBit)
                        .image();
                  }
                });
      }
      String space = img.interpretation();
      boolean cmyk = "cmyk".equals(space);
      if (img.hasField("icc-profile-data") || cmyk) {
        return then(
            img,
            i -> {
              VipsOperation op =
                  VipsOperation.of("icc_transform")
                      .in(i)
                      .set("output_profile", "srgb")
                      .set("embedded", true)
                      .set("intent", "perceptual")
                      .set("depth", 8);
              if (cmyk) {
                op.set("input_profile", "cmyk"); // used only when no profile is embedded
              }
              return op.image();
            });
      }
      if (!"srgb".equals(space) && !"b-w".equals(space) || !"uchar".equals(img.format())) {
        img =
            then(
                img,
                i -> {
                  try (VipsImage srgb =
                      VipsOperation.of("colourspace").in(i).set("space", "srgb").image()) {
                    return "uchar".equals(srgb.format())
                        ? srgb.share()
                        : VipsOperation.of("cast").in(srgb).set("format", "uchar").image();
                  }
                });
      }
      return img;
    }

    /** Splits an animation into frames, runs {@code step} on each, and joins them again. */
    static VipsImage eachFrame(
        VipsImage strip, int pageHeight, int frames, UnaryOperator<VipsImage> step) {
      List<VipsImage> done = new ArrayList<>(frames);
      try (strip) {
        for (int i = 0; i < frames; i++) {
          try (VipsImage frame =
              VipsOperation.of("extract_area")
                  .set("input", strip)
                  .set("left", 0)
                  .set("top", i * pageHeight)
                  .set("width", strip.width())
                  .set("height", pageHeight)
                  .image()) {
            done.add(step.apply(frame));
          }
        }
        VipsImage joined =
            VipsOperation.of("arrayjoin")
                .set("in", done.toArray(VipsImage[]::new))
                .set("across", 1)
                .image();
        try (joined) {
          VipsImage out = VipsOperation.of("copy").in(joined).image();
          out.setIntField("page-height", done.getFirst().height());
          return out;
        }
      } finally {
        done.forEach(VipsImage::close);
      }
    }

    /**
     * Everything that changes the geometry of one frame. The plan's geometry is in the oriented
     * frame at full resolution; the image as loaded is neither turned nor full size, so the crop is
     * taken back into the loaded frame, the image resized while still unturned, and turned once it
     * is small.
     */
    static VipsImage geometry(VipsImage in, Plan plan, byte[] watermark) {
      ResizePlan g = plan.geometry();
      Orientation turn = plan.turn();
      VipsImage img = in.share();
      if (!g.preCrop().isFull(g.sourceWidth(), g.sourceHeight())) {
        CropRect raw = turn.inverse().apply(g.preCrop(), g.sourceWidth(), g.sourceHeight());
        int rawW = turn.swapsAxes() ? g.sourceHeight() : g.sourceWidth();
        int rawH = turn.swapsAxes() ? g.sourceWidth() : g.sourceHeight();
        img =
            then(
                img,
                i ->
                    raw.smart()
                        ? smartCrop(i, scaleRect(raw, i, rawW, rawH))
                        : crop(i, scaleRect(raw, i, rawW, rawH)));
      }
      int targetW = turn.swapsAxes() ? g.resizedHeight() : g.resizedWidth();
      int targetH = turn.swapsAxes() ? g.resizedWidth() : g.resizedHeight();
      img = then(img, i -> resize(i, targetW, targetH));
      if (!turn.equals(Orientation.NONE) || g.postCrop().smart()) {
        img = then(img, VipsImage::copyMemory); // turning and attention read out of order
      }
      img = then(img, i -> orient(i, turn));
      if (!g.postCrop().isFull(img.width(), img.height())) {
        img =
            then(
                img,
                i -> g.postCrop().smart() ? smartCrop(i, g.postCrop()) : crop(i, g.postCrop()));
      }
      img = then(img, i -> Filters.apply(i, plan.options()));
      boolean transparent = !plan.options().flatten() && supportsAlpha(plan.output().format());
      for (Embed e : new Embed[] {g.extend(), g.extendAspectRatio()}) {
        if (!e.isNone(img.width(), img.height())) {
          img = then(img, i -> embed(i, e.x(), e.y(), e.width(), e.height(), plan, transparent));
        }
      }
      Padding p = g.padding();
      if (!p.isEmpty()) {
        img =
            then(
                img,
                i ->
                    embed(
                        i,
                        p.left(),
                        p.top(),
                        i.width() + p.left() + p.right(),
                        i.height() + p.top() + p.bottom(),
                        plan,
                        transparent));
      }
      if (plan.options().watermark().enabled() && watermark != null) {
        img =
            then(
                img, i -> Watermarks.apply(i, watermark, plan.options().watermark(), g.dprScale()));
      }
      return img;
    }

    static boolean supportsAlpha(ImageFormat f) {
      return f.has(ImageFormat.Trait.ALPHA);
    }

    /** A rectangle of full-resolution pixels in the frame of a shrunk-on-load image. */
    private static CropRect scaleRect(CropRect r, VipsImage in, int fullW, int fullH) {
      double sx = in.width() / (double) fullW;
      double sy = in.height() / (double) fullH;
      int x = Math.min(in.width() - 1, (int) Math.floor(r.x() * sx));
      int y = Math.min(in.height() - 1, (int) Math.floor(r.y() * sy));
      int w = Math.max(1, Math.min(in.width() - x, (int) Math.round(r.width() * sx)));
      int h = Math.max(1, Math.min(in.height() - y, (int) Math.round(r.height() * sy)));
      return new CropRect(x, y, w, h, r.smart());
    }

    static VipsImage crop(VipsImage in, CropRect r) {
      if (r.x() == 0 && r.y() == 0 && r.width() == in.width() && r.height() == in.height()) {
        return in.share();
      }
      int x = Math.min(r.x(), in.width() - 1);
      int y = Math.min(r.y(), in.height() - 1);
      return VipsOperation.of("extract_area")
          .set("input", in)
          .set("left", x)
          .set("top", y)
          .set("width", Math.min(r.width(), in.width() - x))
          .set("height", Math.min(r.height(), in.height() - y))
          .image();
    }

    static VipsImage smartCrop(VipsImage in, CropRect r) {
      return VipsOperation.of("smartcrop")
          .set("input", in)
          .set("width", Math.min(r.width(), in.width()))
          .set("height", Math.min(r.height(), in.height()))
          .set("interesting", "attention")
          .image();
    }

    /** Lanczos3 resize to exactly {@code w x h}, on premultiplied alpha. */
    static VipsImage resize(VipsImage in, int w, int h) {
      if (in.width() == w && in.height() == h) {
        return in.share();
      }
      double sx = w / (double) in.width();
      double sy = h / (double) in.height();
      if (!in.hasAlpha()) {
        return resizeOnce(in, sx, sy);
      }
      // Resizing straight alpha bleeds the colour of transparent pixels into the edges. The
      // premultiplied image goes back to the input's band format before the resize: libvips'
      // integer reducers are about twice as fast as its float ones (sharp does the same).
      try (VipsImage pre = VipsOperation.of("premultiply").in(in).image();
          VipsImage packed = VipsOperation.of("cast").in(pre).set("format", in.format()).image();
          VipsImage resized = resizeOnce(packed, sx, sy);
          VipsImage un = VipsOperation.of("unpremultiply").in(resized).image()) {
        return VipsOperation.of("cast").in(un).set("format", in.format()).image();
      }
    }

    private static VipsImage resizeOnce(VipsImage in, double sx, double sy) {
      return VipsOperation.of("resize")
          .in(in)
          .set("scale", sx)
          .set("vscale", sy)
          .set("kernel", KERNEL)
          .image();
    }

    static VipsImage orient(VipsImage in, Orientation t) {
      VipsImage img = in.share();
      if (t.quarterTurns() != 0) {
        String angle = "d" + (t.quarterTurns() * 90);
        img = then(img, i -> VipsOperation.of("rot").in(i).set("angle", angle).image());
      }
      if (t.mirror()) {
        img = then(img, i -> VipsOperation.of("flip").in(i).set("direction", "horizontal").image());
      }
      return img;
    }

    /**
     * Embeds the image at (x, y) in a canvas: transparent where the output can carry alpha and no
     * background was asked for, else the background colour.
     */
    static VipsImage embed(
        VipsImage in, int x, int y, int width, int height, Plan plan, boolean transparent) {
      Rgb bg = plan.options().background();
      VipsImage img = transparent && !in.hasAlpha() ? addAlpha(in) : in.share();
      double alpha = transparent ? 0 : 255;
      try (img) {
        return VipsOperation.of("embed")
            .in(img)
            .set("x", x)
            .set("y", y)
            .set("width", width)
            .set("height", height)
            .set("extend", "background")
            .set(
                "background",
                Colours.forBands(new double[] {bg.r(), bg.g(), bg.b(), alpha}, img.bands()))
            .image();
      }
    }

    static VipsImage embedTransparent(VipsImage in, int x, int y, int width, int height) {
      return VipsOperation.of("embed")
          .in(in)
          .set("x", x)
          .set("y", y)
          .set("width", width)
          .set("height", height)
          .set("extend", "background")
          .set("background", new double[in.bands()])
          .image();
    }

    static VipsImage addAlpha(VipsImage in) {
      return VipsOperation.of("bandjoin_const").in(in).set("c", new double[] {255}).image();
    }

    /** Formats without alpha get the background colour under transparent pixels. */
    static VipsImage flattenIfOpaque(VipsImage in, Plan plan) {
      boolean wanted = plan.options().flatten() || !supportsAlpha(plan.output().format());
      if (!in.hasAlpha() || !wanted) {
        return in.share();
      }
      Rgb bg = plan.options().background();
      return VipsOperation.of("flatten")
          .in(in)
          .set("background", new double[] {bg.r(), bg.g(), bg.b()})
          .image();
    }

    /**
     * Metadata out: GPS never survives; EXIF, XMP and IPTC go unless asked to stay, but the
     * copyright notice stays when asked (imgproxy's keep_copyright); the ICC profile (sRGB by now)
     * goes unless asked to stay. The saver then writes exactly what is left (Encoder).
     */
    static VipsImage metadata(VipsImage in, Plan plan) {
      VipsImage out = VipsOperation.of("copy").in(in).image(); // a private header to edit
      Plan.Output o = plan.output();
      boolean copyright =
          o.stripMetadata() && plan.options().keepCopyright() && out.hasField(EXIF_COPYRIGHT);
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
}
