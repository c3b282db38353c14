package dev.imgd.server;

import dev.imgd.core.Limits;
import dev.imgd.server.source.SourceSettings;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Every setting of the server, read from environment variables (imgproxy's names where there is a
 * counterpart, with IMGD_ for IMGPROXY_) and, beneath them, an optional properties file with the
 * same keys ({@code IMGD_CONFIG}). Each setting has a safe default; {@link #describe()} lists them.
 */
public final class ServerSettings {
  /** One setting: its name, default and meaning. */
  public record Setting(String name, String defaultValue, String description) {}

  private static final List<Setting> SETTINGS =
      List.of(
          new Setting("IMGD_BIND", "127.0.0.1:8080", "host:port of the HTTP listener"),
          new Setting("IMGD_LOCAL_ROOT", "./images", "folder served as local:///; empty: off"),
          new Setting(
              "IMGD_KEY", "", "hex HMAC keys, comma-separated (rotation); empty: no signatures"),
          new Setting("IMGD_SALT", "", "hex salts, one per key"),
          new Setting("IMGD_SIGNATURE_SIZE", "32", "bytes of the signature kept (1-32)"),
          new Setting("IMGD_MAX_SRC_RESOLUTION", "50", "largest source, in megapixels per frame"),
          new Setting("IMGD_MAX_SRC_FILE_SIZE", "52428800", "largest source, in bytes"),
          new Setting("IMGD_MAX_ANIMATION_FRAMES", "256", "frames of an animation or pages"),
          new Setting("IMGD_MAX_RESULT_DIMENSION", "16384", "longest side of a result"),
          new Setting("IMGD_WORKERS", "cores", "images processed at once (worker processes)"),
          new Setting(
              "IMGD_MODE",
              "isolated",
              "isolated (worker processes) or in-process (trusted input, fastest)"),
          new Setting(
              "IMGD_TRUSTED_SOURCES",
              "",
              "source prefixes processed in-process even in isolated mode (e.g. local://)"),
          new Setting("IMGD_TIMEOUT", "10", "seconds for a whole request: queue, download, work"),
          new Setting("IMGD_DOWNLOAD_TIMEOUT", "5", "seconds for one source download"),
          new Setting("IMGD_QUEUE_SIZE", "64", "requests that may wait for a worker"),
          new Setting("IMGD_QUEUE_TIMEOUT", "5", "seconds a request may wait for a worker"),
          new Setting(
              "IMGD_MEMORY_BUDGET", "2147483648", "bytes of estimated image memory in flight"),
          new Setting(
              "IMGD_RSS_BUDGET",
              "auto",
              "resident bytes of imgd and its workers that move it to reduced (70%) and"
                  + " shedding (90%) tiers; auto: 80% of the memory limit"),
          new Setting(
              "IMGD_SOURCE_CONCURRENCY", "32", "downloads at once from one origin (bulkhead)"),
          new Setting("IMGD_SOURCE_RETRIES", "2", "retries of a failed http/s3 download"),
          new Setting(
              "IMGD_SOURCE_BREAK", "30", "seconds a failing origin's circuit breaker stays open"),
          new Setting("IMGD_WORKER_MEMORY", "2147483648", "resident bytes a worker may reach"),
          new Setting("IMGD_CACHE_MAX_BYTES", "268435456", "result cache size in bytes; 0: off"),
          new Setting("IMGD_TTL", "31536000", "Cache-Control max-age of results, seconds"),
          new Setting("IMGD_AUTO_WEBP", "false", "WebP when Accept allows and no format is set"),
          new Setting("IMGD_AUTO_AVIF", "false", "AVIF when Accept allows and no format is set"),
          new Setting("IMGD_MAX_BODY_SIZE", "52428800", "largest POST /process body, bytes"),
          new Setting("IMGD_ALLOWED_SOURCES", "", "source URL prefixes allowed, comma-separated"),
          new Setting(
              "IMGD_ALLOWED_NETWORKS",
              "",
              "CIDRs sources may reach despite the SSRF guard (loopback, private...)"),
          new Setting("IMGD_USE_S3", "false", "enable s3://bucket/key sources"),
          new Setting("IMGD_S3_ENDPOINT", "", "S3-compatible endpoint URL; empty: AWS"),
          new Setting("IMGD_S3_REGION", "us-east-1", "S3 region"),
          new Setting("IMGD_PRESETS", "", "name=options presets, comma-separated"),
          new Setting("IMGD_ONLY_PRESETS", "false", "URLs may only name presets"),
          new Setting("IMGD_LIBVIPS_SYSTEM", "detected", "system libvips for HEIC/PDF workers"),
          new Setting("IMGD_ADMIN_BIND", "", "host:port of the admin listener (JFR); empty: off"),
          new Setting("IMGD_DRAIN_TIMEOUT", "30", "seconds shutdown waits for requests in flight"));

  private final Map<String, String> values;

  private ServerSettings(Map<String, String> values) {
    this.values = values;
  }

  /** The settings: the environment over the IMGD_CONFIG file over the defaults. */
  public static ServerSettings fromEnvironment() {
    return from(System.getenv());
  }

  public static ServerSettings from(Map<String, String> env) {
    Map<String, String> v = new HashMap<>();
    for (Setting s : SETTINGS) {
      v.put(s.name(), s.defaultValue());
    }
    String file = env.get("IMGD_CONFIG");
    if (file != null && !file.isBlank()) {
      Properties p = new Properties();
      try (Reader r = Files.newBufferedReader(Path.of(file))) {
        p.load(r);
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read IMGD_CONFIG " + file + ": " + e, e);
      }
      p.stringPropertyNames().forEach(k -> v.put(known(k, "IMGD_CONFIG"), p.getProperty(k)));
    }
    env.forEach((k, val) -> {
      if (k.startsWith("IMGD_") && v.containsKey(k)) {
        v.put(k, val);
      }
    });
    ServerSettings s = new ServerSettings(v);
    s.validate();
    return s;
  }

  /** The table for {@code imgd serve --help}. */
  public static List<Setting> describe() {
    return SETTINGS;
  }

  private static String known(String key, String where) {
    if (SETTINGS.stream().noneMatch(s -> s.name().equals(key))) {
      throw new IllegalArgumentException("unknown setting " + key + " in " + where);
    }
    return key;
  }

  private void validate() {
    bind();
    limits();
    timeout();
    keys();
    mode();
  }

  String get(String name) {
    return values.get(known(name, "code")).strip();
  }

  long longValue(String name) {
    try {
      return Long.parseLong(get(name));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a number: " + get(name), e);
    }
  }

  boolean bool(String name) {
    String v = get(name).toLowerCase(Locale.ROOT);
    return switch (v) {
      case "true", "1", "yes" -> true;
      case "false", "0", "no", "" -> false;
      default -> throw new IllegalArgumentException(name + " must be true or false: " + v);
    };
  }

  Duration seconds(String name) {
    try {
      double s = Double.parseDouble(get(name));
      if (!(s > 0)) {
        throw new IllegalArgumentException(name + " must be > 0: " + get(name));
      }
      return Duration.ofMillis((long) (s * 1000));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be seconds: " + get(name), e);
    }
  }

  List<String> list(String name) {
    String v = get(name);
    return v.isEmpty() ? List.of() : Arrays.stream(v.split(",")).map(String::strip).toList();
  }

  /** host:port of a listener; port 0 picks a free one. */
  static HostPort hostPort(String name, String value) {
    int colon = value.lastIndexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException(name + " must be host:port: " + value);
    }
    String host = value.substring(0, colon).replace("[", "").replace("]", "");
    try {
      int port = Integer.parseInt(value.substring(colon + 1));
      if (port < 0 || port > 65535) {
        throw new NumberFormatException();
      }
      return new HostPort(host, port);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " has a bad port: " + value, e);
    }
  }

  record HostPort(String host, int port) {}

  HostPort bind() {
    return hostPort("IMGD_BIND", get("IMGD_BIND"));
  }

  Optional<HostPort> adminBind() {
    String v = get("IMGD_ADMIN_BIND");
    return v.isEmpty() ? Optional.empty() : Optional.of(hostPort("IMGD_ADMIN_BIND", v));
  }

  Limits limits() {
    long megapixels = longValue("IMGD_MAX_SRC_RESOLUTION");
    return Limits.DEFAULTS.toBuilder()
        .maxSourcePixels(megapixels * 1_000_000)
        .maxFrames((int) longValue("IMGD_MAX_ANIMATION_FRAMES"))
        .maxResultSide((int) longValue("IMGD_MAX_RESULT_DIMENSION"))
        .build();
  }

  long maxSourceBytes() {
    return longValue("IMGD_MAX_SRC_FILE_SIZE");
  }

  int workers() {
    String v = get("IMGD_WORKERS");
    return v.equals("cores")
        ? Runtime.getRuntime().availableProcessors()
        : (int) longValue("IMGD_WORKERS");
  }

  boolean isolated() {
    return mode().equals("isolated");
  }

  private String mode() {
    String m = get("IMGD_MODE");
    if (!m.equals("isolated") && !m.equals("in-process")) {
      throw new IllegalArgumentException("IMGD_MODE must be isolated or in-process: " + m);
    }
    return m;
  }

  long rssBudget() {
    return get("IMGD_RSS_BUDGET").equals("auto")
        ? Pressure.defaultBudget()
        : longValue("IMGD_RSS_BUDGET");
  }

  Duration timeout() {
    return seconds("IMGD_TIMEOUT");
  }

  /** Key/salt pairs, decoded from hex; empty when signatures are off. */
  List<byte[][]> keys() {
    List<String> keys = list("IMGD_KEY");
    List<String> salts = list("IMGD_SALT");
    if (keys.size() != salts.size()) {
      throw new IllegalArgumentException(
          "IMGD_KEY and IMGD_SALT must list as many values: "
              + keys.size()
              + " vs "
              + salts.size());
    }
    List<byte[][]> pairs = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      try {
        pairs.add(
            new byte[][] {
              HexFormat.of().parseHex(keys.get(i)), HexFormat.of().parseHex(salts.get(i))
            });
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("IMGD_KEY and IMGD_SALT must be hex", e);
      }
    }
    return pairs;
  }

  Map<String, String> presets() {
    Map<String, String> presets = new LinkedHashMap<>();
    for (String p : list("IMGD_PRESETS")) {
      int eq = p.indexOf('=');
      if (eq < 1) {
        throw new IllegalArgumentException("IMGD_PRESETS entries are name=options: " + p);
      }
      presets.put(p.substring(0, eq), p.substring(eq + 1));
    }
    return presets;
  }

  SourceSettings sources() {
    SourceSettings.Builder b =
        SourceSettings.defaults().toBuilder()
            .downloadTimeout(seconds("IMGD_DOWNLOAD_TIMEOUT"))
            .allowedSources(list("IMGD_ALLOWED_SOURCES"))
            .allowedNetworks(list("IMGD_ALLOWED_NETWORKS"))
            .s3Enabled(bool("IMGD_USE_S3"))
            .s3Region(get("IMGD_S3_REGION"));
    String root = get("IMGD_LOCAL_ROOT");
    b.localRoot(root.isEmpty() ? null : Path.of(root).toAbsolutePath());
    if (!get("IMGD_S3_ENDPOINT").isEmpty()) {
      b.s3Endpoint(get("IMGD_S3_ENDPOINT")).s3PathStyle(true);
    }
    return b.build();
  }
}
