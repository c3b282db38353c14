package dev.imgd.core.pipeline;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImageFormat;
import dev.imgd.core.ImgdException;
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
 * encode, verify. Every step takes an image and returns a new one, closing what it no longer
 * needs, so native memory is released as soon as the pipeline moves on.
 *
 * <p>Runs on the calling thread, which must be a platform thread (see VipsThreads).
 */
public final class Pipeline {
  private static final String KERNEL = "lanczos3";
  // libvips names the failing codec in its message; these mean the input, not the encoder.
  private static final Pattern DECODE_FAILURE =
      Pattern.compile(
          "(?i)(load|VipsJpeg|jpeg|png|gif|webp|heif|tiff|premature|truncat|corrupt|out of order|"
              + "read error|unexpected end|bad (huffman|data)|invalid)");

  private Pipeline() {}

  /** The result of one run, already verified. */
  public record Encoded(byte[] bytes, ImageFormat format, int width, int height, int frames) {}

  /**
   * Runs the plan on the source bytes; {@code watermark} holds the watermark image's bytes when
   * the plan has one.
   */
  public static Encoded run(byte[] source, Plan plan, byte[] watermark) {
    try {
      return runUnchecked(source, plan, watermark);
    } catch (VipsException e) {
      throw classify(e);
    }
  }

  private static Encoded runUnchecked(byte[] source, Plan plan, byte[] watermark) {
    VipsImage image = Steps.load(source, plan);
    try {
      image = Steps.then(image, Steps::toSrgb);
      int pageHeight = image.pageHeight();
      int frames = image.height() / Math.max(1, pageHeight);
      if (plan.load().pages() != 1 && frames > 1) {
        image = Steps.eachFrame(image, pageHeight, frames, f -> Steps.geometry(f, plan, watermark));
      } else {
        frames = 1;
        image = Steps.geometry(image, plan, watermark);
      }
      image = Steps.then(image, img -> Steps.flattenIfOpaque(img, plan));
      image = Steps.then(image, img -> Steps.metadata(img, plan));
      byte[] bytes = Encoder.encode(image, plan.output());
      int frameHeight = image.height() / frames;
      Verifier.verify(bytes, plan.output().format(), image.width(), frameHeight, frames);
      return new Encoded(bytes, plan.output().format(), image.width(), frameHeight, frames);
    } finally {
      image.close();
    }
  }

  private static ImgdException classify(VipsException e) {
    String reason = e.getMessage();
    if (DECODE_FAILURE.matcher(reason).find() && !reason.contains("save")) {
      return new ImgdException(
          ErrorCode.CORRUPT_IMAGE, "the image is truncated or corrupt: " + safe(reason), e);
    }
    return new ImgdException(ErrorCode.ENGINE_FAILED, "image processing failed: " + safe(reason), e);
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
              .set("fail_on", load.failOnTruncated() ? "truncated" : "none");
      switch (plan.input()) {
        case JPEG -> {
          if (load.shrink() > 1) {
            op.set("shrink", load.shrink());
          }
        }
        case WEBP -> {
          if (load.shrink() > 1) {
            op.set("scale", 1.0 / load.shrink());
          }
          pages(op, load);
        }
        case GIF, HEIC, AVIF, TIFF, PDF -> pages(op, load);
        default -> {}
      }
      // JPEG "autorotate" is off by default in libvips; orientation is applied by the plan.
      return op.image();
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
      return switch (f) {
        case JPEG -> "jpegload_buffer";
        case PNG -> "pngload_buffer";
        case WEBP -> "webpload_buffer";
        case GIF -> "gifload_buffer";
        case AVIF, HEIC -> "heifload_buffer";
        case TIFF -> "tiffload_buffer";
        case SVG -> "svgload_buffer";
        case PDF -> "pdfload_buffer";
      };
    }

    /** Embedded profiles (CMYK, P3, ProPhoto...) and 16-bit or odd colour spaces to 8-bit sRGB. */
    static VipsImage toSrgb(VipsImage in) {
      String space = in.interpretation();
      boolean cmyk = "cmyk".equals(space);
      if (in.hasField("icc-profile-data") || cmyk) {
        VipsOperation op =
            VipsOperation.of("icc_transform")
                .in(in)
                .set("output_profile", "srgb")
                .set("embedded", true)
                .set("intent", "perceptual")
                .set("depth", 8);
        if (cmyk) {
          op.set("input_profile", "cmyk"); // used only when no profile is embedded
        }
        return op.image();
      }
      if (!"srgb".equals(space) && !"b-w".equals(space) || !"uchar".equals(in.format())) {
        try (VipsImage srgb = VipsOperation.of("colourspace").in(in).set("space", "srgb").image()) {
          return "uchar".equals(srgb.format())
              ? srgb.share()
              : VipsOperation.of("cast").in(srgb).set("format", "uchar").image();
        }
      }
      return in.share();
    }

    /** Splits an animation into frames, runs {@code step} on each, and joins them again. */
    static VipsImage eachFrame(
        VipsImage strip, int pageHeight, int frames, UnaryOperator<VipsImage> step) {
      List<VipsImage> done = new ArrayList<>(frames);
      try (strip) {
        for (int i = 0; i < frames; i++) {
          VipsImage frame =
              VipsOperation.of("extract_area")
                  .in(strip)
                  .set("left", 0)
                  .set("top", i * pageHeight)
                  .set("width", strip.width())
                  .set("height", pageHeight)
                  .image();
          done.add(step.apply(frame));
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

    /** Everything that changes the geometry of one frame, in the oriented frame of the plan. */
    static VipsImage geometry(VipsImage in, Plan plan, byte[] watermark) {
      Orientation turn =
          Orientation.ofExif(plan.orientation()).thenRotate(plan.rotate());
      if (plan.flipHorizontal()) {
        turn = turn.thenMirror();
      }
      if (plan.flipVertical()) {
        turn = turn.thenFlipVertical();
      }
      VipsImage img = in;
      // The image as loaded is not yet turned: bring the plan's crop back into its frame.
      int rawW = turn.swapsAxes() ? plan.sourceHeight() : plan.sourceWidth();
      int rawH = turn.swapsAxes() ? plan.sourceWidth() : plan.sourceHeight();
      double loadScaleX = img.width() / (double) rawW;
      double loadScaleY = img.height() / (double) rawH;
      if (plan.crop() != null) {
        Plan.Rect raw = turn.inverse().apply(plan.crop(), plan.sourceWidth(), plan.sourceHeight());
        img = then(img, i -> crop(i, scaled(raw, loadScaleX, loadScaleY, i)));
      }
      int targetW = turn.swapsAxes() ? plan.resizedHeight() : plan.resizedWidth();
      int targetH = turn.swapsAxes() ? plan.resizedWidth() : plan.resizedHeight();
      img = then(img, i -> resize(i, targetW, targetH));
      if (!turn.equals(Orientation.NONE) || plan.smartCrop()) {
        img = then(img, VipsImage::copyMemory); // turning reads out of order
      }
      final Orientation t = turn;
      img = then(img, i -> orient(i, t));
      if (plan.cropAfter() != null) {
        img =
            then(
                img,
                i ->
                    plan.smartCrop()
                        ? smartCrop(i, plan.cropAfter().width(), plan.cropAfter().height())
                        : crop(i, plan.cropAfter()));
      }
      img = then(img, i -> Filters.apply(i, plan));
      if (plan.extend() != null) {
        Plan.Extend e = plan.extend();
        img = then(img, i -> embed(i, e.x(), e.y(), e.width(), e.height(), plan.background()));
      }
      if (plan.padding() != null) {
        Plan.Padding p = plan.padding();
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
                        plan.background()));
      }
      if (plan.watermark() != null && watermark != null) {
        img = then(img, i -> Watermarks.apply(i, watermark, plan.watermark()));
      }
      return img;
    }

    private static Plan.Rect scaled(Plan.Rect r, double sx, double sy, VipsImage in) {
      int x = (int) Math.floor(r.x() * sx);
      int y = (int) Math.floor(r.y() * sy);
      int w = Math.max(1, Math.min(in.width() - x, (int) Math.round(r.width() * sx)));
      int h = Math.max(1, Math.min(in.height() - y, (int) Math.round(r.height() * sy)));
      return new Plan.Rect(Math.min(x, in.width() - 1), Math.min(y, in.height() - 1), w, h);
    }

    static VipsImage crop(VipsImage in, Plan.Rect r) {
      if (r.x() == 0 && r.y() == 0 && r.width() == in.width() && r.height() == in.height()) {
        return in.share();
      }
      int x = Math.min(r.x(), in.width() - 1);
      int y = Math.min(r.y(), in.height() - 1);
      return VipsOperation.of("extract_area")
          .in(in)
          .set("left", x)
          .set("top", y)
          .set("width", Math.min(r.width(), in.width() - x))
          .set("height", Math.min(r.height(), in.height() - y))
          .image();
    }

    static VipsImage smartCrop(VipsImage in, int width, int height) {
      return VipsOperation.of("smartcrop")
          .set("input", in)
          .set("width", Math.min(width, in.width()))
          .set("height", Math.min(height, in.height()))
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
      // Resizing straight alpha bleeds the colour of transparent pixels into the edges.
      try (VipsImage pre = VipsOperation.of("premultiply").in(in).image();
          VipsImage resized = resizeOnce(pre, sx, sy);
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
        img =
            then(img, i -> VipsOperation.of("flip").in(i).set("direction", "horizontal").image());
      }
      return img;
    }

    static VipsImage embed(VipsImage in, int x, int y, int width, int height, double[] rgba) {
      return VipsOperation.of("embed")
          .in(in)
          .set("x", x)
          .set("y", y)
          .set("width", width)
          .set("height", height)
          .set("extend", "background")
          .set("background", Colours.forBands(rgba, in.bands()))
          .image();
    }

    /** Formats without alpha get the background colour under transparent pixels. */
    static VipsImage flattenIfOpaque(VipsImage in, Plan plan) {
      if (!in.hasAlpha() || plan.output().format() != ImageFormat.JPEG) {
        return in.share();
      }
      double[] bg = plan.background();
      return VipsOperation.of("flatten")
          .in(in)
          .set("background", new double[] {bg[0], bg[1], bg[2]})
          .image();
    }

    /**
     * Metadata out: GPS never survives; EXIF, XMP and IPTC go unless asked to stay; the ICC
     * profile (sRGB by now) goes unless asked to stay.
     */
    static VipsImage metadata(VipsImage in, Plan plan) {
      VipsImage out = VipsOperation.of("copy").in(in).image(); // a private header to edit
      Plan.Output o = plan.output();
      for (String field : out.fields()) {
        String f = field.toLowerCase(Locale.ROOT);
        boolean gps = f.startsWith("exif-ifd3-") || f.contains("gps");
        boolean meta =
            f.equals("exif-data")
                || f.startsWith("exif-")
                || f.equals("xmp-data")
                || f.equals("iptc-data")
                || f.equals("orientation");
        boolean icc = f.equals("icc-profile-data");
        if (gps || (meta && o.stripMetadata()) || (icc && o.stripColourProfile())) {
          out.removeField(field);
        }
      }
      if (!o.stripMetadata()) {
        // The EXIF blob may still carry the GPS IFD; libvips rebuilds EXIF from the fields
        // only partly, so drop the blob and XMP (which can hold GPS too) rather than leak it.
        out.removeField("xmp-data");
      }
      return out;
    }
  }
}
