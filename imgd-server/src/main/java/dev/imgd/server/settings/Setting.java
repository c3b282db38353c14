package dev.imgd.server.settings;

import java.util.Objects;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * One setting, declared once in {@link Settings}: its environment name, imgproxy's name for the
 * same thing (read where the IMGD_ name is not given), its type, its default, its help text, and
 * whether its value is secret (never printed).
 *
 * @param name the environment variable, like {@code IMGD_TTL}
 * @param imgproxyName imgproxy's variable for the same setting, like {@code IMGPROXY_TTL}; null
 *     when imgproxy has none
 * @param type how the text is parsed and what is allowed
 * @param defaultValue the text used when the setting is not given
 * @param help one line for {@code imgd serve --help}
 * @param secret whether the value is masked wherever it is shown
 * @param launcher whether it is read before the server's settings, by the {@code imgd} launcher or
 *     the logging set-up (listed so that the table is complete; the server does not parse it)
 * @param fromImgproxy turns a value of imgproxy's variable into this setting's text where the two
 *     differ (imgproxy's 0 for "unlimited", its wildcards); null: not given, imgd's default holds;
 *     throws on a value imgd cannot take
 * @param <T> the parsed value's type
 */
public record Setting<T>(
    String name,
    @Nullable String imgproxyName,
    Type<T> type,
    String defaultValue,
    String help,
    boolean secret,
    boolean launcher,
    UnaryOperator<String> fromImgproxy) {

  public Setting {
    Objects.requireNonNull(name, "name");
    if (!name.startsWith("IMGD_")) {
      throw new IllegalArgumentException("a setting's name starts with IMGD_: " + name);
    }
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(defaultValue, "defaultValue");
    Objects.requireNonNull(help, "help");
    Objects.requireNonNull(fromImgproxy, "fromImgproxy");
  }

  /**
   * Parses a value of this setting; a bad one fails naming the variable it came from (this
   * setting's or imgproxy's) and what is allowed.
   */
  T parse(String variable, String text, String from) {
    try {
      return type.parse(text.strip());
    } catch (RuntimeException e) {
      throw new SettingException(
          "bad setting %s=%s (%s): allowed: %s"
              .formatted(variable, shown(text), from, type.allowed()));
    }
  }

  /** The value as it may be printed: secrets masked. */
  String shown(String text) {
    return secret && !text.isEmpty() ? "***" : text;
  }
}
