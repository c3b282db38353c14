package dev.imgd.core.options;

import static dev.imgd.core.options.OptionArgs.bad;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImgdException;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Parses the processing-options part of an imgproxy URL, e.g. {@code
 * rs:fill:300:200:1/g:sm/q:80/bg:ff0000/f:webp}, into {@link Options}, with the names, aliases and
 * argument rules of {@link OptionTable}: arguments are separated by ':' (or the configured
 * separator, imgproxy's {@code IMGPROXY_ARGUMENTS_SEPARATOR}), booleans are 1/t/T/true/TRUE/True or
 * their false forms. Anything invalid raises {@link ImgdException} with {@link
 * ErrorCode#BAD_OPTIONS} and a message naming the option and the problem. The rest of an imgproxy
 * path (the source and its extension) is {@link ImgproxyPath}'s.
 *
 * <p>Presets are named option strings; the preset named {@code default} applies first to every
 * request, {@code pr:a:b} applies others in order, and a preset that (indirectly) uses itself
 * applies once, as in imgproxy. In presets-only mode (imgproxy's {@code IMGPROXY_ONLY_PRESETS}) a
 * URL may only name presets.
 *
 * <p>A {@code -} segment starts the next pass of a chained pipeline (imgproxy Pro): each pass runs
 * on the result of the one before. As in imgproxy, a preset applies to the pass it is used in, and
 * a preset's own {@code -} segments go on into the passes after it, merged with the URL's. The
 * options of the whole request (format, quality, savers, metadata, headers: see {@link
 * OptionTable#WHOLE_REQUEST}) apply from whichever pass they are written in, the last written
 * winning, as imgproxy's parser applies them to its main options: every pass ends with them all.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class OptionsParser {
  /** imgproxy's default separator of an option's name and arguments. */
  static final String SEPARATOR = ":";

  /** The segment that starts the next pass of a chained pipeline (imgproxy Pro's {@code /-/}). */
  static final String NEXT_PASS = "-";

  /**
   * The most passes a chained pipeline may have. Each pass may enlarge its input up to the result
   * limit and holds its result in memory for the next, so a URL must not ask for unbounded work;
   * imgproxy's documented uses (several watermarks, a cheap trim after a resize) need two or three.
   */
  public static final int MAX_PASSES = 8;

  private final Map<String, List<String[]>> presets;
  private final boolean onlyPresets;
  private final boolean securityOptions;
  private final Options defaults;
  private final InstantSource clock;
  private final String separator;
  private final Pattern splitter;
  private final boolean base64UrlIncludesFilename;
  private final Set<String> allowedOptions;

  /** A parser with the given presets (name to option string) and every other setting's default. */
  public OptionsParser(Map<String, String> presets) {
    this(builder().presets(presets));
  }

  private OptionsParser(Builder b) {
    this.onlyPresets = b.onlyPresets;
    this.securityOptions = b.securityOptions;
    this.defaults = b.defaults;
    this.clock = b.clock;
    this.separator = b.separator;
    this.splitter = Pattern.compile(Pattern.quote(separator));
    this.base64UrlIncludesFilename = b.base64UrlIncludesFilename;
    this.allowedOptions = b.allowedOptions;
    Map<String, List<String[]>> parsed = new HashMap<>();
    b.presets.forEach(
        (name, value) -> parsed.put(checkPresetName(name), presetSegments(name, value)));
    this.presets = Collections.unmodifiableMap(parsed);
    // Fail at start-up, not on the first request that happens to use a broken preset.
    for (String name : this.presets.keySet()) {
      try {
        new Request().applyPreset(name);
      } catch (ImgdException e) {
        throw new IllegalArgumentException("Invalid preset " + name + ": " + e.getMessage(), e);
      }
    }
  }

  /**
   * A builder of a parser: no presets, not presets-only, the security options refused (imgproxy's
   * default), {@link Options#DEFAULTS}, the system clock.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** The settings of a parser; {@link #build} checks the presets. */
  public static final class Builder {
    private Map<String, String> presets = Map.of();
    private boolean onlyPresets;
    private boolean securityOptions;
    private Options defaults = Options.DEFAULTS;
    private InstantSource clock = InstantSource.system();
    private String separator = SEPARATOR;
    private boolean base64UrlIncludesFilename;
    private Set<String> allowedOptions = Set.of();

    private Builder() {}

    /** Preset name to option string, e.g. {@code "thumb" -> "rs:fill:100:100/q:70"}. */
    public Builder presets(Map<String, String> presets) {
      this.presets = Objects.requireNonNull(presets, "presets");
      return this;
    }

    /** Whether URLs may only name presets (imgproxy's {@code IMGPROXY_ONLY_PRESETS}). */
    public Builder onlyPresets(boolean onlyPresets) {
      this.onlyPresets = onlyPresets;
      return this;
    }

    /**
     * Whether URLs and presets may set the security options, each only tighter than the engine's
     * own limit (imgproxy's {@code IMGPROXY_ALLOW_SECURITY_OPTIONS}).
     */
    public Builder securityOptions(boolean securityOptions) {
      this.securityOptions = securityOptions;
      return this;
    }

    /** The options every request starts from (the server's configured defaults). */
    public Builder defaults(Options defaults) {
      this.defaults = Objects.requireNonNull(defaults, "defaults");
      return this;
    }

    /** The time {@code expires} is checked against. */
    public Builder clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * What separates an option's name and arguments in URLs and presets, {@code ":"} by default
     * (imgproxy's {@code IMGPROXY_ARGUMENTS_SEPARATOR}).
     *
     * @throws IllegalArgumentException if it is empty or holds a '/', which separates options
     */
    public Builder separator(String separator) {
      if (separator.isEmpty() || separator.contains("/")) {
        throw new IllegalArgumentException("Invalid arguments separator: '" + separator + "'");
      }
      this.separator = separator;
      return this;
    }

    /**
     * Whether a base64 source split by '/' ends with a segment that is only a file name, for SEO,
     * and not part of the source (imgproxy's {@code IMGPROXY_BASE64_URL_INCLUDES_FILENAME}).
     */
    public Builder base64UrlIncludesFilename(boolean base64UrlIncludesFilename) {
      this.base64UrlIncludesFilename = base64UrlIncludesFilename;
      return this;
    }

    /**
     * The option names and aliases a URL may use, each as written; empty for all (imgproxy's {@code
     * IMGPROXY_ALLOWED_PROCESSING_OPTIONS}). Presets may use any option.
     *
     * @throws IllegalArgumentException if one is not an option name
     */
    public Builder allowedOptions(Collection<String> allowedOptions) {
      for (String name : allowedOptions) {
        if (OptionTable.find(name) == null) {
          throw new IllegalArgumentException("Unknown processing option: '" + name + "'");
        }
      }
      this.allowedOptions = Set.copyOf(allowedOptions);
      return this;
    }

    /**
     * The parser.
     *
     * @throws IllegalArgumentException if a preset is malformed, names an unknown option or preset,
     *     has bad arguments or uses itself
     */
    public OptionsParser build() {
      return new OptionsParser(this);
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
    return parse(options, Hints.NONE);
  }

  /**
   * As {@link #parse(String)}, starting from the client's hints (imgproxy's client hints: the
   * defaults the options and the {@code default} preset then override).
   */
  public Options parse(String options, Hints hints) {
    Objects.requireNonNull(options, "options");
    Request r = newRequest(hints);
    if (!options.isEmpty()) {
      for (String segment : options.split("/", -1)) {
        if (!isOptionSegment(segment)) {
          throw bad("Invalid option segment '" + segment + "': expected name:arguments");
        }
        r.applyUrlOption(segment);
      }
    }
    return r.build();
  }

  /**
   * Parses an imgproxy path after the signature, as {@link ImgproxyPath#parse}: {@code
   * /{options...}/plain/{percent-encoded url}[@{ext}]} or {@code /{options...}/{base64url source,
   * may be split by '/'}[.{ext}]}.
   *
   * @throws ImgdException BAD_OPTIONS (or UNSUPPORTED_FORMAT for a format imgd cannot write)
   */
  public ParsedPath parsePath(String path) {
    return parsePath(path, Hints.NONE);
  }

  /** As {@link #parsePath(String)}, starting from the client's hints. */
  public ParsedPath parsePath(String path, Hints hints) {
    return ImgproxyPath.parse(this, path, hints);
  }

  /**
   * What a client's hints ask for, as imgproxy's client hints: the device pixel ratio and the width
   * in device pixels the image will be shown at. They are the defaults of a request, before the
   * {@code default} preset and the URL's options: a {@code dpr} or {@code w} there wins.
   *
   * @param dpr the device pixel ratio, 0 &lt; dpr &lt;= {@link #MAX_DPR}; 0 for none
   * @param width the width in device pixels, &gt; 0; 0 for none
   */
  public record Hints(double dpr, int width) {
    /** imgproxy's bound on a hinted device pixel ratio. */
    public static final double MAX_DPR = 8;

    /** No hints: the request starts from the parser's defaults. */
    public static final Hints NONE = new Hints(0, 0);

    public Hints {
      if (!(dpr == 0 || (dpr > 0 && dpr <= MAX_DPR))) {
        throw new IllegalArgumentException("hinted dpr must be 0 or in (0, 8]: " + dpr);
      }
      if (width < 0) {
        throw new IllegalArgumentException("hinted width must be >= 0: " + width);
      }
    }

    /** Sets the hinted dpr and the width in CSS pixels (the hinted width over the hinted dpr). */
    void applyTo(Options.Builder b) {
      if (dpr > 0) {
        b.dpr(dpr);
      }
      if (width > 0) {
        b.width((int) Math.round(width / (dpr > 0 ? dpr : 1)));
      }
    }
  }

  /**
   * Undoes what browsers, proxies and CDNs do to an imgproxy path, as imgproxy does before it
   * checks the signature: see {@link ImgproxyPath#normalize}. The result starts with '/'.
   */
  public static String normalizePath(String path) {
    return ImgproxyPath.normalize(path);
  }

  /** Every option name and alias the parser accepts. */
  public static Set<String> optionNames() {
    return OptionTable.names();
  }

  /** An option ({@code name:args}) or the start of the next pass ({@code -}). */
  boolean isOptionSegment(String segment) {
    return segment.contains(separator) || segment.equals(NEXT_PASS);
  }

  /** The names of presets-only mode's first segment, or an option's name and arguments. */
  String[] split(String segment) {
    return splitter.split(segment, -1);
  }

  /** Whether the last segment of a base64 source split by '/' is a file name to ignore. */
  boolean base64UrlIncludesFilename() {
    return base64UrlIncludesFilename;
  }

  /** A request starting from the defaults, the client's hints and the {@code default} preset. */
  Request newRequest(Hints hints) {
    Request r = new Request();
    hints.applyTo(r.b);
    if (presets.containsKey("default")) {
      r.applyPreset("default");
    }
    return r;
  }

  private String checkPresetName(String name) {
    if (name == null || name.isEmpty() || name.contains(separator) || name.contains("/")) {
      throw new IllegalArgumentException("Invalid preset name: '" + name + "'");
    }
    return name;
  }

  private List<String[]> presetSegments(String name, String value) {
    Objects.requireNonNull(value, "preset " + name);
    if (value.isBlank()) {
      throw new IllegalArgumentException("Invalid preset " + name + ": no options");
    }
    List<String[]> segments = new ArrayList<>();
    for (String segment : value.split("/", -1)) { // empty segments are skipped below
      if (segment.isEmpty()) {
        continue;
      }
      if (!isOptionSegment(segment)) {
        throw new IllegalArgumentException(
            "Invalid preset " + name + ": segment '" + segment + "' is not name:arguments");
      }
      segments.add(split(segment));
    }
    return List.copyOf(segments);
  }

  /** The options of one request being parsed, pass by pass, and the presets it is inside. */
  final class Request {
    private final List<Options.Builder> passes = new ArrayList<>(List.of(defaults.toBuilder()));
    private int pass;

    /** The pass being built, which the options apply to. */
    Options.Builder b = passes.getFirst();

    private final Deque<String> presetStack = new ArrayDeque<>();

    /** The options of the whole request applied so far, in order, for {@link #finish}. */
    private final List<String[]> wholeRequest = new ArrayList<>();

    private boolean finished;

    /** Applies one {@code name:args} segment of a URL, or starts its next pass ({@code -}). */
    void applyUrlOption(String segment) {
      if (segment.equals(NEXT_PASS)) {
        toPass(pass + 1);
        return;
      }
      String[] parts = split(segment);
      if (onlyPresets && !parts[0].equals("preset") && !parts[0].equals("pr")) {
        throw bad("Only presets are allowed, got option '" + parts[0] + "'");
      }
      // As imgproxy: checked as the URL writes the name, before the option is looked up.
      if (!allowedOptions.isEmpty() && !allowedOptions.contains(parts[0])) {
        throw bad("Forbidden processing option " + parts[0]);
      }
      apply(parts);
    }

    /**
     * Ends the options: a chain's passes each get every option of the whole request, in the order
     * written, so the last written wins wherever it was. Returns the last pass, whose output the
     * result is.
     */
    Options.Builder finish() {
      if (!finished && passes.size() > 1) {
        for (Options.Builder p : passes) {
          b = p;
          for (String[] parts : wholeRequest) {
            applyOption(parts);
          }
        }
      }
      finished = true;
      return passes.getLast();
    }

    /** The options: the last pass, holding the passes before it. */
    Options build() {
      Options.Builder last = finish();
      List<Options> earlier = new ArrayList<>();
      for (Options.Builder p : passes.subList(0, passes.size() - 1)) {
        earlier.add(p.build());
      }
      return last.earlierPasses(earlier).build();
    }

    private void toPass(int index) {
      if (index >= MAX_PASSES) {
        throw bad("A chained pipeline may have at most " + MAX_PASSES + " passes");
      }
      while (passes.size() <= index) {
        passes.add(defaults.toBuilder());
      }
      pass = index;
      b = passes.get(index);
    }

    private void apply(String[] parts) {
      if (applyOption(parts).wholeRequest()) {
        wholeRequest.add(parts);
      }
    }

    private OptionTable.Option applyOption(String[] parts) {
      String name = parts[0];
      OptionTable.Option option = OptionTable.find(name);
      if (option == null) {
        throw bad("Unknown processing option: '" + name + "'");
      }
      String[] args = Arrays.copyOfRange(parts, 1, parts.length);
      try {
        option.applyTo(this, name, args);
      } catch (IllegalArgumentException e) {
        // A value the builder refused that the option's own checks did not catch first.
        throw bad(
            "Invalid " + name + " arguments " + Arrays.toString(args) + ": " + e.getMessage());
      }
      return option;
    }

    /** Applies a preset to the current pass; its own {@code -} segments go on to the next ones. */
    void applyPreset(String name) {
      List<String[]> preset = presets.get(name);
      if (preset == null) {
        throw bad("Unknown preset: '" + name + "'");
      }
      if (presetStack.contains(name)) {
        return; // as imgproxy: a preset already being applied is not applied again
      }
      presetStack.push(name);
      int start = pass;
      for (String[] segment : preset) {
        if (segment[0].equals(NEXT_PASS)) {
          toPass(pass + 1);
        } else {
          apply(segment);
        }
      }
      toPass(start);
      presetStack.pop();
    }

    void checkSecurityOptionAllowed(String name) {
      if (!securityOptions) {
        throw bad("Security processing options are not allowed: '" + name + "'");
      }
    }

    void checkExpiry(long timestamp) {
      if (timestamp > 0 && timestamp < clock.instant().getEpochSecond()) {
        throw new ExpiredUrlException(timestamp);
      }
    }
  }
}
