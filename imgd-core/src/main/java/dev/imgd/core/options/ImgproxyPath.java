package dev.imgd.core.options;

import static dev.imgd.core.options.OptionArgs.bad;
import static dev.imgd.core.options.OptionsParser.SEPARATOR;

import dev.imgd.core.ImageFormat;
import dev.imgd.core.ImgdException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * imgproxy's path grammar after the signature: {@code /{options...}/plain/{percent-encoded
 * url}[@{ext}]} or {@code /{options...}/{base64url source, may be split by '/'}[.{ext}]}; in
 * presets-only mode the first segment is a ':'-separated list of presets instead of options. The
 * options themselves are {@link OptionsParser}'s, {@code -} segments among them starting the next
 * pass of a chained pipeline; the extension is the last pass's format.
 */
final class ImgproxyPath {
  /** A scheme whose "//" a proxy folded to one '/': {@code https:/host}, {@code local:/x.jpg}. */
  private static final Pattern FOLDED_SCHEME =
      Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*):/([^/])");

  private ImgproxyPath() {}

  /**
   * The path as its signer wrote it, as imgproxy's RedenormalizePath: {@code %3A} in the options
   * back to ':' (proxies escape it), {@code scheme:/x} in a plain source back to {@code scheme://x}
   * ({@code local:///x} for local), and an empty options segment ({@code //plain/...}) dropped.
   * imgproxy signs and parses this form, so the signature is checked on it.
   *
   * <p>Unlike imgproxy, only a real scheme at the start is repaired: imgproxy's {@code ^(\S+):/}
   * also rewrote a {@code :/} inside the source's path ({@code http://h/a:/b} to {@code a://b}).
   */
  static String normalize(String path) {
    String p = path.startsWith("/") ? path.substring(1) : path;
    String options;
    String plain;
    if (p.startsWith("plain/")) {
      options = "";
      plain = p.substring("plain/".length());
    } else {
      int at = p.indexOf("/plain/");
      if (at < 0) {
        return "/" + stripSlash(p.replace("%3A", SEPARATOR));
      }
      options = p.substring(0, at);
      plain = p.substring(at + "/plain/".length());
    }
    Matcher m = FOLDED_SCHEME.matcher(plain);
    if (m.find()) {
      String slashes = m.group(1).equals("local") ? ":///" : "://";
      plain = m.group(1) + slashes + m.group(2) + plain.substring(m.end());
    }
    return "/" + stripSlash(options.replace("%3A", SEPARATOR) + "/plain/" + plain);
  }

  private static String stripSlash(String s) {
    return s.startsWith("/") ? s.substring(1) : s;
  }

  /**
   * Takes {@code path} apart; the extension becomes the output format (unless {@code raw} is set).
   *
   * @throws ImgdException BAD_OPTIONS (or UNSUPPORTED_FORMAT for a format imgd cannot write)
   */
  static ParsedPath parse(OptionsParser parser, String path, OptionsParser.Hints hints) {
    if (path == null || path.isEmpty() || path.equals("/")) {
      throw bad("Invalid path: '" + (path == null ? "" : path) + "'");
    }
    String[] parts = (path.startsWith("/") ? path.substring(1) : path).split("/", -1);
    OptionsParser.Request r = parser.newRequest(hints);
    int sourceStart;
    if (parser.onlyPresets()) {
      for (String name : parser.split(parts[0])) {
        r.applyPreset(name);
      }
      sourceStart = 1;
    } else {
      if (ResizingType.fromId(parts[0]).isPresent()) {
        throw bad("The basic URL format (/{resizing_type}/...) is not supported; use options");
      }
      sourceStart = 0;
      while (sourceStart < parts.length && parser.isOptionSegment(parts[sourceStart])) {
        r.applyUrlOption(parts[sourceStart++]);
      }
    }
    String[] sourceParts =
        Arrays.copyOfRange(parts, Math.min(sourceStart, parts.length), parts.length);
    String[] source = decodeSource(sourceParts, parser.base64UrlIncludesFilename());
    Optional<ImageFormat> extension = Optional.empty();
    Options.Builder last = r.finish();
    if (source[1] != null) {
      if (last.input.raw()) {
        extension = ImageFormat.fromExtension(source[1]);
      } else {
        ImageFormat f = OptionArgs.outputFormat("extension", source[1]);
        last.format(f);
        extension = Optional.of(f);
      }
    }
    return new ParsedPath(r.build(), source[0], extension);
  }

  /**
   * The source URL and the extension (or null), as imgproxy's DecodeURL; a base64 source split by
   * '/' loses its last segment if it is a file name ({@code withFilename}).
   */
  private static String[] decodeSource(String[] sourceParts, boolean withFilename) {
    String[] parts = sourceParts;
    if (parts.length == 0 || (parts.length == 1 && parts[0].isEmpty())) {
      throw bad("Image URL is empty");
    }
    if (parts[0].equals("enc") && parts.length > 1) {
      throw bad("Encrypted source URLs are not supported");
    }
    boolean plain = parts[0].equals("plain") && parts.length > 1;
    if (!plain && withFilename && parts.length > 1) {
      parts = Arrays.copyOf(parts, parts.length - 1);
    }
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
    String url = plain ? percentDecode(split[0]) : base64UrlDecode(split[0]);
    if (url == null) {
      throw bad("Invalid url encoding: " + joined);
    }
    if (url.isEmpty()) {
      throw bad("Image URL is empty"); // base64 of nothing: "=" or "=="
    }
    return new String[] {url, ext};
  }

  /** Go's url.PathUnescape: %XX escapes only, '+' stays '+'; null if malformed. */
  static @Nullable String percentDecode(String s) {
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
  static @Nullable String base64UrlDecode(String s) {
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

  private static @Nullable String utf8(ByteBuffer bytes) {
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
}
