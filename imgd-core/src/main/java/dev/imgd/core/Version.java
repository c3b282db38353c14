package dev.imgd.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.Properties;

/**
 * imgd's version, as the build wrote it (the Maven project version, filtered into {@code
 * version.properties}): what {@code imgd --version} and {@code /health} print.
 */
public final class Version {
  private static final String VERSION = read();

  private Version() {}

  /** The version, e.g. "0.1.0-SNAPSHOT". */
  public static String get() {
    return VERSION;
  }

  private static String read() {
    try (InputStream in =
        Objects.requireNonNull(
            Version.class.getResourceAsStream("version.properties"), "version.properties")) {
      Properties p = new Properties();
      p.load(in);
      return Objects.requireNonNull(p.getProperty("version"), "version");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
