package dev.imgd.core.pipeline;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImageFormat;
import dev.imgd.core.ImgdException;
import dev.imgd.core.options.CropRect;
import dev.imgd.core.options.Geometry;
import dev.imgd.core.options.GravityType;
import dev.imgd.core.options.Watermark;
import dev.imgd.core.probe.Probe;
import dev.imgd.vips.Vips;
import dev.imgd.vips.VipsException;
import dev.imgd.vips.VipsImage;
import dev.imgd.vips.VipsOperation;
import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Watermark compositing. libvips' composite blends in float on premultiplied values, so edges of
 * transparent, semi-transparent and opaque watermarks come out right and applying the same
 * watermark twice gives the same bytes (FM-09). The watermark is the server's image, the request's
 * ({@code wmu}, fetched by the server) or its text ({@code wmt}, rendered here); then sized,
 * turned, shadowed and faded, in that order.
 */
final class Watermarks implements Step {
  private static final int MAX_TEXT_SIDE = Watermark.MAX_TEXT_SIDE;

  /** imgproxy's default text look: black (the markup may say otherwise), sans 16. */
  private static final String FONT = "sans 16";

  /** The text is measured on a box this many times smaller than the largest render. */
  private static final int MEASURE = 8;

  private static final int TEXT_DPI = 72;

  @Override
  public void apply(Context ctx) {
    Watermark wm = ctx.plan.options().watermark();
    if (wm.enabled() && (ctx.watermark != null || !wm.text().isEmpty())) {
      ctx.then(i -> composite(i, ctx.watermark, wm, ctx.geometry().dprScale()));
    }
  }

  private static VipsImage composite(
      VipsImage base, byte @Nullable [] watermarkBytes, Watermark wm, double dpr) {
    int dx = offset(wm.position().x(), base.width(), dpr);
    int dy = offset(wm.position().y(), base.height(), dpr);
    try (VipsImage mark = prepare(base, watermarkBytes, wm);
        VipsImage overlay = position(base, mark, wm, dx, dy);
        VipsImage withAlpha = base.hasAlpha() ? base.share() : Ops.addAlpha(base);
        VipsImage composed =
            VipsOperation.of("composite2")
                .set("base", withAlpha)
                .set("overlay", overlay)
                .set("mode", "over")
                .image();
        VipsImage cast =
            VipsOperation.of("cast").in(composed).set("format", base.format()).image()) {
      if (base.hasAlpha()) {
        return cast.share();
      }
      // Only the alpha added above goes: a grey image marked in colour is RGB now (as imgproxy).
      return VipsOperation.of("extract_band")
          .in(cast)
          .set("band", 0)
          .set("n", cast.bands() - 1)
          .image();
    }
  }

  /**
   * An offset in pixels, as imgproxy takes it: 1 or more (or -1 or less) is pixels, scaled by the
   * dpr; anything between is a share of the image's side.
   */
  static int offset(double value, int side, double dpr) {
    return (int) Math.rint(Math.abs(value) >= 1 ? value * dpr : side * value);
  }

  /** The watermark on a transparent canvas the size of the base, tiled or placed by gravity. */
  private static VipsImage position(VipsImage base, VipsImage mark, Watermark wm, int dx, int dy) {
    GravityType type = wm.position().type();
    if (type.tiles()) {
      return tiles(base, mark, dx, dy, type == GravityType.CHESS);
    }
    int[] at =
        Geometry.watermark(type, base.width(), base.height(), mark.width(), mark.height(), dx, dy);
    return embedTransparent(mark, at[0], at[1], base.width(), base.height());
  }

  /**
   * The watermark tiled over the base as imgproxy tiles it: the offsets are the spacing between
   * tiles, split around each mark; an odd number of tiles each way, centred on the base. A spacing
   * wider than the base leaves one centred tile, as the base's own width does, and keeps the tile
   * within libvips' coordinate range. In {@code chess} order only the tiles of the centre one's
   * colour on a chessboard are marked: a 2x2 pattern marked on its diagonal is replicated, started
   * one tile further across when that puts a mark in the centre.
   */
  private static VipsImage tiles(
      VipsImage base, VipsImage mark, int spaceX, int spaceY, boolean chess) {
    int padX = Math.clamp(spaceX, 0, base.width());
    int padY = Math.clamp(spaceY, 0, base.height());
    int tileW = mark.width() + padX;
    int tileH = mark.height() + padY;
    int across = Math.ceilDiv(base.width(), tileW) | 1;
    int down = Math.ceilDiv(base.height(), tileH) | 1;
    int period = chess ? 2 : 1;
    int shift = chess ? (across / 2 + down / 2) % 2 : 0;
    try (VipsImage tile = pattern(mark, padX / 2, padY / 2, tileW, tileH, chess);
        VipsImage tiled =
            VipsOperation.of("replicate")
                .in(tile)
                .set("across", Math.ceilDiv(across + shift, period))
                .set("down", Math.ceilDiv(down, period))
                .image()) {
      return Ops.crop(
          tiled,
          new CropRect(
              shift * tileW + (across * tileW - base.width()) / 2,
              (down * tileH - base.height()) / 2,
              base.width(),
              base.height(),
              false));
    }
  }

  /**
   * The repeating unit: the mark at {@code x, y} in a {@code tileW x tileH} tile; in {@code chess}
   * order four tiles, the top-left and bottom-right marked. Left lazy: replicate reads it through
   * libvips' regions, never as a whole.
   */
  private static VipsImage pattern(
      VipsImage mark, int x, int y, int tileW, int tileH, boolean chess) {
    if (!chess) {
      return embedTransparent(mark, x, y, tileW, tileH);
    }
    try (VipsImage first = embedTransparent(mark, x, y, 2 * tileW, 2 * tileH)) {
      return VipsOperation.of("insert")
          .set("main", first)
          .set("sub", mark)
          .set("x", tileW + x)
          .set("y", tileH + y)
          .image();
    }
  }

  /** Decoded or rendered, sRGB, with alpha; sized, turned, shadowed, faded by the opacity. */
  private static VipsImage prepare(VipsImage base, byte @Nullable [] bytes, Watermark wm) {
    VipsImage img = wm.text().isEmpty() ? decode(bytes) : renderText(wm.text());
    img = Ops.then(img, ToSrgb::convert);
    if (!img.hasAlpha()) {
      img = Ops.then(img, Ops::addAlpha);
    }
    int[] size = size(base, img, wm);
    img = Ops.then(img, i -> Ops.resize(i, size[0], size[1]));
    // Rendered now, at most the result's size: a watermark that fails to decode is told as the
    // watermark's fault, and the turn and the shadow read it more than once.
    img = Ops.then(img, Watermarks::render);
    if (wm.rotate() != 0) {
      img = Ops.then(img, i -> rotate(i, wm.rotate()));
    }
    if (wm.shadow() > 0) {
      img = Ops.then(img, i -> shadow(i, wm.shadow()));
    }
    if (wm.opacity() < 1) {
      double[] a = new double[img.bands()];
      Arrays.fill(a, 1.0);
      a[a.length - 1] = wm.opacity();
      double[] b = new double[a.length];
      img =
          Ops.then(
              img,
              i -> {
                try (VipsImage faded =
                    VipsOperation.of("linear").in(i).set("a", a).set("b", b).image()) {
                  return VipsOperation.of("cast").in(faded).set("format", "uchar").image();
                }
              });
    }
    if ("ushort".equals(base.format())) {
      img = Ops.then(img, Watermarks::sixteenBit); // as deep as the image it marks (ph)
    }
    return img;
  }

  /** An 8-bit sRGB (or grey) image as 16-bit, every band scaled, alpha included. */
  private static VipsImage sixteenBit(VipsImage in) {
    try (VipsImage scaled =
            VipsOperation.of("linear").in(in).set("a", 257.0).set("b", 0.0).image();
        VipsImage cast = VipsOperation.of("cast").in(scaled).set("format", "ushort").image()) {
      return VipsOperation.of("copy")
          .in(cast)
          .set("interpretation", in.bands() <= 2 ? "grey16" : "rgb16")
          .image();
    }
  }

  /** Decoded as strictly as a source (see {@code Load}); the pixels are read by {@link #render}. */
  private static VipsImage decode(byte @Nullable [] bytes) {
    if (bytes == null) {
      throw new IllegalStateException("no watermark image for a watermark without text");
    }
    ImageFormat format = Probe.read(bytes).format();
    String failOn = format.has(ImageFormat.Trait.FAIL_ON_WARNING) ? "warning" : "truncated";
    try {
      if (format.has(ImageFormat.Trait.OWN_CODEC)) {
        return OwnCodec.load(bytes, format, failOn);
      }
      return VipsOperation.of(format.loader().orElseThrow())
          .set("buffer", bytes)
          .set("fail_on", failOn)
          .image();
    } catch (VipsException e) {
      throw undecodable(e);
    }
  }

  private static VipsImage render(VipsImage in) {
    try {
      return in.copyMemory();
    } catch (VipsException e) {
      throw undecodable(e);
    }
  }

  private static ImgdException undecodable(VipsException e) {
    return new ImgdException(
        ErrorCode.CORRUPT_IMAGE,
        "the watermark image cannot be decoded: "
            + Pipeline.safe(Objects.requireNonNullElse(e.getMessage(), "")),
        e);
  }

  /**
   * The watermark's size: fitted (enlarging) into the scale's share of the base, else into {@code
   * watermark_size} when one is set, as imgproxy; never larger than the image it marks.
   */
  private static int[] size(VipsImage base, VipsImage img, Watermark wm) {
    double scale = 1;
    if (wm.scale() > 0) {
      scale =
          Math.min(
              base.width() * wm.scale() / img.width(), base.height() * wm.scale() / img.height());
    } else if (wm.width() > 0 || wm.height() > 0) {
      double sx = wm.width() > 0 ? wm.width() / (double) img.width() : Double.MAX_VALUE;
      double sy = wm.height() > 0 ? wm.height() / (double) img.height() : Double.MAX_VALUE;
      scale = Math.min(sx, sy);
    }
    scale =
        Math.min(
            scale,
            Math.min(base.width() / (double) img.width(), base.height() / (double) img.height()));
    return new int[] {
      Math.max(1, (int) Math.round(img.width() * scale)),
      Math.max(1, (int) Math.round(img.height() * scale))
    };
  }

  /**
   * Turned clockwise about its centre onto a canvas that holds it whole; right angles exactly, any
   * other on premultiplied alpha, so transparent pixels do not bleed into the edges.
   */
  private static VipsImage rotate(VipsImage in, double degrees) {
    if (degrees % 90 == 0) {
      return VipsOperation.of("rot").in(in).set("angle", "d" + (int) degrees).image();
    }
    try (VipsImage pre = VipsOperation.of("premultiply").in(in).image();
        VipsImage turned =
            VipsOperation.of("rotate")
                .in(pre)
                .set("angle", degrees)
                .set("background", new double[in.bands()])
                .image();
        VipsImage un = VipsOperation.of("unpremultiply").in(turned).image()) {
      return VipsOperation.of("cast").in(un).set("format", "uchar").image();
    }
  }

  /**
   * A black shadow under the watermark: its alpha blurred by {@code sigma}, on a canvas grown by
   * three sigmas on each side so the blur is not cut.
   */
  private static VipsImage shadow(VipsImage in, double sigma) {
    int pad = (int) Math.ceil(3 * sigma);
    int w = in.width() + 2 * pad;
    int h = in.height() + 2 * pad;
    try (VipsImage canvas = embedTransparent(in, pad, pad, w, h);
        VipsImage alpha =
            VipsOperation.of("extract_band").in(canvas).set("band", in.bands() - 1).image();
        VipsImage blurred =
            VipsOperation.of("gaussblur")
                .in(alpha)
                .set("sigma", sigma)
                .set("precision", "approximate")
                .image();
        VipsImage black =
            VipsOperation.of("linear")
                .in(blurred)
                .set("a", new double[] {0, 0, 0, 1})
                .set("b", new double[4])
                .set("uchar", true)
                .image();
        VipsImage composed =
            VipsOperation.of("composite2")
                .set("base", black)
                .set("overlay", canvas)
                .set("mode", "over")
                .image()) {
      return VipsOperation.of("cast").in(composed).set("format", "uchar").image();
    }
  }

  /**
   * Renders Pango markup as RGBA. The markup may ask for any font size, so the text is first laid
   * out on a box {@link #MEASURE} times smaller than the largest render: libvips finds the dpi that
   * fits it there from the layout alone, and renders only that small box. Text that would not fit
   * {@link #MAX_TEXT_SIDE} at 72 dpi is refused before the real render allocates anything.
   */
  static VipsImage renderText(String markup) {
    if (!Vips.capabilities().has("text")) {
      throw new ImgdException(
          ErrorCode.BAD_OPTIONS,
          "watermark_text needs libvips' text operation (Pango), which this libvips "
              + Vips.version()
              + " lacks");
    }
    try {
      int fitDpi;
      try (VipsOperation.Outputs measured =
          VipsOperation.of("text")
              .set("text", markup)
              .set("font", FONT)
              .set("width", MAX_TEXT_SIDE / MEASURE)
              .set("height", MAX_TEXT_SIDE / MEASURE)
              .call("out", "autofit_dpi")) {
        fitDpi = measured.intValue("autofit_dpi");
      }
      if ((long) fitDpi * MEASURE < TEXT_DPI) {
        throw new ImgdException(
            ErrorCode.LIMIT_EXCEEDED,
            "the watermark text would render larger than "
                + MAX_TEXT_SIDE
                + "x"
                + MAX_TEXT_SIDE
                + " pixels; use a smaller font size and watermark_size to enlarge it");
      }
      return VipsOperation.of("text")
          .set("text", markup)
          .set("font", FONT)
          .set("width", MAX_TEXT_SIDE)
          .set("dpi", TEXT_DPI)
          .set("rgba", true)
          .image();
    } catch (VipsException e) {
      throw new ImgdException(
          ErrorCode.BAD_OPTIONS,
          "watermark_text cannot be rendered (is it valid Pango markup?): "
              + Pipeline.safe(Objects.requireNonNullElse(e.getMessage(), "")),
          e);
    }
  }

  private static VipsImage embedTransparent(VipsImage in, int x, int y, int width, int height) {
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
}
