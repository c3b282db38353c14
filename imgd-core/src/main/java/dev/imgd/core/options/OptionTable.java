package dev.imgd.core.options;

import static dev.imgd.core.options.OptionArgs.CROP_GRAVITIES;
import static dev.imgd.core.options.OptionArgs.EXTEND_GRAVITIES;
import static dev.imgd.core.options.OptionArgs.WATERMARK_GRAVITIES;
import static dev.imgd.core.options.OptionArgs.anyFormat;
import static dev.imgd.core.options.OptionArgs.argCount;
import static dev.imgd.core.options.OptionArgs.bad;
import static dev.imgd.core.options.OptionArgs.bool;
import static dev.imgd.core.options.OptionArgs.channel;
import static dev.imgd.core.options.OptionArgs.decimal;
import static dev.imgd.core.options.OptionArgs.gravity;
import static dev.imgd.core.options.OptionArgs.hex;
import static dev.imgd.core.options.OptionArgs.integer;
import static dev.imgd.core.options.OptionArgs.integerIn;
import static dev.imgd.core.options.OptionArgs.invalid;
import static dev.imgd.core.options.OptionArgs.nonNegInt;
import static dev.imgd.core.options.OptionArgs.nonNegative;
import static dev.imgd.core.options.OptionArgs.outputFormat;
import static dev.imgd.core.options.OptionArgs.percent;
import static dev.imgd.core.options.OptionArgs.positive;
import static dev.imgd.core.options.OptionArgs.resizingType;
import static dev.imgd.core.options.OptionArgs.unit;

import dev.imgd.core.ImageFormat;
import dev.imgd.core.options.OptionsParser.Request;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.ObjIntConsumer;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;
import org.jspecify.annotations.Nullable;

/**
 * Every imgproxy processing option, once: its names, its arguments, how it applies to the options
 * being built, how it writes itself into the canonical form (the result-cache key) and what it
 * does. {@link OptionsParser} parses with it, {@link Options#canonical()} writes with it and {@link
 * #markdown()} documents it (docs/options.md). A new option is one entry here and the processing
 * step that reads it.
 */
final class OptionTable {
  /** No limit on the number of arguments. */
  static final int ANY = Integer.MAX_VALUE;

  /** Applies an option's arguments to the request being parsed. */
  @FunctionalInterface
  interface Apply {
    void apply(Request r, String name, String[] args);
  }

  /**
   * One option.
   *
   * @param names the full name first, then the aliases; the shortest names it in the canonical form
   * @param args the arguments, for the docs, e.g. {@code width:height:enlarge}
   * @param maxArgs how many arguments it takes at most ({@link #ANY} for a list)
   * @param emptyKeeps whether an empty (optional) argument keeps the current value; for a
   *     one-argument option the table applies it, options with several arguments read it per
   *     argument. It records imgproxy's behaviour where imgd follows it today.
   * @param example arguments that change the defaults, for the docs and the round-trip test
   * @param doc what the option does, one line
   * @param apply how the arguments change the options being built
   * @param canonical the arguments of the option's canonical segments (none to leave it out), or
   *     null if the option is not part of the cache key (a shorthand or a header-only setting)
   */
  record Option(
      List<String> names,
      String args,
      int maxArgs,
      boolean emptyKeeps,
      String example,
      String doc,
      Apply apply,
      @Nullable Function<Options, List<String>> canonical) {
    Option {
      names = List.copyOf(names);
      Objects.requireNonNull(args, "args");
      Objects.requireNonNull(example, "example");
      Objects.requireNonNull(doc, "doc");
      Objects.requireNonNull(apply, "apply");
    }

    /** The full name. */
    String name() {
      return names.getFirst();
    }

    /**
     * Whether it sets something of the whole request (the result's format, quality, savers,
     * metadata, the answer's headers), which a chained pipeline's passes share: imgproxy's parser
     * applies these to its main options from whichever pass they are written in.
     */
    boolean wholeRequest() {
      return WHOLE_REQUEST.contains(name());
    }

    /** The name written in the canonical form. */
    String shortName() {
      return names.stream().min(Comparator.comparingInt(String::length)).orElseThrow();
    }

    /** Checks the argument count, then applies the arguments. */
    void applyTo(Request r, String name, String[] a) {
      if (a.length > maxArgs) {
        throw argCount(name, a, maxArgs == 1 ? "1" : "at most " + maxArgs);
      }
      if (emptyKeeps && maxArgs == 1 && a[0].isEmpty()) {
        return;
      }
      apply.apply(r, name, a);
    }
  }

  /**
   * The options of the whole request: imgproxy's main options (its parser's {@code o.Main()}) and
   * the Pro savers', autoquality's and fallback image's, which can only be the result's.
   */
  static final Set<String> WHOLE_REQUEST =
      Set.of(
          "strip_metadata",
          "keep_copyright",
          "strip_color_profile",
          "preserve_hdr",
          "enforce_thumbnail",
          "quality",
          "format_quality",
          "max_bytes",
          "format",
          "jpeg_options",
          "png_options",
          "webp_options",
          "avif_options",
          "autoquality",
          "skip_processing",
          "raw",
          "cachebuster",
          "expires",
          "filename",
          "return_attachment",
          "fallback_image_url");

  /**
   * The options imgproxy has only in its Pro edition; the others are in its open-source parser
   * (imgd has no option of its own).
   */
  static final Set<String> PRO =
      Set.of(
          "adjust",
          "brightness",
          "contrast",
          "saturation",
          "monochrome",
          "duotone",
          "colorize",
          "watermark_url",
          "watermark_text",
          "watermark_size",
          "watermark_rotate",
          "watermark_shadow",
          "jpeg_options",
          "png_options",
          "webp_options",
          "avif_options",
          "autoquality",
          "page",
          "pages",
          "disable_animation",
          "fallback_image_url");

  private static final List<Option> OPTIONS = table();
  private static final Map<String, Option> BY_NAME = byName(OPTIONS);

  private OptionTable() {}

  /** Every option, in canonical-form order. */
  static List<Option> options() {
    return OPTIONS;
  }

  /** The option with this name or alias, or null. */
  static @Nullable Option find(String name) {
    return BY_NAME.get(name);
  }

  /** Every option name and alias. */
  static Set<String> names() {
    return BY_NAME.keySet();
  }

  /**
   * The canonical form of {@code o}: each cache-key option's shortest name and arguments, in table
   * order, '/'-separated.
   */
  static String canonical(Options o) {
    List<String> segments = new ArrayList<>(40);
    for (Option option : OPTIONS) {
      if (option.canonical() != null) {
        for (String args : option.canonical().apply(o)) {
          segments.add(args.isEmpty() ? option.shortName() + ":" : option.shortName() + ':' + args);
        }
      }
    }
    return String.join("/", segments);
  }

  /** The options reference as Markdown, as in docs/options.md. */
  public static String markdown() {
    StringBuilder md = new StringBuilder();
    md.append("# Processing options\n\n")
        .append("Generated from `OptionTable` (imgd-core) by `OptionTable.markdown()`; ")
        .append("`OptionTableTest` fails when this file differs, and rewrites it when run with ")
        .append("`-Dimgd.writeDocs=true`.\n\n")
        .append("Options are `/`-separated `name:arg:arg` segments, e.g. ")
        .append("`rs:fill:300:200/g:sm/q:75/f:webp`. Booleans are `1`, `t`, `true` or `0`, `f`, ")
        .append("`false`. *Empty keeps*: an empty optional argument keeps the current value. ")
        .append("*Cache key*: the option writes itself into the canonical form that keys the ")
        .append(
            "result cache (the shorthands `rs`, `s` and `a` write the options they set; `exp`, ")
        .append("`fn`, `att` and `fiu` only shape the response). *Default*: the arguments the ")
        .append("option has when the URL leaves it out, as the canonical form writes them (none: ")
        .append("left out of the canonical form; blank for shorthands and response-only options). ")
        .append("*imgproxy*: `yes` for an option of imgproxy's open-source edition, `Pro` for one ")
        .append("of imgproxy Pro; imgd has no option of its own.\n\n")
        .append("| Option | Aliases | Arguments | Default | Empty keeps | Cache key | imgproxy ")
        .append("| Example | What it does |\n")
        .append("| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
    for (Option o : OPTIONS) {
      md.append("| `")
          .append(o.name())
          .append("` | ")
          .append(
              String.join(
                  ", ",
                  o.names().subList(1, o.names().size()).stream().map(a -> "`" + a + "`").toList()))
          .append(" | `")
          .append(o.args())
          .append("` | ")
          .append(defaultArgs(o))
          .append(" | ")
          .append(o.emptyKeeps() ? "yes" : "no")
          .append(" | ")
          .append(o.canonical() != null ? "yes" : "no")
          .append(" | ")
          .append(PRO.contains(o.name()) ? "Pro" : "yes")
          .append(" | ")
          .append(o.example().isEmpty() ? "" : "`" + o.shortName() + ":" + o.example() + "`")
          .append(" | ")
          .append(o.doc())
          .append(" |\n");
    }
    return md.toString();
  }

  /** An option's arguments on the defaults, for the docs. */
  private static String defaultArgs(Option o) {
    if (o.canonical() == null) {
      return "";
    }
    List<String> segments = o.canonical().apply(Options.DEFAULTS);
    return segments.isEmpty()
        ? "none"
        : String.join(" ", segments.stream().map(a -> "`" + a + "`").toList());
  }

  // --- the table ------------------------------------------------------------------------------

  private static List<Option> table() {
    List<Option> t = new ArrayList<>();
    t.add(
        new Option(
            List.of("resize", "rs"),
            "type:width:height:enlarge:extend:gravity:x:y",
            8,
            true,
            "fill:300:200:1",
            "Resizing type, size, enlarge and extend in one option.",
            OptionTable::resize,
            null));
    t.add(
        new Option(
            List.of("size", "s"),
            "width:height:enlarge:extend:gravity:x:y",
            7,
            true,
            "300:200:1",
            "Size, enlarge and extend in one option.",
            OptionTable::size,
            null));
    t.add(
        one(
            "resizing_type,rt",
            "type",
            "fill-down",
            "How the image fits the box: fit, fill, fill-down, force or auto.",
            (r, n, a) -> r.b.resizingType(resizingType(n, a[0])),
            o -> o.resizingType().id()));
    t.add(
        whole(
            "width,w",
            "width",
            "300",
            "Width in CSS pixels; 0 derives it from the height.",
            Options.Builder::width,
            Options::width));
    t.add(
        whole(
            "height,h",
            "height",
            "200",
            "Height in CSS pixels; 0 derives it from the width.",
            Options.Builder::height,
            Options::height));
    t.add(
        whole(
            "min-width,mw",
            "min width",
            "100",
            "Minimum result width; 0 for none.",
            Options.Builder::minWidth,
            Options::minWidth));
    t.add(
        whole(
            "min-height,mh",
            "min height",
            "100",
            "Minimum result height; 0 for none.",
            Options.Builder::minHeight,
            Options::minHeight));
    t.add(
        several(
            "zoom,z",
            "x:y",
            2,
            false,
            "1.5:2",
            "Zoom factors (> 0); one value zooms both axes. Unlike dpr it leaves offsets alone.",
            OptionTable::zoom,
            o -> List.of(Options.num(o.zoomX()) + ':' + Options.num(o.zoomY()))));
    t.add(
        one(
            "dpr",
            "ratio",
            "2",
            "Device pixel ratio (> 0): scales size, offsets and padding.",
            (r, n, a) -> r.b.dpr(positive(n, "dpr", a[0])),
            o -> Options.num(o.dpr())));
    t.add(
        flag(
            "enlarge,el",
            "1",
            "Whether an image smaller than the box may be enlarged.",
            Options.Builder::enlarge,
            Options::enlarge));
    t.add(
        several(
            "extend,ex",
            "bool:gravity:x:y",
            4,
            false,
            "1:so",
            "Embed the image into the requested box when it is smaller.",
            (r, n, a) -> r.b.extend(extend(n, a, 0, r.b.canvas.extend())),
            o -> List.of(extendArgs(o.extend()))));
    t.add(
        several(
            "extend_aspect_ratio,extend_ar,exar",
            "bool:gravity:x:y",
            4,
            false,
            "1:fp:0.25:0.75",
            "Embed the image into the requested aspect ratio.",
            (r, n, a) -> r.b.extendAspectRatio(extend(n, a, 0, r.b.canvas.extendAspectRatio())),
            o -> List.of(extendArgs(o.extendAspectRatio()))));
    t.add(
        several(
            "gravity,g",
            "type:x:y",
            ANY,
            false,
            "noea:5:6",
            "Gravity of the crop to the box: a compass point with offsets, sm (smart) or fp:x:y.",
            (r, n, a) -> r.b.gravity(gravity(n, a, 0, r.b.crop.gravity(), CROP_GRAVITIES)),
            o -> List.of(o.gravity().toArgs())));
    t.add(
        several(
            "crop,c",
            "width:height:gravity:x:y",
            5,
            false,
            "0.5:100:we",
            "Crop before resizing: each side a fraction below 1 or pixels, 0 for the whole side.",
            OptionTable::crop,
            o ->
                List.of(
                    o.cropWidth() == 0 && o.cropHeight() == 0
                        ? "0:0"
                        : Options.num(o.cropWidth())
                            + ':'
                            + Options.num(o.cropHeight())
                            + ':'
                            + o.effectiveCropGravity().toArgs())));
    t.add(
        several(
            "trim,t",
            "threshold:color:equal_hor:equal_ver",
            4,
            true,
            "5:fff:1:0",
            "Trim borders of the colour (or the detected one) within the threshold.",
            OptionTable::trim,
            o -> {
              Trim trim = o.crop().trim();
              return !trim.enabled()
                  ? List.of()
                  : List.of(
                      Options.num(trim.threshold())
                          + ':'
                          + (trim.smart() ? "" : trim.color().toHex())
                          + ':'
                          + bit(trim.equalHor())
                          + ':'
                          + bit(trim.equalVer()));
            }));
    t.add(
        several(
            "padding,pd",
            "top:right:bottom:left",
            4,
            true,
            "1:2:3:4",
            "Padding in CSS pixels, as the CSS shorthand.",
            OptionTable::padding,
            o -> {
              Padding p = o.padding();
              return List.of(p.top() + ":" + p.right() + ':' + p.bottom() + ':' + p.left());
            }));
    t.add(
        flag(
            "auto_rotate,ar",
            "0",
            "Whether the EXIF orientation is applied.",
            Options.Builder::autoRotate,
            Options::autoRotate));
    t.add(
        one(
            "rotate,rot",
            "angle",
            "90",
            "Clockwise rotation by a multiple of 90 degrees.",
            OptionTable::rotate,
            o -> Integer.toString(o.rotate())));
    t.add(
        several(
            "flip,fl",
            "horizontal:vertical",
            2,
            true,
            "1:0",
            "Mirror left-right and/or top-bottom, after rotation.",
            OptionTable::flip,
            o -> List.of(bit(o.flipHorizontal()) + ':' + bit(o.flipVertical()))));
    t.add(
        several(
            "background,bg",
            "color",
            ANY,
            true,
            "10:20:30",
            "Fill transparency with this colour (hex or r:g:b); empty stops filling.",
            OptionTable::background,
            o -> {
              // "bg:" alone disables flattening but keeps the colour, which still fills for
              // alpha-less output
              if (o.effects().flatten()) {
                return List.of(o.effects().background().toHex());
              }
              return o.effects().background().equals(Rgb.WHITE)
                  ? List.of()
                  : List.of(o.effects().background().toHex(), "");
            }));
    t.add(
        one(
            "blur,bl",
            "sigma",
            "2",
            "Gaussian blur sigma, up to 1000; 0 for none.",
            (r, n, a) -> r.b.blur(sigma(n, a[0], 0, 1000)),
            o -> Options.num(o.effects().blur())));
    t.add(
        one(
            "sharpen,sh",
            "sigma",
            "0.5",
            "Sharpen sigma, 0.000001 to 10; 0 for none.",
            (r, n, a) -> r.b.sharpen(sigma(n, a[0], 0.000001, 10)),
            o -> Options.num(o.effects().sharpen())));
    t.add(
        whole(
            "pixelate,pix",
            "size",
            "4",
            "Pixelate block size; 0 for none.",
            Options.Builder::pixelate,
            o -> o.effects().pixelate()));
    // --- colour: imgproxy Pro's adjust, monochrome, duotone, colorize; preserve_hdr ---------
    t.add(
        several(
            "adjust,a",
            "brightness:contrast:saturation",
            3,
            true,
            "-20:1.5:0.5",
            "Brightness, contrast and saturation in one option.",
            OptionTable::adjust,
            null));
    t.add(
        one(
            "brightness,br",
            "brightness",
            "-20",
            "Added to each colour channel, -255..255 (8-bit steps).",
            (r, n, a) -> r.b.brightness(integerIn(n, "brightness", a[0], -255, 255)),
            o -> o.colour().brightness() == 0 ? null : Integer.toString(o.colour().brightness())));
    t.add(
        one(
            "contrast,co",
            "contrast",
            "1.5",
            "Contrast factor around mid-grey (>= 0); 1 leaves it unchanged.",
            (r, n, a) -> r.b.contrast(nonNegative(n, "contrast", a[0])),
            o -> o.colour().contrast() == 1 ? null : Options.num(o.colour().contrast())));
    t.add(
        one(
            "saturation,sa",
            "saturation",
            "0.5",
            "Saturation factor (>= 0); 0 gives grey, 1 leaves it unchanged.",
            (r, n, a) -> r.b.saturation(nonNegative(n, "saturation", a[0])),
            o -> o.colour().saturation() == 1 ? null : Options.num(o.colour().saturation())));
    t.add(
        several(
            "monochrome,mc",
            "intensity:color",
            2,
            true,
            "0.8:704214",
            "Monochrome with the colour's hue (default b3b3b3: plain grey), intensity 0..1.",
            OptionTable::monochrome,
            o -> {
              Colour.Tint m = o.colour().monochrome();
              return m.intensity() == 0
                  ? List.of()
                  : List.of(Options.num(m.intensity()) + ':' + m.colour().toHex());
            }));
    t.add(
        several(
            "duotone,dt",
            "intensity:color1:color2",
            3,
            true,
            "1:000080:ffd700",
            "Dark areas to color1, light ones to color2 (default 000000, ffffff), intensity 0..1.",
            OptionTable::duotone,
            o -> {
              Colour.Duotone d = o.colour().duotone();
              return d.intensity() == 0
                  ? List.of()
                  : List.of(
                      Options.num(d.intensity())
                          + ':'
                          + d.dark().toHex()
                          + ':'
                          + d.light().toHex());
            }));
    t.add(
        several(
            "colorize,col",
            "opacity:color:keep_alpha",
            3,
            true,
            "0.3:ff0000:1",
            "Colour overlay (default 000) with opacity 0..1; keep_alpha keeps the transparency.",
            OptionTable::colorize,
            o -> {
              Colour.Colorize c = o.colour().colorize();
              return c.opacity() == 0
                  ? List.of()
                  : List.of(
                      Options.num(c.opacity())
                          + ':'
                          + c.colour().toHex()
                          + ':'
                          + bit(c.keepAlpha()));
            }));
    t.add(
        one(
            "preserve_hdr,ph",
            "bool",
            "1",
            "Keep a 16-bit source 16-bit in PNG and AVIF output, instead of 8-bit.",
            (r, n, a) -> r.b.preserveHdr(bool(n, a[0])),
            o -> o.colour().preserveHdr() ? "1" : null));
    t.add(
        several(
            "watermark,wm",
            "opacity:position:x:y:scale",
            5,
            true,
            "0.5:re:1:2:0.3",
            "Place the watermark with this opacity (0 for none), position, offsets and scale.",
            OptionTable::watermark,
            o -> {
              Watermark w = o.watermark();
              if (!w.enabled()) {
                return List.of();
              }
              Gravity p = w.position();
              return List.of(
                  Options.num(w.opacity())
                      + ':'
                      + p.type().id()
                      + ':'
                      + Options.num(p.x())
                      + ':'
                      + Options.num(p.y())
                      + ':'
                      + Options.num(w.scale()));
            }));
    // imgproxy Pro's watermark options (issue 16): which watermark, and how it looks.
    t.add(
        one(
            "watermark_url,wmu",
            "base64url",
            "aHR0cHM6Ly9leGFtcGxlLmNvbS9tYXJrLnBuZw",
            "The watermark image's URL, URL-safe base64; fetched like a source, in place of the"
                + " server's image.",
            (r, n, a) -> r.b.watermark(r.b.watermark.withSource(base64Text(n, "url", a[0]), "")),
            o -> base64Arg(o.watermark().url())));
    t.add(
        one(
            "watermark_text,wmt",
            "base64url",
            "PGI-aW1nZDwvYj4",
            "Pango markup, URL-safe base64, rendered (black sans 16 unless the markup says"
                + " otherwise) as the watermark.",
            (r, n, a) -> r.b.watermark(r.b.watermark.withSource("", watermarkText(n, a[0]))),
            o -> base64Arg(o.watermark().text())));
    t.add(
        several(
            "watermark_size,wms",
            "width:height",
            2,
            true,
            "120:40",
            "Fit the watermark into width x height (enlarging it); 0 follows the other side."
                + " Only when the watermark's scale is 0.",
            OptionTable::watermarkSize,
            o ->
                o.watermark().width() == 0 && o.watermark().height() == 0
                    ? List.of()
                    : List.of(o.watermark().width() + ":" + o.watermark().height())));
    t.add(
        one(
            "watermark_rotate,wm_rot,wmr",
            "angle",
            "30",
            "Turn the watermark clockwise by this many degrees.",
            (r, n, a) -> {
              Watermark w = r.b.watermark;
              double turn = decimal(n, "angle", a[0]) % 360;
              r.b.watermark(
                  w.withLook(w.width(), w.height(), turn < 0 ? turn + 360 : turn, w.shadow()));
            },
            o -> o.watermark().rotate() == 0 ? null : Options.num(o.watermark().rotate())));
    t.add(
        one(
            "watermark_shadow,wmsh",
            "sigma",
            "2",
            "Give the watermark a drop shadow blurred by this sigma, up to 100; 0 for none.",
            (r, n, a) -> {
              Watermark w = r.b.watermark;
              double sigma = sigma(n, a[0], 0, Watermark.MAX_SHADOW);
              r.b.watermark(w.withLook(w.width(), w.height(), w.rotate(), sigma));
            },
            o -> o.watermark().shadow() == 0 ? null : Options.num(o.watermark().shadow())));
    t.add(
        flag(
            "strip_metadata,sm",
            "0",
            "Strip EXIF, IPTC and XMP from the output.",
            Options.Builder::stripMetadata,
            o -> o.metadata().stripMetadata()));
    t.add(
        flag(
            "keep_copyright,kcr",
            "0",
            "Keep the copyright fields when stripping metadata.",
            Options.Builder::keepCopyright,
            o -> o.metadata().keepCopyright()));
    t.add(
        flag(
            "strip_color_profile,scp",
            "0",
            "Convert to sRGB and drop the ICC profile.",
            Options.Builder::stripColorProfile,
            o -> o.metadata().stripColorProfile()));
    t.add(
        flag(
            "enforce_thumbnail,eth",
            "1",
            "Use the embedded thumbnail (HEIC, AVIF) when there is one.",
            Options.Builder::enforceThumbnail,
            o -> o.input().enforceThumbnail()));
    t.add(
        one(
            "quality,q",
            "quality",
            "80",
            "Output quality 1..100; 0 for the per-format or server default.",
            (r, n, a) -> r.b.quality(percent(n, "quality", a[0])),
            o -> Integer.toString(o.output().quality())));
    t.add(
        several(
            "format_quality,fq",
            "format:quality:...",
            ANY,
            false,
            "jpg:80:webp:70",
            "Quality per output format, used when quality is 0.",
            OptionTable::formatQuality,
            o -> {
              if (o.output().formatQuality().isEmpty()) {
                return List.of();
              }
              List<String> fq = new ArrayList<>();
              o.output().formatQuality().forEach((f, q) -> fq.add(f.extension() + ':' + q));
              return List.of(String.join(":", fq));
            }));
    t.add(
        whole(
            "max_bytes,mb",
            "bytes",
            "1000",
            "Lower the quality until the result fits in this many bytes; 0 for no limit.",
            Options.Builder::maxBytes,
            o -> o.output().maxBytes()));
    t.add(
        one(
            "format,f,ext",
            "extension",
            "webp",
            "Output format; by default the source's format where imgd can write it.",
            (r, n, a) -> r.b.format(outputFormat(n, a[0])),
            o -> o.format().map(ImageFormat::extension).orElse(null)));
    // The savers' options and autoquality (issue 16): written only where they differ from
    // imgproxy's defaults, so keys without them stay as they were.
    t.add(
        several(
            "jpeg_options,jpgo",
            "progressive:no_subsample:trellis_quant:overshoot_deringing:optimize_scans:quant_table",
            6,
            true,
            "1:1:1:0:0:3",
            "JPEG saver: progressive, no chroma subsampling, and (mozjpeg) trellis quantisation,"
                + " overshoot deringing, optimised scans, quantisation table 0-8.",
            OptionTable::jpegOptions,
            o -> {
              Encoding.Jpeg j = o.encoding().jpeg();
              return j.equals(Encoding.Jpeg.DEFAULTS)
                  ? List.of()
                  : List.of(
                      String.join(
                          ":",
                          bit(j.progressive()),
                          bit(j.noSubsample()),
                          bit(j.trellisQuant()),
                          bit(j.overshootDeringing()),
                          bit(j.optimizeScans()),
                          Integer.toString(j.quantTable())));
            }));
    t.add(
        several(
            "png_options,pngo",
            "interlaced:quantize:quantization_colors",
            3,
            true,
            "1:1:16",
            "PNG saver: Adam7 interlacing, and a palette of at most 2-256 colours (rounded up to a"
                + " power of two, as imgproxy).",
            OptionTable::pngOptions,
            o -> {
              Encoding.Png p = o.encoding().png();
              return p.equals(Encoding.Png.DEFAULTS)
                  ? List.of()
                  : List.of(
                      bit(p.interlaced()) + ':' + bit(p.quantize()) + ':' + p.quantizationColors());
            }));
    t.add(
        several(
            "webp_options,webpo",
            "compression:smart_subsample:preset",
            3,
            true,
            "lossless:1:drawing",
            "WebP saver: lossy, near_lossless or lossless; smart subsampling; preset (default,"
                + " photo, picture, drawing, icon, text).",
            OptionTable::webpOptions,
            o -> {
              Encoding.Webp w = o.encoding().webp();
              Encoding.Webp d = Encoding.Webp.DEFAULTS;
              return w.compression() == d.compression()
                      && w.smartSubsample() == d.smartSubsample()
                      && w.preset() == d.preset()
                  ? List.of()
                  : List.of(
                      w.compression().id() + ':' + bit(w.smartSubsample()) + ':' + w.preset().id());
            }));
    t.add(
        several(
            "avif_options,avifo",
            "subsample",
            1,
            true,
            "off",
            "AVIF saver: chroma subsampling auto (below quality 90), on or off.",
            (r, n, a) ->
                r.b.avifOptions(
                    new Encoding.Avif(
                        choice(
                            n,
                            "subsample",
                            a[0],
                            Encoding.Subsample.values(),
                            Encoding.Subsample::id),
                        r.b.encoding.avif().speed())),
            o ->
                o.encoding().avif().subsample() == Encoding.Avif.DEFAULTS.subsample()
                    ? List.of()
                    : List.of(o.encoding().avif().subsample().id())));
    t.add(
        several(
            "autoquality,aq",
            "method:target:min_quality:max_quality:allowed_error",
            5,
            true,
            "dssim:0.01:60:90:0.001",
            "Choose the quality: none, size (largest quality within target bytes) or dssim (lowest"
                + " quality within allowed_error of the target DSSIM, on the luminance); ml is"
                + " refused.",
            OptionTable::autoquality,
            o -> {
              Encoding.Autoquality q = o.encoding().autoquality();
              return !q.enabled()
                  ? List.of()
                  : List.of(
                      q.method().id()
                          + ':'
                          + Options.num(q.target())
                          + ':'
                          + q.minQuality()
                          + ':'
                          + q.maxQuality()
                          + ':'
                          + Options.num(q.allowedError())
                          + formatRanges(q));
            }));
    t.add(
        whole(
            "page,pg",
            "page",
            "2",
            "The page or frame to use, from 0.",
            Options.Builder::page,
            o -> o.input().page()));
    t.add(
        one(
            "pages,pgs",
            "count",
            "3",
            "How many pages from page to stack vertically (>= 1).",
            OptionTable::pages,
            o -> Integer.toString(o.input().pages())));
    t.add(
        flag(
            "disable_animation,da",
            "1",
            "Treat animated images as still.",
            Options.Builder::disableAnimation,
            o -> o.input().disableAnimation()));
    t.add(
        several(
            "skip_processing,skp",
            "format:...",
            ANY,
            false,
            "svg:gif",
            "Source formats passed through unprocessed when the output format is the same.",
            OptionTable::skipProcessing,
            o ->
                o.input().skipProcessing().isEmpty()
                    ? List.of()
                    : List.of(
                        String.join(
                            ":",
                            o.input().skipProcessing().stream()
                                .map(ImageFormat::extension)
                                .toList()))));
    t.add(
        flag(
            "raw",
            "1",
            "Answer the source bytes unprocessed, still probed (SVG, PDF refused).",
            Options.Builder::raw,
            o -> o.input().raw()));
    t.add(
        one(
            "cachebuster,cb",
            "string",
            "abc",
            "Opaque string that changes the cache key and nothing else.",
            (r, n, a) -> r.b.cachebuster(a[0]),
            o -> o.response().cachebuster().isEmpty() ? null : o.response().cachebuster()));
    t.add(
        one(
            "expires,exp",
            "unix_time",
            "2000000000",
            "Refuse the URL after this unix time (seconds); 0 or less for never.",
            OptionTable::expires,
            null));
    t.add(
        several(
            "filename,fn",
            "name:base64",
            2,
            false,
            "name.jpg",
            "File name for Content-Disposition, percent-encoded or URL-safe base64.",
            OptionTable::filename,
            null));
    t.add(
        one(
            "fallback_image_url,fiu",
            "base64url",
            "aHR0cHM6Ly9leGFtcGxlLmNvbS9mYWxsYmFjay5wbmc",
            "The image answered, made with the same options, when the source cannot be fetched or"
                + " processed; URL-safe base64, fetched like a source.",
            (r, n, a) -> r.b.fallbackImageUrl(base64Text(n, "url", a[0])),
            null));
    t.add(
        flag(
            "return_attachment,att",
            "1",
            "Answer with Content-Disposition: attachment.",
            Options.Builder::returnAttachment,
            null));
    t.add(
        several(
            "preset,pr",
            "name:...",
            ANY,
            false,
            "thumb",
            "Apply the named presets in order.",
            (r, n, a) -> {
              for (String name : a) {
                r.applyPreset(name);
              }
            },
            null));
    // imgproxy's security options: refused unless the server allows them; only ever tighter.
    t.add(
        security(
            "max_src_resolution,msr",
            "megapixels",
            "0.5",
            "Refuse sources over this resolution (of all frames); imgd's own limit stays the"
                + " ceiling.",
            (r, n, a) -> r.b.maxSrcResolution(megapixels(n, a[0])),
            o ->
                o.security().maxSrcResolution() == 0 ? null : mp(o.security().maxSrcResolution())));
    t.add(
        security(
            "max_src_file_size,msfs",
            "bytes",
            "1000",
            "Refuse sources over this many bytes; imgd's own limit stays the ceiling.",
            (r, n, a) -> r.b.maxSrcFileSize(nonNegInt(n, "bytes", a[0])),
            o ->
                o.security().maxSrcFileSize() == 0
                    ? null
                    : Long.toString(o.security().maxSrcFileSize())));
    t.add(
        security(
            "max_animation_frames,maf",
            "frames",
            "2",
            "Refuse animations of more frames; imgd's own limit stays the ceiling.",
            (r, n, a) -> r.b.maxAnimationFrames(positiveInt(n, "frames", a[0])),
            o ->
                o.security().maxAnimationFrames() == 0
                    ? null
                    : Integer.toString(o.security().maxAnimationFrames())));
    t.add(
        security(
            "max_animation_frame_resolution,mafr",
            "megapixels",
            "0.5",
            "Refuse animations whose frames are over this resolution (instead of msr);"
                + " imgd's own limit stays the ceiling.",
            (r, n, a) -> r.b.maxAnimationFrameResolution(megapixels(n, a[0])),
            o ->
                o.security().maxAnimationFrameResolution() == 0
                    ? null
                    : mp(o.security().maxAnimationFrameResolution())));
    t.add(
        security(
            "max_result_dimension,mrd",
            "pixels",
            "100",
            "Refuse results whose longer side is over this; imgd's own limit stays the ceiling.",
            (r, n, a) -> r.b.maxResultDimension(nonNegInt(n, "pixels", a[0])),
            o ->
                o.security().maxResultDimension() == 0
                    ? null
                    : Integer.toString(o.security().maxResultDimension())));
    return List.copyOf(t);
  }

  /**
   * A one-argument option; {@code canonical} gives its canonical argument, null to leave it out, or
   * is null itself for an option outside the cache key.
   */
  private static Option one(
      String names,
      String args,
      String example,
      String doc,
      Apply apply,
      @Nullable Function<Options, @Nullable String> canonical) {
    return several(
        names,
        args,
        1,
        false,
        example,
        doc,
        apply,
        canonical == null
            ? null
            : o -> {
              String arg = canonical.apply(o);
              return arg == null ? List.of() : List.of(arg);
            });
  }

  /**
   * A security option: refused unless the server allows them (imgproxy's
   * IMGPROXY_ALLOW_SECURITY_OPTIONS); 0 sets no limit of the request's own.
   */
  private static Option security(
      String names,
      String args,
      String example,
      String doc,
      Apply apply,
      Function<Options, @Nullable String> canonical) {
    return one(
        names,
        args,
        example,
        doc,
        (r, n, a) -> {
          r.checkSecurityOptionAllowed(n);
          apply.apply(r, n, a);
        },
        canonical);
  }

  /** imgproxy's resolution: megapixels, decimals allowed, kept as pixels. */
  private static long megapixels(String n, String arg) {
    return Math.round(nonNegative(n, "megapixels", arg) * 1_000_000);
  }

  private static String mp(long pixels) {
    return Options.num(pixels / 1e6);
  }

  private static int positiveInt(String n, String what, String arg) {
    int i = nonNegInt(n, what, arg);
    if (i == 0) {
      throw invalid(n, what, arg, "an integer > 0");
    }
    return i;
  }

  /** A boolean option; {@code get} reads it for the canonical form, null if it is not in it. */
  private static Option flag(
      String names,
      String example,
      String doc,
      BiConsumer<Options.Builder, Boolean> set,
      @Nullable Predicate<Options> get) {
    return one(
        names,
        "bool",
        example,
        doc,
        (r, n, a) -> set.accept(r.b, bool(n, a[0])),
        get == null ? null : o -> bit(get.test(o)));
  }

  /** An option that is one whole number >= 0, named {@code what} in errors and the docs. */
  private static Option whole(
      String names,
      String what,
      String example,
      String doc,
      ObjIntConsumer<Options.Builder> set,
      ToIntFunction<Options> get) {
    return one(
        names,
        what,
        example,
        doc,
        (r, n, a) -> set.accept(r.b, nonNegInt(n, what, a[0])),
        o -> Integer.toString(get.applyAsInt(o)));
  }

  private static Option several(
      String names,
      String args,
      int maxArgs,
      boolean emptyKeeps,
      String example,
      String doc,
      Apply apply,
      @Nullable Function<Options, List<String>> canonical) {
    return new Option(
        List.of(names.split(",")), args, maxArgs, emptyKeeps, example, doc, apply, canonical);
  }

  private static Map<String, Option> byName(List<Option> options) {
    Map<String, Option> m = new LinkedHashMap<>();
    for (Option o : options) {
      for (String n : o.names()) {
        if (m.put(n, o) != null) {
          throw new IllegalStateException("duplicate option " + n);
        }
      }
    }
    return Collections.unmodifiableMap(m);
  }

  // --- how options with several arguments apply ---------------------------------------------

  private static void resize(Request r, String n, String[] a) {
    if (!a[0].isEmpty()) {
      r.b.resizingType(resizingType(n, a[0]));
    }
    if (a.length > 1) {
      size(r, n, Arrays.copyOfRange(a, 1, a.length));
    }
  }

  private static void size(Request r, String n, String[] a) {
    if (!a[0].isEmpty()) {
      r.b.width(nonNegInt(n, "width", a[0]));
    }
    if (a.length > 1 && !a[1].isEmpty()) {
      r.b.height(nonNegInt(n, "height", a[1]));
    }
    if (a.length > 2 && !a[2].isEmpty()) {
      r.b.enlarge(bool(n, a[2]));
    }
    if (a.length > 3 && !a[3].isEmpty()) {
      r.b.extend(extend(n, a, 3, r.b.canvas.extend()));
    }
  }

  private static Extend extend(String n, String[] a, int from, Extend current) {
    boolean enabled = bool(n, a[from]);
    Gravity g = current.gravity();
    if (a.length > from + 1) {
      g = gravity(n, a, from + 1, g, EXTEND_GRAVITIES);
    }
    return new Extend(enabled, g);
  }

  private static void zoom(Request r, String n, String[] a) {
    double x = positive(n, "zoom", a[0]);
    r.b.zoom(x, a.length > 1 ? positive(n, "zoom y", a[1]) : x);
  }

  private static void crop(Request r, String n, String[] a) {
    Options.Crop crop = r.b.crop;
    double w = nonNegative(n, "width", a[0]);
    double h = a.length > 1 ? nonNegative(n, "height", a[1]) : crop.cropHeight();
    @Nullable Gravity g = crop.cropGravity();
    if (a.length > 2) {
      g = gravity(n, a, 2, g == null ? Gravity.CENTER : g, CROP_GRAVITIES);
    }
    r.b.crop(w, h, g);
  }

  private static void trim(Request r, String n, String[] a) {
    Trim t = r.b.crop.trim();
    // As imgproxy, an empty threshold is the default and an empty or absent colour is detected.
    double threshold = a[0].isEmpty() ? Trim.OFF.threshold() : nonNegative(n, "threshold", a[0]);
    boolean smart = true;
    Rgb color = Trim.OFF.color();
    if (a.length > 1 && !a[1].isEmpty()) {
      color = hex(n, "color", a[1]);
      smart = false;
    }
    boolean eh = (a.length > 2 && !a[2].isEmpty()) ? bool(n, a[2]) : t.equalHor();
    boolean ev = (a.length > 3 && !a[3].isEmpty()) ? bool(n, a[3]) : t.equalVer();
    r.b.trim(new Trim(true, threshold, smart, color, eh, ev));
  }

  // CSS shorthand: top sets all four, right sets right and left, then bottom, then left.
  private static void padding(Request r, String n, String[] a) {
    Padding p = r.b.canvas.padding();
    int top = p.top();
    int right = p.right();
    int bottom = p.bottom();
    int left = p.left();
    if (!a[0].isEmpty()) {
      top = right = bottom = left = nonNegInt(n, "top", a[0]);
    }
    if (a.length > 1 && !a[1].isEmpty()) {
      right = left = nonNegInt(n, "right", a[1]);
    }
    if (a.length > 2 && !a[2].isEmpty()) {
      bottom = nonNegInt(n, "bottom", a[2]);
    }
    if (a.length > 3 && !a[3].isEmpty()) {
      left = nonNegInt(n, "left", a[3]);
    }
    r.b.padding(new Padding(top, right, bottom, left));
  }

  private static void rotate(Request r, String n, String[] a) {
    int angle = integer(n, "angle", a[0]);
    if (angle % 90 != 0) {
      throw invalid(n, "angle", a[0], "a multiple of 90");
    }
    r.b.rotate(Math.floorMod(angle, 360));
  }

  private static void flip(Request r, String n, String[] a) {
    Options.Orientation o = r.b.orientation;
    boolean h = a[0].isEmpty() ? o.flipHorizontal() : bool(n, a[0]);
    boolean v = (a.length > 1 && !a[1].isEmpty()) ? bool(n, a[1]) : o.flipVertical();
    r.b.flip(h, v);
  }

  private static void background(Request r, String n, String[] a) {
    switch (a.length) {
      case 1 -> {
        if (a[0].isEmpty()) {
          r.b.background(r.b.effects.background(), false);
        } else {
          r.b.background(hex(n, "color", a[0]));
        }
      }
      case 3 ->
          r.b.background(
              new Rgb(
                  channel(n, "red", a[0]), channel(n, "green", a[1]), channel(n, "blue", a[2])));
      default -> throw argCount(n, a, "1 (hex) or 3 (r:g:b)");
    }
  }

  private static void watermark(Request r, String n, String[] a) {
    Watermark w = r.b.watermark;
    double opacity = decimal(n, "opacity", a[0]);
    if (opacity < 0 || opacity > 1) {
      throw invalid(n, "opacity", a[0], "a number in [0, 1]");
    }
    GravityType type = w.position().type();
    if (a.length > 1 && !a[1].isEmpty()) {
      type =
          GravityType.fromId(a[1])
              .filter(WATERMARK_GRAVITIES::contains)
              .orElseThrow(() ->
                  invalid(
                      n, "position", a[1], "ce, no, so, ea, we, noea, nowe, soea, sowe, re or ch"));
    }
    double x = (a.length > 2 && !a[2].isEmpty()) ? decimal(n, "x offset", a[2]) : w.position().x();
    double y = a.length > 3 && !a[3].isEmpty() ? decimal(n, "y offset", a[3]) : w.position().y();
    double scale = a.length > 4 && !a[4].isEmpty() ? nonNegative(n, "scale", a[4]) : w.scale();
    r.b.watermark(w.withPlacement(opacity > 0, opacity, new Gravity(type, x, y), scale));
  }

  private static void watermarkSize(Request r, String n, String[] a) {
    Watermark w = r.b.watermark;
    int width = a[0].isEmpty() ? w.width() : side(n, "width", a[0]);
    int height = a.length > 1 && !a[1].isEmpty() ? side(n, "height", a[1]) : w.height();
    r.b.watermark(w.withLook(width, height, w.rotate(), w.shadow()));
  }

  private static int side(String n, String what, String arg) {
    int side = nonNegInt(n, what, arg);
    if (side > Watermark.MAX_SIDE) {
      throw invalid(n, what, arg, "an integer 0.." + Watermark.MAX_SIDE);
    }
    return side;
  }

  /** Watermark text: URL-safe base64 of UTF-8, within {@link Watermark#MAX_TEXT_BYTES}. */
  private static String watermarkText(String n, String arg) {
    String text = base64Text(n, "text", arg);
    if (text.getBytes(StandardCharsets.UTF_8).length > Watermark.MAX_TEXT_BYTES) {
      throw invalid(
          n, "text", "...", "at most " + Watermark.MAX_TEXT_BYTES + " bytes once decoded");
    }
    return text;
  }

  /** URL-safe base64 of UTF-8 text, padded or not; empty for empty. */
  private static String base64Text(String n, String what, String arg) {
    String text = arg.isEmpty() ? "" : ImgproxyPath.base64UrlDecode(arg);
    if (text == null) {
      throw invalid(
          n, what, arg.length() > 40 ? arg.substring(0, 40) + "..." : arg, "URL-safe base64");
    }
    return text;
  }

  /** The canonical argument of a base64 text option: unpadded URL-safe base64, null if empty. */
  private static @Nullable String base64Arg(String text) {
    return text.isEmpty()
        ? null
        : Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  // --- colour ----------------------------------------------------------------------------

  private static void adjust(Request r, String n, String[] a) {
    if (!a[0].isEmpty()) {
      r.b.brightness(integerIn(n, "brightness", a[0], -255, 255));
    }
    if (a.length > 1 && !a[1].isEmpty()) {
      r.b.contrast(nonNegative(n, "contrast", a[1]));
    }
    if (a.length > 2 && !a[2].isEmpty()) {
      r.b.saturation(nonNegative(n, "saturation", a[2]));
    }
  }

  // As the other options with several arguments: an empty or absent one keeps its value.
  private static void monochrome(Request r, String n, String[] a) {
    Colour.Tint m = r.b.colour.monochrome();
    double intensity = a[0].isEmpty() ? m.intensity() : unit(n, "intensity", a[0]);
    Rgb colour = (a.length > 1 && !a[1].isEmpty()) ? hex(n, "color", a[1]) : m.colour();
    r.b.monochrome(new Colour.Tint(intensity, colour));
  }

  private static void duotone(Request r, String n, String[] a) {
    Colour.Duotone d = r.b.colour.duotone();
    double intensity = a[0].isEmpty() ? d.intensity() : unit(n, "intensity", a[0]);
    Rgb dark = (a.length > 1 && !a[1].isEmpty()) ? hex(n, "color1", a[1]) : d.dark();
    Rgb light = (a.length > 2 && !a[2].isEmpty()) ? hex(n, "color2", a[2]) : d.light();
    r.b.duotone(new Colour.Duotone(intensity, dark, light));
  }

  private static void colorize(Request r, String n, String[] a) {
    Colour.Colorize c = r.b.colour.colorize();
    double opacity = a[0].isEmpty() ? c.opacity() : unit(n, "opacity", a[0]);
    Rgb colour = (a.length > 1 && !a[1].isEmpty()) ? hex(n, "color", a[1]) : c.colour();
    boolean keepAlpha = (a.length > 2 && !a[2].isEmpty()) ? bool(n, a[2]) : c.keepAlpha();
    r.b.colorize(new Colour.Colorize(opacity, colour, keepAlpha));
  }

  private static void formatQuality(Request r, String n, String[] a) {
    if (a.length % 2 != 0) {
      throw bad(
          "Invalid "
              + n
              + " arguments "
              + Arrays.toString(a)
              + ": missing quality for "
              + a[a.length - 1]);
    }
    for (int i = 0; i < a.length; i += 2) {
      r.b.formatQuality(anyFormat(n, a[i]), percent(n, "quality for " + a[i], a[i + 1]));
    }
  }

  private static void pages(Request r, String n, String[] a) {
    int pages = integer(n, "pages", a[0]);
    if (pages < 1) {
      throw invalid(n, "pages", a[0], "an integer >= 1");
    }
    r.b.pages(pages);
  }

  private static void skipProcessing(Request r, String n, String[] a) {
    for (String f : a) {
      r.b.skipProcessing(anyFormat(n, f));
    }
  }

  private static void expires(Request r, String n, String[] a) {
    long timestamp = OptionArgs.unixTime(n, a[0]);
    r.checkExpiry(timestamp);
    r.b.expires(timestamp);
  }

  private static void filename(Request r, String n, String[] a) {
    boolean encoded = a.length > 1 && !a[1].isEmpty() && bool(n, a[1]);
    String name = encoded ? ImgproxyPath.base64UrlDecode(a[0]) : ImgproxyPath.percentDecode(a[0]);
    if (name == null) {
      throw invalid(n, "filename", a[0], encoded ? "URL-safe base64" : "a percent-encoded name");
    }
    r.b.filename(name);
  }

  // --- the savers' options and autoquality: an empty argument keeps the current value ---------

  private static void jpegOptions(Request r, String n, String[] a) {
    Encoding.Jpeg j = r.b.encoding.jpeg();
    r.b.jpegOptions(
        new Encoding.Jpeg(
            flagArg(n, a, 0, j.progressive()),
            flagArg(n, a, 1, j.noSubsample()),
            flagArg(n, a, 2, j.trellisQuant()),
            flagArg(n, a, 3, j.overshootDeringing()),
            flagArg(n, a, 4, j.optimizeScans()),
            given(a, 5) ? rangeArg(n, "quant_table", a[5], 0, 8) : j.quantTable()));
  }

  private static void pngOptions(Request r, String n, String[] a) {
    Encoding.Png p = r.b.encoding.png();
    r.b.pngOptions(
        new Encoding.Png(
            flagArg(n, a, 0, p.interlaced()),
            flagArg(n, a, 1, p.quantize()),
            given(a, 2)
                ? rangeArg(n, "quantization_colors", a[2], 2, 256)
                : p.quantizationColors()));
  }

  private static void webpOptions(Request r, String n, String[] a) {
    Encoding.Webp w = r.b.encoding.webp();
    r.b.webpOptions(
        new Encoding.Webp(
            given(a, 0)
                ? choice(
                    n,
                    "compression",
                    a[0],
                    Encoding.WebpCompression.values(),
                    Encoding.WebpCompression::id)
                : w.compression(),
            flagArg(n, a, 1, w.smartSubsample()),
            given(a, 2)
                ? choice(n, "preset", a[2], Encoding.WebpPreset.values(), Encoding.WebpPreset::id)
                : w.preset(),
            w.effort()));
  }

  private static void autoquality(Request r, String n, String[] a) {
    Encoding.Autoquality q = r.b.encoding.autoquality();
    if (given(a, 0) && a[0].equals("ml")) {
      throw bad(
          "Invalid "
              + n
              + " method 'ml': it needs a neural network model, which imgd does not have; use"
              + " dssim");
    }
    Encoding.Autoquality aq =
        new Encoding.Autoquality(
            given(a, 0)
                ? choice(n, "method", a[0], Encoding.Method.values(), Encoding.Method::id)
                : q.method(),
            given(a, 1) ? positive(n, "target", a[1]) : q.target(),
            q.minQuality(),
            q.maxQuality(),
            given(a, 4) ? nonNegative(n, "allowed_error", a[4]) : q.allowedError(),
            q.formatMin(),
            q.formatMax(),
            q.maxResolution());
    // A range of the URL's own is the range for every format, over the per-format settings.
    r.b.autoquality(
        given(a, 2) || given(a, 3)
            ? aq.withRange(
                given(a, 2) ? rangeArg(n, "min_quality", a[2], 1, 100) : q.minQuality(),
                given(a, 3) ? rangeArg(n, "max_quality", a[3], 1, 100) : q.maxQuality())
            : aq);
  }

  /**
   * The per-format ranges (settings, which no URL writes) in the cache key, after the arguments: an
   * empty string when there are none.
   */
  private static String formatRanges(Encoding.Autoquality q) {
    StringBuilder ranges = new StringBuilder();
    for (ImageFormat f : ImageFormat.values()) {
      if (q.formatMin().containsKey(f) || q.formatMax().containsKey(f)) {
        ranges.append(ranges.isEmpty() ? ":" : ",").append(f.extension());
        ranges.append('=').append(q.minQuality(f)).append('-').append(q.maxQuality(f));
      }
    }
    return ranges.toString();
  }

  private static boolean given(String[] a, int i) {
    return a.length > i && !a[i].isEmpty();
  }

  private static boolean flagArg(String n, String[] a, int i, boolean current) {
    return given(a, i) ? bool(n, a[i]) : current;
  }

  private static int rangeArg(String n, String what, String arg, int min, int max) {
    int v = integer(n, what, arg);
    if (v < min || v > max) {
      throw invalid(n, what, arg, "an integer from " + min + " to " + max);
    }
    return v;
  }

  private static <E extends Enum<E>> E choice(
      String n, String what, String arg, E[] values, Function<E, String> id) {
    for (E v : values) {
      if (id.apply(v).equals(arg)) {
        return v;
      }
    }
    throw invalid(n, what, arg, String.join(", ", Arrays.stream(values).map(id).toList()));
  }

  /**
   * A sigma within libvips' range for the operation (gaussblur: 0 to 1000, sharpen: 0.000001 to
   * 10), or 0 for none: libvips would refuse any other only once the image is being processed.
   */
  private static double sigma(String n, String arg, double min, double max) {
    double sigma = nonNegative(n, "sigma", arg);
    if (sigma != 0 && (sigma < min || sigma > max)) {
      throw invalid(
          n,
          "sigma",
          arg,
          (min == 0 ? "" : "0 or ")
              + "a number from "
              + Options.num(min)
              + " to "
              + Options.num(max));
    }
    return sigma;
  }

  // --- how options write themselves --------------------------------------------------------------

  private static String extendArgs(Extend e) {
    return e.enabled() ? "1:" + e.gravity().toArgs() : "0";
  }

  private static String bit(boolean b) {
    return b ? "1" : "0";
  }
}
