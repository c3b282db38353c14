package dev.imgd.core.options;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImageFormat;
import dev.imgd.core.ImgdException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Parses the processing-options part of an imgproxy URL, e.g. {@code
 * rs:fill:300:200:1/g:sm/q:80/bg:ff0000/f:webp}, into {@link Options}, with imgproxy's option
 * names, aliases and argument rules: arguments are separated by ':', an empty argument of a
 * meta-option keeps the current value, booleans are 1/t/T/true/TRUE/True or their false forms.
 * Anything invalid raises {@link ImgdException} with {@link ErrorCode#BAD_OPTIONS} and a message
 * naming the option and the problem.
 *
 * <p>Presets are named option strings; the preset named {@code default} applies first to every
 * request, {@code pr:a:b} applies others in order, and a preset that (indirectly) uses itself is
 * refused. In presets-only mode (imgproxy's {@code IMGPROXY_ONLY_PRESETS}) a URL may only name
 * presets.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class OptionsParser {
  private static final String SEPARATOR = ":";
  private static final Pattern DECIMAL =
      Pattern.compile("[+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?");
  private static final Pattern INTEGER = Pattern.compile("[+-]?\\d+");
  private static final Pattern UINT = Pattern.compile("\\d+");
  private static final Set<String> TRUE = Set.of("1", "t", "T", "true", "TRUE", "True");
  private static final Set<String> FALSE = Set.of("0", "f", "F", "false", "FALSE", "False");

  private static final EnumSet<GravityType> COMPASS =
      EnumSet.range(GravityType.CENTER, GravityType.SOUTH_EAST);
  private static final EnumSet<GravityType> CROP_GRAVITIES =
      with(COMPASS, GravityType.SMART, GravityType.FOCUS_POINT);
  private static final EnumSet<GravityType> EXTEND_GRAVITIES =
      with(COMPASS, GravityType.FOCUS_POINT);
  private static final EnumSet<GravityType> WATERMARK_GRAVITIES =
      with(COMPASS, GravityType.REPLICATE);

  /** Every option by full name and alias; one handler per option. */
  private static final Map<String, Handler> HANDLERS = handlers();

  private final Map<String, List<String[]>> presets;
  private final boolean onlyPresets;
  private final Options defaults;
  private final InstantSource clock;

  /** A parser with the given presets (name to option string), not in presets-only mode. */
  public OptionsParser(Map<String, String> presets) {
    this(presets, false);
  }

  /** A parser with the given presets, in presets-only mode if {@code onlyPresets}. */
  public OptionsParser(Map<String, String> presets, boolean onlyPresets) {
    this(presets, onlyPresets, Options.DEFAULTS, InstantSource.system());
  }

  /**
   * A parser with every setting.
   *
   * @param presets preset name to option string, e.g. {@code "thumb" -> "rs:fill:100:100/q:70"}
   * @param onlyPresets whether URLs may only name presets
   * @param defaults the options every request starts from (the server's configured defaults)
   * @param clock the time {@code expires} is checked against
   * @throws IllegalArgumentException if a preset is malformed, names an unknown option or preset,
   *     has bad arguments or uses itself
   */
  public OptionsParser(
      Map<String, String> presets, boolean onlyPresets, Options defaults, InstantSource clock) {
    this.onlyPresets = onlyPresets;
    this.defaults = Objects.requireNonNull(defaults, "defaults");
    this.clock = Objects.requireNonNull(clock, "clock");
    Map<String, List<String[]>> parsed = new HashMap<>();
    presets.forEach(
        (name, value) -> parsed.put(checkPresetName(name), presetSegments(name, value)));
    this.presets = Collections.unmodifiableMap(parsed);
    // Fail at start-up, not on the first request that happens to use a broken preset.
    for (String name : this.presets.keySet()) {
      try {
        Ctx c = new Ctx(defaults.toBuilder());
        c.applyPreset(name);
      } catch (ImgdException e) {
        throw new IllegalArgumentException("Invalid preset " + name + ": " + e.getMessage(), e);
      }
    }
  }

  /** Whether URLs may only name presets. */
  public boolean onlyPresets() {
    return onlyPresets;
  }

  /**
   * Parses an options string: '/'-separated options without the signature or the source, e.g.
   * {@code "rs:fit:300:200/q:80"}; the empty string gives the defaults. The {@code default} preset
   * applies first. In presets-only mode only {@code preset}/{@code pr} options are allowed.
   *
   * @throws ImgdException BAD_OPTIONS (or UNSUPPORTED_FORMAT for a format imgd cannot write)
   */
  public Options parse(String options) {
    Objects.requireNonNull(options, "options");
    Ctx c = newRequest();
    if (!options.isEmpty()) {
      for (String segment : options.split("/", -1)) {
        if (!segment.contains(SEPARATOR)) {
          throw bad("Invalid option segment '" + segment + "': expected name:arguments");
        }
        c.applyUrlOption(segment);
      }
    }
    return c.b.build();
  }

  /**
   * Parses an imgproxy path after the signature: {@code /{options...}/plain/{percent-encoded
   * url}[@{ext}]} or {@code /{options...}/{base64url source, may be split by '/'}[.{ext}]}. In
   * presets-only mode the first segment is a ':'-separated list of presets. The extension becomes
   * the output format (unless {@code raw} is set).
   *
   * @throws ImgdException BAD_OPTIONS (or UNSUPPORTED_FORMAT for a format imgd cannot write)
   */
  public ParsedPath parsePath(String path) {
    if (path == null || path.isEmpty() || path.equals("/")) {
      throw bad("Invalid path: '" + (path == null ? "" : path) + "'");
    }
    String[] parts = (path.startsWith("/") ? path.substring(1) : path).split("/", -1);
    Ctx c = newRequest();
    int sourceStart;
    if (onlyPresets) {
      for (String name : parts[0].split(SEPARATOR, -1)) {
        c.applyPreset(name);
      }
      sourceStart = 1;
    } else {
      if (ResizingType.fromId(parts[0]).isPresent()) {
        throw bad("The basic URL format (/{resizing_type}/...) is not supported; use options");
      }
      sourceStart = 0;
      while (sourceStart < parts.length && parts[sourceStart].contains(SEPARATOR)) {
        c.applyUrlOption(parts[sourceStart++]);
      }
    }
    String[] sourceParts =
        Arrays.copyOfRange(parts, Math.min(sourceStart, parts.length), parts.length);
    String[] source = decodeSource(sourceParts);
    Optional<ImageFormat> extension = Optional.empty();
    if (source[1] != null) {
      if (c.b.build().raw()) {
        extension = ImageFormat.fromExtension(source[1]);
      } else {
        ImageFormat f = outputFormat("extension", source[1]);
        c.b.format(f);
        extension = Optional.of(f);
      }
    }
    return new ParsedPath(c.b.build(), source[0], extension);
  }

  private Ctx newRequest() {
    Ctx c = new Ctx(defaults.toBuilder());
    if (presets.containsKey("default")) {
      c.applyPreset("default");
    }
    return c;
  }

  /** The source URL and the extension (or null), as imgproxy's DecodeURL. */
  private static String[] decodeSource(String[] parts) {
    if (parts.length == 0 || (parts.length == 1 && parts[0].isEmpty())) {
      throw bad("Image URL is empty");
    }
    if (parts[0].equals("enc") && parts.length > 1) {
      throw bad("Encrypted source URLs are not supported");
    }
    boolean plain = parts[0].equals("plain") && parts.length > 1;
    String joined =
        plain
            ? String.join("/", Arrays.asList(parts).subList(1, parts.length))
            : String.join("", parts);
    String[] split = joined.split(plain ? "@" : "\\.", -1);
    if (split[0].isEmpty()) {
      throw bad("Image URL is empty");
    }
    if (split.length > 2) {
      throw bad("Multiple formats are specified: " + joined);
    }
    String ext = split.length == 2 && !split[1].isEmpty() ? split[1] : null;
    String url;
    if (plain) {
      url = percentDecode(split[0]);
    } else {
      url = base64UrlDecode(split[0]);
    }
    if (url == null) {
      throw bad("Invalid url encoding: " + joined);
    }
    if (url.isEmpty()) {
      throw bad("Image URL is empty"); // base64 of nothing: "=" or "=="
    }
    return new String[] {url, ext};
  }

  /** Go's url.PathUnescape: %XX escapes only, '+' stays '+'; null if malformed. */
  static String percentDecode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteBuffer bytes = ByteBuffer.allocate(s.length() * 3);
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (ch == '%') {
        if (i + 2 >= s.length()) {
          return null;
        }
        int hi = Character.digit(s.charAt(i + 1), 16);
        int lo = Character.digit(s.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          return null;
        }
        bytes.put((byte) (hi << 4 | lo));
        i += 2;
      } else {
        bytes.put(String.valueOf(ch).getBytes(StandardCharsets.UTF_8));
      }
    }
    return utf8(bytes.flip());
  }

  /** URL-safe base64 with or without padding; null if malformed. */
  static String base64UrlDecode(String s) {
    String unpadded = s;
    while (unpadded.endsWith("=")) {
      unpadded = unpadded.substring(0, unpadded.length() - 1);
    }
    try {
      return utf8(ByteBuffer.wrap(Base64.getUrlDecoder().decode(unpadded)));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static String utf8(ByteBuffer bytes) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(bytes)
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  private static String checkPresetName(String name) {
    if (name == null || name.isEmpty() || name.contains(SEPARATOR) || name.contains("/")) {
      throw new IllegalArgumentException("Invalid preset name: '" + name + "'");
    }
    return name;
  }

  private static List<String[]> presetSegments(String name, String value) {
    Objects.requireNonNull(value, "preset " + name);
    List<String[]> segments = new ArrayList<>();
    for (String segment : value.split("/")) {
      if (segment.isEmpty()) {
        continue;
      }
      if (!segment.contains(SEPARATOR)) {
        throw new IllegalArgumentException(
            "Invalid preset " + name + ": segment '" + segment + "' is not name:arguments");
      }
      segments.add(segment.split(SEPARATOR, -1));
    }
    return List.copyOf(segments);
  }

  /** The state of one request being parsed. */
  private final class Ctx {
    final Options.Builder b;
    final Deque<String> presetStack = new ArrayDeque<>();

    Ctx(Options.Builder b) {
      this.b = b;
    }

    void applyUrlOption(String segment) {
      String[] parts = segment.split(SEPARATOR, -1);
      if (onlyPresets && !parts[0].equals("preset") && !parts[0].equals("pr")) {
        throw bad("Only presets are allowed, got option '" + parts[0] + "'");
      }
      apply(parts);
    }

    void apply(String[] parts) {
      String name = parts[0];
      Handler h = HANDLERS.get(name);
      if (h == null) {
        throw bad("Unknown processing option: '" + name + "'");
      }
      String[] args = Arrays.copyOfRange(parts, 1, parts.length);
      try {
        h.apply(this, name, args);
      } catch (IllegalArgumentException e) {
        // A value the builder refused that the handler did not catch first.
        throw bad(
            "Invalid " + name + " arguments " + Arrays.toString(args) + ": " + e.getMessage());
      }
    }

    void applyPreset(String name) {
      List<String[]> preset = presets.get(name);
      if (preset == null) {
        throw bad("Unknown preset: '" + name + "'");
      }
      if (presetStack.contains(name)) {
        List<String> loop = new ArrayList<>(presetStack);
        Collections.reverse(loop);
        loop.add(name);
        throw bad("Preset loop: " + String.join(" -> ", loop));
      }
      presetStack.push(name);
      for (String[] segment : preset) {
        apply(segment);
      }
      presetStack.pop();
    }

    void checkExpiry(long timestamp) {
      if (timestamp > 0 && timestamp < clock.instant().getEpochSecond()) {
        throw new ExpiredUrlException(timestamp);
      }
    }
  }

  @FunctionalInterface
  private interface Handler {
    void apply(Ctx c, String name, String[] args);
  }

  private static Map<String, Handler> handlers() {
    Map<String, Handler> m = new LinkedHashMap<>();
    option(m, OptionsParser::resize, "resize", "rs");
    option(m, OptionsParser::size, "size", "s");
    option(m, (c, n, a) -> c.b.resizingType(resizingType(n, one(n, a))), "resizing_type", "rt");
    option(m, (c, n, a) -> c.b.width(nonNegInt(n, "width", one(n, a))), "width", "w");
    option(m, (c, n, a) -> c.b.height(nonNegInt(n, "height", one(n, a))), "height", "h");
    option(m, (c, n, a) -> c.b.minWidth(nonNegInt(n, "min width", one(n, a))), "min-width", "mw");
    option(
        m, (c, n, a) -> c.b.minHeight(nonNegInt(n, "min height", one(n, a))), "min-height", "mh");
    option(m, OptionsParser::zoom, "zoom", "z");
    option(m, (c, n, a) -> c.b.dpr(positive(n, "dpr", one(n, a))), "dpr");
    option(m, (c, n, a) -> c.b.enlarge(bool(n, one(n, a))), "enlarge", "el");
    option(m, (c, n, a) -> c.b.extend(extend(n, a, 0, c.b.build().extend())), "extend", "ex");
    option(
        m,
        (c, n, a) -> c.b.extendAspectRatio(extend(n, a, 0, c.b.build().extendAspectRatio())),
        "extend_aspect_ratio",
        "extend_ar",
        "exar");
    option(m, OptionsParser::gravityOption, "gravity", "g");
    option(m, OptionsParser::crop, "crop", "c");
    option(m, OptionsParser::trim, "trim", "t");
    option(m, OptionsParser::padding, "padding", "pd");
    option(m, (c, n, a) -> c.b.autoRotate(bool(n, one(n, a))), "auto_rotate", "ar");
    option(m, OptionsParser::rotate, "rotate", "rot");
    option(m, OptionsParser::flip, "flip", "fl");
    option(m, OptionsParser::background, "background", "bg");
    option(m, (c, n, a) -> c.b.blur(nonNegative(n, "sigma", one(n, a))), "blur", "bl");
    option(m, (c, n, a) -> c.b.sharpen(nonNegative(n, "sigma", one(n, a))), "sharpen", "sh");
    option(m, (c, n, a) -> c.b.pixelate(nonNegInt(n, "size", one(n, a))), "pixelate", "pix");
    option(m, OptionsParser::watermark, "watermark", "wm");
    option(m, (c, n, a) -> c.b.stripMetadata(bool(n, one(n, a))), "strip_metadata", "sm");
    option(m, (c, n, a) -> c.b.keepCopyright(bool(n, one(n, a))), "keep_copyright", "kcr");
    option(m, (c, n, a) -> c.b.stripColorProfile(bool(n, one(n, a))), "strip_color_profile", "scp");
    option(m, (c, n, a) -> c.b.enforceThumbnail(bool(n, one(n, a))), "enforce_thumbnail", "eth");
    option(m, (c, n, a) -> c.b.quality(percent(n, "quality", one(n, a))), "quality", "q");
    option(m, OptionsParser::formatQuality, "format_quality", "fq");
    option(m, (c, n, a) -> c.b.maxBytes(nonNegInt(n, "bytes", one(n, a))), "max_bytes", "mb");
    option(m, (c, n, a) -> c.b.format(outputFormat(n, one(n, a))), "format", "f", "ext");
    option(m, (c, n, a) -> c.b.page(nonNegInt(n, "page", one(n, a))), "page", "pg");
    option(m, OptionsParser::pages, "pages", "pgs");
    option(m, (c, n, a) -> c.b.disableAnimation(bool(n, one(n, a))), "disable_animation", "da");
    option(m, OptionsParser::skipProcessing, "skip_processing", "skp");
    option(m, (c, n, a) -> c.b.raw(bool(n, one(n, a))), "raw");
    option(m, (c, n, a) -> c.b.cachebuster(one(n, a)), "cachebuster", "cb");
    option(m, OptionsParser::expires, "expires", "exp");
    option(m, OptionsParser::filename, "filename", "fn");
    option(m, (c, n, a) -> c.b.returnAttachment(bool(n, one(n, a))), "return_attachment", "att");
    option(m, OptionsParser::preset, "preset", "pr");
    // imgproxy refuses these unless IMGPROXY_ALLOW_SECURITY_OPTIONS; imgd's limits are server-side.
    option(
        m,
        (c, n, a) -> {
          throw bad("Security processing options are not allowed: '" + n + "'");
        },
        "max_src_resolution",
        "msr",
        "max_src_file_size",
        "msfs",
        "max_animation_frames",
        "maf",
        "max_animation_frame_resolution",
        "mafr",
        "max_result_dimension",
        "mrd");
    return Collections.unmodifiableMap(m);
  }

  private static void option(Map<String, Handler> m, Handler h, String... names) {
    for (String n : names) {
      if (m.put(n, h) != null) {
        throw new IllegalStateException("duplicate option " + n);
      }
    }
  }

  /** Every option name and alias the parser accepts. */
  public static Set<String> optionNames() {
    return HANDLERS.keySet();
  }

  // --- handlers of options with several arguments ---------------------------------------------

  private static void resize(Ctx c, String n, String[] a) {
    maxArgs(n, a, 8);
    if (!a[0].isEmpty()) {
      c.b.resizingType(resizingType(n, a[0]));
    }
    if (a.length > 1) {
      size(c, n, Arrays.copyOfRange(a, 1, a.length));
    }
  }

  private static void size(Ctx c, String n, String[] a) {
    maxArgs(n, a, 7);
    if (!a[0].isEmpty()) {
      c.b.width(nonNegInt(n, "width", a[0]));
    }
    if (a.length > 1 && !a[1].isEmpty()) {
      c.b.height(nonNegInt(n, "height", a[1]));
    }
    if (a.length > 2 && !a[2].isEmpty()) {
      c.b.enlarge(bool(n, a[2]));
    }
    if (a.length > 3 && !a[3].isEmpty()) {
      c.b.extend(extend(n, a, 3, c.b.build().extend()));
    }
  }

  private static Extend extend(String n, String[] a, int from, Extend current) {
    maxArgs(n, a, from + 4);
    boolean enabled = bool(n, a[from]);
    Gravity g = current.gravity();
    if (a.length > from + 1) {
      g = gravity(n, a, from + 1, g, EXTEND_GRAVITIES);
    }
    return new Extend(enabled, g);
  }

  private static void zoom(Ctx c, String n, String[] a) {
    maxArgs(n, a, 2);
    double x = positive(n, "zoom", a[0]);
    c.b.zoom(x, a.length > 1 ? positive(n, "zoom y", a[1]) : x);
  }

  private static void gravityOption(Ctx c, String n, String[] a) {
    c.b.gravity(gravity(n, a, 0, c.b.build().gravity(), CROP_GRAVITIES));
  }

  private static void crop(Ctx c, String n, String[] a) {
    maxArgs(n, a, 5);
    Options o = c.b.build();
    double w = nonNegative(n, "width", a[0]);
    double h = a.length > 1 ? nonNegative(n, "height", a[1]) : o.cropHeight();
    Gravity g = o.cropGravity().orElse(null);
    if (a.length > 2) {
      g = gravity(n, a, 2, g == null ? Gravity.CENTER : g, CROP_GRAVITIES);
    }
    c.b.crop(w, h, g);
  }

  private static void trim(Ctx c, String n, String[] a) {
    maxArgs(n, a, 4);
    Trim t = c.b.build().trim();
    double threshold = nonNegative(n, "threshold", a[0]);
    boolean smart = t.smart();
    Rgb color = t.color();
    if (a.length > 1 && !a[1].isEmpty()) {
      color = hex(n, "color", a[1]);
      smart = false;
    }
    boolean eh = a.length > 2 && !a[2].isEmpty() ? bool(n, a[2]) : t.equalHor();
    boolean ev = a.length > 3 && !a[3].isEmpty() ? bool(n, a[3]) : t.equalVer();
    c.b.trim(new Trim(true, threshold, smart, color, eh, ev));
  }

  // CSS shorthand: top sets all four, right sets right and left, then bottom, then left.
  private static void padding(Ctx c, String n, String[] a) {
    maxArgs(n, a, 4);
    Padding p = c.b.build().padding();
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
    c.b.padding(new Padding(top, right, bottom, left));
  }

  private static void rotate(Ctx c, String n, String[] a) {
    String arg = one(n, a);
    int angle = integer(n, "angle", arg);
    if (angle % 90 != 0) {
      throw invalid(n, "angle", arg, "a multiple of 90");
    }
    c.b.rotate(Math.floorMod(angle, 360));
  }

  private static void flip(Ctx c, String n, String[] a) {
    maxArgs(n, a, 2);
    Options o = c.b.build();
    boolean h = a[0].isEmpty() ? o.flipHorizontal() : bool(n, a[0]);
    boolean v = a.length > 1 && !a[1].isEmpty() ? bool(n, a[1]) : o.flipVertical();
    c.b.flip(h, v);
  }

  private static void background(Ctx c, String n, String[] a) {
    Rgb current = c.b.build().background();
    switch (a.length) {
      case 1 -> {
        if (a[0].isEmpty()) {
          c.b.background(current, false);
        } else {
          c.b.background(hex(n, "color", a[0]));
        }
      }
      case 3 ->
          c.b.background(
              new Rgb(
                  channel(n, "red", a[0]), channel(n, "green", a[1]), channel(n, "blue", a[2])));
      default -> throw argCount(n, a, "1 (hex) or 3 (r:g:b)");
    }
  }

  private static void watermark(Ctx c, String n, String[] a) {
    maxArgs(n, a, 5);
    Watermark w = c.b.build().watermark();
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
                  invalid(n, "position", a[1], "ce, no, so, ea, we, noea, nowe, soea, sowe or re"));
    }
    double x = a.length > 2 && !a[2].isEmpty() ? decimal(n, "x offset", a[2]) : w.position().x();
    double y = a.length > 3 && !a[3].isEmpty() ? decimal(n, "y offset", a[3]) : w.position().y();
    double scale = a.length > 4 && !a[4].isEmpty() ? nonNegative(n, "scale", a[4]) : w.scale();
    c.b.watermark(new Watermark(opacity > 0, opacity, new Gravity(type, x, y), scale));
  }

  private static void formatQuality(Ctx c, String n, String[] a) {
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
      c.b.formatQuality(anyFormat(n, a[i]), percent(n, "quality for " + a[i], a[i + 1]));
    }
  }

  private static void pages(Ctx c, String n, String[] a) {
    String arg = one(n, a);
    int pages = integer(n, "pages", arg);
    if (pages < 1) {
      throw invalid(n, "pages", arg, "an integer >= 1");
    }
    c.b.pages(pages);
  }

  private static void skipProcessing(Ctx c, String n, String[] a) {
    for (String f : a) {
      c.b.skipProcessing(anyFormat(n, f));
    }
  }

  private static void expires(Ctx c, String n, String[] a) {
    String arg = one(n, a);
    if (!INTEGER.matcher(arg).matches()) {
      throw invalid(n, "timestamp", arg, "a unix time in seconds");
    }
    long timestamp;
    try {
      timestamp = Long.parseLong(arg);
    } catch (NumberFormatException e) {
      throw invalid(n, "timestamp", arg, "a unix time in seconds");
    }
    c.checkExpiry(timestamp);
    c.b.expires(timestamp);
  }

  private static void filename(Ctx c, String n, String[] a) {
    maxArgs(n, a, 2);
    boolean encoded = a.length > 1 && !a[1].isEmpty() && bool(n, a[1]);
    String name = encoded ? base64UrlDecode(a[0]) : percentDecode(a[0]);
    if (name == null) {
      throw invalid(n, "filename", a[0], encoded ? "URL-safe base64" : "a percent-encoded name");
    }
    c.b.filename(name);
  }

  private static void preset(Ctx c, String n, String[] a) {
    for (String name : a) {
      c.applyPreset(name);
    }
  }

  // --- argument parsing -------------------------------------------------------------------------

  private static String one(String n, String[] a) {
    if (a.length != 1) {
      throw argCount(n, a, "1");
    }
    return a[0];
  }

  private static void maxArgs(String n, String[] a, int max) {
    if (a.length > max) {
      throw argCount(n, a, "at most " + max);
    }
  }

  private static ResizingType resizingType(String n, String arg) {
    return ResizingType.fromId(arg)
        .orElseThrow(() -> invalid(n, "resizing type", arg, "fit, fill, fill-down, force or auto"));
  }

  /**
   * Parses a gravity from {@code a[from...]}. As imgproxy, offsets that are not given keep their
   * current values, smart clears them, and a focus point needs both coordinates in [0, 1].
   */
  private static Gravity gravity(
      String n, String[] a, int from, Gravity current, Set<GravityType> allowed) {
    int count = a.length - from;
    GravityType type =
        GravityType.fromId(a[from])
            .filter(allowed::contains)
            .orElseThrow(() -> invalid(n, "gravity", a[from], allowedIds(allowed)));
    if (type == GravityType.SMART) {
      if (count > 1) {
        throw argCount(n, a, "no offsets after sm");
      }
      return Gravity.SMART;
    }
    if (type == GravityType.FOCUS_POINT ? count != 3 : count > 3) {
      throw argCount(n, a, type == GravityType.FOCUS_POINT ? "fp:x:y" : "at most type:x:y");
    }
    double x = current.type() == GravityType.SMART ? 0 : current.x();
    double y = current.type() == GravityType.SMART ? 0 : current.y();
    if (count > 1) {
      x = decimal(n, "gravity x", a[from + 1]);
    }
    if (count > 2) {
      y = decimal(n, "gravity y", a[from + 2]);
    }
    if (type == GravityType.FOCUS_POINT && (x < 0 || x > 1 || y < 0 || y > 1)) {
      throw invalid(n, "focus point", a[from + 1] + ":" + a[from + 2], "x and y in [0, 1]");
    }
    return new Gravity(type, x, y);
  }

  private static String allowedIds(Set<GravityType> allowed) {
    StringBuilder s = new StringBuilder("one of");
    allowed.forEach(t -> s.append(' ').append(t.id()));
    return s.toString();
  }

  private static boolean bool(String n, String arg) {
    if (TRUE.contains(arg)) {
      return true;
    }
    if (FALSE.contains(arg)) {
      return false;
    }
    throw invalid(n, "boolean", arg, "1, t, true, 0, f or false");
  }

  private static double decimal(String n, String what, String arg) {
    if (DECIMAL.matcher(arg).matches()) {
      double d = Double.parseDouble(arg);
      if (Double.isFinite(d)) {
        return d;
      }
    }
    throw invalid(n, what, arg, "a number");
  }

  private static double nonNegative(String n, String what, String arg) {
    double d = decimal(n, what, arg);
    if (d < 0) {
      throw invalid(n, what, arg, "a number >= 0");
    }
    return d;
  }

  private static double positive(String n, String what, String arg) {
    double d = decimal(n, what, arg);
    if (d <= 0) {
      throw invalid(n, what, arg, "a number > 0");
    }
    return d;
  }

  private static int integer(String n, String what, String arg) {
    if (INTEGER.matcher(arg).matches()) {
      try {
        return Integer.parseInt(arg);
      } catch (NumberFormatException e) {
        throw invalid(n, what, arg, "an integer within range");
      }
    }
    throw invalid(n, what, arg, "an integer");
  }

  private static int nonNegInt(String n, String what, String arg) {
    int i = integer(n, what, arg);
    if (i < 0) {
      throw invalid(n, what, arg, "an integer >= 0");
    }
    return i;
  }

  private static int percent(String n, String what, String arg) {
    int i = integer(n, what, arg);
    if (i < 0 || i > 100) {
      throw invalid(n, what, arg, "an integer 0..100");
    }
    return i;
  }

  private static int channel(String n, String what, String arg) {
    if (UINT.matcher(arg).matches() && arg.length() <= 3 && Integer.parseInt(arg) <= 255) {
      return Integer.parseInt(arg);
    }
    throw invalid(n, what, arg, "an integer 0..255");
  }

  private static Rgb hex(String n, String what, String arg) {
    try {
      return Rgb.fromHex(arg);
    } catch (IllegalArgumentException e) {
      throw invalid(n, what, arg, "3 or 6 hex digits");
    }
  }

  private static ImageFormat anyFormat(String n, String arg) {
    return ImageFormat.fromExtension(arg)
        .orElseThrow(() -> invalid(n, "image format", arg, "jpg, png, webp, avif, gif, ..."));
  }

  /** A format imgd can write; a known format it cannot write is UNSUPPORTED_FORMAT. */
  private static ImageFormat outputFormat(String n, String arg) {
    ImageFormat f = anyFormat(n, arg);
    if (!f.isOutput()) {
      throw new ImgdException(
          ErrorCode.UNSUPPORTED_FORMAT,
          "Output format " + arg.toLowerCase(Locale.ROOT) + " is not supported");
    }
    return f;
  }

  // --- errors
  // -------------------------------------------------------------------------------------

  private static ImgdException bad(String message) {
    return new ImgdException(ErrorCode.BAD_OPTIONS, message);
  }

  private static ImgdException invalid(String n, String what, String arg, String expected) {
    return bad("Invalid " + n + " " + what + ": '" + arg + "' (expected " + expected + ")");
  }

  private static ImgdException argCount(String n, String[] a, String expected) {
    return bad(
        "Invalid "
            + n
            + " arguments "
            + Arrays.toString(a)
            + ": wrong count (expected "
            + expected
            + ")");
  }

  private static EnumSet<GravityType> with(EnumSet<GravityType> base, GravityType... more) {
    EnumSet<GravityType> s = EnumSet.copyOf(base);
    s.addAll(Arrays.asList(more));
    return s;
  }
}
