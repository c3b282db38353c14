package dev.imgd.server.settings;

import dev.imgd.server.source.SourceSettings;
import dev.imgd.server.source.TrustedSources;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * How a setting's text becomes a value, and what is allowed, in words for the error line and the
 * help. The parser throws any RuntimeException on a bad value; {@link Setting#parse} names it.
 *
 * @param allowed the allowed values, like "a whole number >= 0"
 * @param parser text (stripped) to value
 * @param <T> the value's type
 */
public record Type<T>(String allowed, Function<String, T> parser) {

  T parse(String text) {
    return parser.apply(text);
  }

  /** Any text. */
  static final Type<String> TEXT = new Type<>("any text", s -> s);

  static final Type<Boolean> BOOLEAN =
      new Type<>(
          "true or false (also 1/0, yes/no, t/f)",
          s ->
              switch (s.toLowerCase(Locale.ROOT)) {
                case "true", "1", "yes", "t" -> true;
                case "false", "0", "no", "f", "" -> false;
                default -> throw new IllegalArgumentException();
              });

  /** Seconds, decimals allowed, more than zero. */
  static final Type<Duration> SECONDS =
      new Type<>(
          "seconds > 0 (decimals allowed)",
          s -> {
            double v = Double.parseDouble(s);
            if (!(v > 0) || Double.isInfinite(v)) {
              throw new IllegalArgumentException();
            }
            return Duration.ofMillis((long) (v * 1000));
          });

  /** Megapixels, decimals allowed as in imgproxy (16.8), as whole pixels. */
  static final Type<Long> MEGAPIXELS =
      new Type<>(
          "megapixels > 0, up to 1000000 (decimals allowed)",
          s -> {
            double v = Double.parseDouble(s);
            if (!(v > 0) || v > 1_000_000) {
              throw new IllegalArgumentException();
            }
            return Math.round(v * 1_000_000);
          });

  static final Type<HostPort> HOST_PORT =
      new Type<>(
          "host:port (port 0-65535, 0: a free one)",
          s -> {
            int colon = s.lastIndexOf(':');
            String host = s.substring(0, colon).replace("[", "").replace("]", "");
            int port = Integer.parseInt(s.substring(colon + 1));
            if (host.isEmpty() || port < 0 || port > 65535) {
              throw new IllegalArgumentException();
            }
            return new HostPort(host, port);
          });

  /** Comma-separated, each entry stripped; empty: none. */
  static final Type<List<String>> LIST = new Type<>("a comma-separated list", Type::split);

  static final Type<List<String>> CIDRS =
      new Type<>(
          "comma-separated CIDRs or addresses, like 10.0.0.0/8,fd00::/8",
          s -> {
            List<String> all = split(s);
            all.forEach(SourceSettings::checkNetwork);
            return all;
          });

  /** Checked as {@link TrustedSources} reads them; kept as text, as the package is not exported. */
  static final Type<List<String>> TRUSTED_SOURCES =
      new Type<>(
          "comma-separated URLs like https://img.example.com/photos/, s3://bucket/, local:///",
          s -> {
            List<String> all = split(s);
            TrustedSources.parse(all);
            return all;
          });

  static final Type<List<byte[]>> HEX_LIST =
      new Type<>(
          "comma-separated hex strings",
          s -> split(s).stream().map(HexFormat.of()::parseHex).toList());

  /**
   * As imgproxy reads them: blank entries and {@code #} comments skipped, name and options
   * stripped.
   */
  static final Type<Map<String, String>> PRESETS =
      new Type<>(
          "comma-separated name=options entries, both non-empty (# starts a comment)",
          s -> presets(split(s)));

  /**
   * The presets of {@code name=options} entries (stripped), blank ones and {@code #} comments
   * skipped; a file's lines are entries as they are, so their options may hold a comma (an
   * arguments separator).
   */
  static Map<String, String> presets(List<String> entries) {
    Map<String, String> presets = new LinkedHashMap<>();
    for (String p : entries) {
      if (p.isEmpty() || p.startsWith("#")) {
        continue;
      }
      String[] nameOptions = p.split("=", -1);
      if (nameOptions.length != 2 || nameOptions[0].isBlank() || nameOptions[1].isBlank()) {
        throw new IllegalArgumentException();
      }
      presets.put(nameOptions[0].strip(), nameOptions[1].strip());
    }
    return Map.copyOf(presets);
  }

  /** A folder as an absolute path; empty: off. */
  static final Type<Optional<Path>> FOLDER_OR_OFF =
      new Type<>(
          "a folder; empty: off",
          s -> s.isEmpty() ? Optional.empty() : Optional.of(Path.of(s).toAbsolutePath()));

  /** A file's bytes, read now; empty: none. */
  static final Type<Optional<byte[]>> FILE_OR_NONE =
      new Type<>(
          "a readable file; empty: none",
          s -> {
            if (s.isEmpty()) {
              return Optional.empty();
            }
            try {
              return Optional.of(Files.readAllBytes(Path.of(s)));
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          });

  static final Type<Optional<byte[]>> BASE64_OR_NONE =
      new Type<>(
          "base64 (standard alphabet); empty: none",
          s ->
              s.isEmpty()
                  ? Optional.empty()
                  : Optional.of(Base64.getDecoder().decode(s.replaceAll("\\s", ""))));

  /** An absolute URL (its scheme is checked by the sources when it is used); empty: none. */
  static final Type<Optional<String>> URL_OR_NONE =
      new Type<>(
          "an absolute URL like https://example.com/mark.png; empty: none",
          s -> {
            if (!s.isEmpty() && !URI.create(s).isAbsolute()) {
              throw new IllegalArgumentException();
            }
            return s.isEmpty() ? Optional.empty() : Optional.of(s);
          });

  static final Type<Optional<String>> TEXT_OR_NONE =
      new Type<>("any text; empty: none", s -> s.isEmpty() ? Optional.empty() : Optional.of(s));

  /** A bearer token (RFC 6750's token characters), long enough not to be guessed; empty: none. */
  static final Type<Optional<String>> TOKEN =
      new Type<>(
          "empty or 16 or more of A-Z a-z 0-9 - . _ ~ + / (then = padding)",
          s -> {
            if (!s.isEmpty() && (s.length() < 16 || !s.matches("[A-Za-z0-9._~+/-]+=*"))) {
              throw new IllegalArgumentException();
            }
            return s.isEmpty() ? Optional.empty() : Optional.of(s);
          });

  static final Type<Optional<HostPort>> HOST_PORT_OR_OFF =
      new Type<>(
          "empty (off) or " + HOST_PORT.allowed(),
          s -> s.isEmpty() ? Optional.empty() : Optional.of(HOST_PORT.parse(s)));

  /** A whole number in [min, max]. */
  static Type<Long> number(long min, long max) {
    String allowed =
        max == Long.MAX_VALUE
            ? "a whole number >= " + min
            : "a whole number from " + min + " to " + max;
    return new Type<>(allowed, s -> inRange(Long.parseLong(s), min, max));
  }

  /** A whole number in [min, max] that fits an int. */
  static Type<Integer> count(int min, int max) {
    Type<Long> n = number(min, max);
    return new Type<>(n.allowed(), s -> n.parse(s).intValue());
  }

  /** A number > 0, decimals allowed. */
  static final Type<Double> POSITIVE =
      new Type<>("a number > 0", s -> decimalIn(s, Double.MIN_VALUE, Double.MAX_VALUE));

  /** A number from 0 to 1, decimals allowed. */
  static final Type<Double> FRACTION = new Type<>("a number from 0 to 1", s -> decimalIn(s, 0, 1));

  /** {@code cores} (the machine's processors) or a count >= 1. */
  static Type<Integer> countOrCores() {
    Type<Integer> n = count(1, 4096);
    return new Type<>(
        "cores or " + n.allowed(),
        s -> s.equals("cores") ? Runtime.getRuntime().availableProcessors() : n.parse(s));
  }

  /** {@code auto} (empty) or a whole number >= min. */
  static Type<OptionalLong> numberOrAuto(long min) {
    Type<Long> n = number(min, Long.MAX_VALUE);
    return new Type<>(
        "auto or " + n.allowed(),
        s -> s.equals("auto") ? OptionalLong.empty() : OptionalLong.of(n.parse(s)));
  }

  static Type<String> oneOf(String... values) {
    List<String> allowed = List.of(values);
    return new Type<>(
        String.join(" or ", allowed),
        s -> {
          if (!allowed.contains(s)) {
            throw new IllegalArgumentException();
          }
          return s;
        });
  }

  private static double decimalIn(String s, double min, double max) {
    double v = Double.parseDouble(s);
    if (!(v >= min && v <= max)) {
      throw new IllegalArgumentException();
    }
    return v;
  }

  private static long inRange(long v, long min, long max) {
    if (v < min || v > max) {
      throw new IllegalArgumentException();
    }
    return v;
  }

  private static List<String> split(String s) {
    return s.isEmpty() ? List.of() : Arrays.stream(s.split(",")).map(String::strip).toList();
  }
}
