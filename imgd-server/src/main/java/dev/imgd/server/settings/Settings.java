package dev.imgd.server.settings;

import dev.imgd.core.ImageFormat;
import dev.imgd.core.options.OptionsParser;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Every setting of the server, declared once in the table below, and an immutable set of values
 * parsed and checked from the environment over the optional properties file {@code IMGD_CONFIG}
 * over the defaults. {@link #from} checks every setting before anything starts, so a bad value
 * stops the server at once with one line naming the setting, the value and what is allowed.
 */
public final class Settings {
  private static final List<Setting<?>> TABLE = new ArrayList<>();

  // The launcher (./imgd) reads these before Java starts; declared so that the list is complete.
  public static final Setting<String> LIBVIPS =
      launcher(
          "IMGD_LIBVIPS", "the libvips shared library to load; default: the launcher finds one");
  public static final Setting<String> JAVA_HOME =
      launcher("IMGD_JAVA_HOME", "the JDK 25 to run; default: JAVA_HOME, then /usr/lib/jvm");
  public static final Setting<String> CACHE_DIR =
      launcher("IMGD_CACHE_DIR", "build and class-data cache; default: ~/.cache/imgd");
  public static final Setting<String> ALLOCATOR =
      launcher("IMGD_ALLOCATOR", "jemalloc (when installed) or glibc; default: jemalloc");
  public static final Setting<String> JAVA_OPTS =
      launcher("IMGD_JAVA_OPTS", "extra JVM options for the server");
  public static final Setting<String> AOT_CACHE =
      launcher(
          "IMGD_AOT_CACHE",
          "on or off: the server JVM's JDK AOT cache, trained once per build on the test images"
              + " (the first serve takes ~40 s longer), then used; default: on");
  public static final Setting<String> LOG_FORMAT =
      launcher("IMGD_LOG_FORMAT", "JSON or TEXT log lines; default for serve: JSON");
  public static final Setting<String> LOG_LEVEL =
      launcher(
          "IMGD_LOG_LEVEL",
          "IMGPROXY_LOG_LEVEL", // its debug, info, warn and error are logback's levels
          "log level (ERROR, WARN, INFO, DEBUG, any case); default for serve: INFO");
  public static final Setting<String> CONFIG =
      server(
          "IMGD_CONFIG",
          null,
          Type.TEXT,
          "",
          "properties file with more IMGD_ settings; the environment wins");

  public static final Setting<HostPort> BIND =
      server(
          "IMGD_BIND",
          "IMGPROXY_BIND",
          bind -> bind.startsWith(":") ? "0.0.0.0" + bind : bind, // imgproxy's :8080: every address
          Type.HOST_PORT,
          "127.0.0.1:8080",
          "HTTP listener");
  public static final Setting<Optional<Path>> LOCAL_ROOT =
      server(
          "IMGD_LOCAL_ROOT",
          "IMGPROXY_LOCAL_FILESYSTEM_ROOT",
          Type.FOLDER_OR_OFF,
          "./images",
          "folder served as local:///");
  public static final Setting<List<byte[]>> KEY =
      secret(
          "IMGD_KEY",
          "IMGPROXY_KEY",
          Type.HEX_LIST,
          "hex HMAC keys, comma-separated (rotation); empty: off");
  public static final Setting<List<byte[]>> SALT =
      secret("IMGD_SALT", "IMGPROXY_SALT", Type.HEX_LIST, "hex salts, one per key");
  public static final Setting<List<String>> TRUSTED_SIGNATURES =
      secret(
          "IMGD_TRUSTED_SIGNATURES",
          "IMGPROXY_TRUSTED_SIGNATURES",
          Type.LIST,
          "signatures accepted for any path without a check, comma-separated: each one unlocks"
              + " every URL, so they are secrets like the keys; empty: none");
  public static final Setting<Integer> SIGNATURE_SIZE =
      server(
          "IMGD_SIGNATURE_SIZE",
          "IMGPROXY_SIGNATURE_SIZE",
          Type.count(1, 32),
          "32",
          "bytes of the signature kept");
  public static final Setting<Long> MAX_SRC_RESOLUTION =
      server(
          "IMGD_MAX_SRC_RESOLUTION",
          "IMGPROXY_MAX_SRC_RESOLUTION",
          Type.MEGAPIXELS,
          "50",
          "largest source, in megapixels per frame (decimals allowed); read as pixels");
  public static final Setting<Long> MAX_SRC_FILE_SIZE =
      server(
          "IMGD_MAX_SRC_FILE_SIZE",
          "IMGPROXY_MAX_SRC_FILE_SIZE",
          Settings::zeroKeepsLimit,
          Type.number(1, Long.MAX_VALUE),
          "52428800",
          "largest source, in bytes");
  public static final Setting<Integer> MAX_ANIMATION_FRAMES =
      server(
          "IMGD_MAX_ANIMATION_FRAMES",
          "IMGPROXY_MAX_ANIMATION_FRAMES",
          Type.count(1, Integer.MAX_VALUE),
          "256",
          "frames of an animation or pages");
  public static final Setting<Integer> MAX_RESULT_DIMENSION =
      server(
          "IMGD_MAX_RESULT_DIMENSION",
          "IMGPROXY_MAX_RESULT_DIMENSION",
          Settings::zeroKeepsLimit,
          Type.count(1, Integer.MAX_VALUE),
          "16384",
          "longest side of a result");
  public static final Setting<Integer> WORKERS =
      server(
          "IMGD_WORKERS",
          "IMGPROXY_WORKERS",
          Type.countOrCores(),
          "cores",
          "images processed at once (worker processes)");
  public static final Setting<String> MODE =
      server(
          "IMGD_MODE",
          null,
          Type.oneOf("isolated", "in-process"),
          "isolated",
          "isolated (worker processes) or in-process (trusted input, fastest)");
  public static final Setting<List<String>> TRUSTED_SOURCES =
      server(
          "IMGD_TRUSTED_SOURCES",
          null,
          Type.TRUSTED_SOURCES,
          "",
          "sources decoded in-process even in isolated mode, matched by scheme, host, port and"
              + " path segments, on every redirect (e.g. local:///)");
  public static final Setting<Duration> TIMEOUT =
      server(
          "IMGD_TIMEOUT",
          "IMGPROXY_TIMEOUT",
          Type.SECONDS,
          "10",
          "seconds for a whole request: queue, download, work");
  public static final Setting<Duration> DOWNLOAD_TIMEOUT =
      server(
          "IMGD_DOWNLOAD_TIMEOUT",
          "IMGPROXY_DOWNLOAD_TIMEOUT",
          Type.SECONDS,
          "5",
          "seconds for one source download");
  public static final Setting<Integer> QUEUE_SIZE =
      server(
          "IMGD_QUEUE_SIZE",
          "IMGPROXY_REQUESTS_QUEUE_SIZE",
          Settings::zeroUnlimited,
          Type.count(0, Integer.MAX_VALUE),
          "64",
          "requests that may wait for a worker");
  public static final Setting<Duration> QUEUE_TIMEOUT =
      server(
          "IMGD_QUEUE_TIMEOUT", null, Type.SECONDS, "5", "seconds a request may wait for a worker");
  // Lanes and overload (issue 17, W6 and c256): kept together.
  public static final Setting<Long> LARGE_JOB_RESOLUTION =
      server(
          "IMGD_LARGE_JOB_RESOLUTION",
          null,
          Type.MEGAPIXELS,
          "4",
          "megapixels a job decodes (after shrink-on-load, all frames) above which it is large:"
              + " large jobs take at most all workers but one, so small ones never wait behind"
              + " them alone");
  public static final Setting<Duration> QUEUE_FULL_PAUSE =
      server(
          "IMGD_QUEUE_FULL_PAUSE",
          null,
          Type.SECONDS,
          "1",
          "seconds a request that finds the queue full waits for a place before its 503 (as long as"
              + " its Retry-After): clients that retry at once are paced instead of taking the CPU"
              + " from the workers");
  public static final Setting<Long> MEMORY_BUDGET =
      server(
          "IMGD_MEMORY_BUDGET",
          null,
          Type.number(1, Long.MAX_VALUE),
          "2147483648",
          "bytes of estimated image memory in flight");
  public static final Setting<OptionalLong> RSS_BUDGET =
      server(
          "IMGD_RSS_BUDGET",
          null,
          Type.numberOrAuto(1),
          "auto",
          "resident bytes of imgd and its workers that move it to reduced (70%) and"
              + " shedding (90%) tiers; auto: 80% of the memory limit");
  public static final Setting<Integer> SOURCE_CONCURRENCY =
      server(
          "IMGD_SOURCE_CONCURRENCY",
          null,
          Type.count(1, Integer.MAX_VALUE),
          "32",
          "downloads at once from one origin (bulkhead)");
  public static final Setting<Integer> SOURCE_RETRIES =
      server(
          "IMGD_SOURCE_RETRIES",
          null,
          Type.count(0, 100),
          "2",
          "retries of a failed http/s3 download");
  public static final Setting<Duration> SOURCE_BREAK =
      server(
          "IMGD_SOURCE_BREAK",
          null,
          Type.SECONDS,
          "30",
          "seconds a failing origin's circuit breaker stays open");
  public static final Setting<Long> WORKER_MEMORY =
      server(
          "IMGD_WORKER_MEMORY",
          null,
          Type.number(1, Long.MAX_VALUE),
          "2147483648",
          "resident bytes a worker may reach");
  public static final Setting<Long> CACHE_MAX_BYTES =
      server(
          "IMGD_CACHE_MAX_BYTES",
          null,
          Type.number(0, Long.MAX_VALUE),
          "268435456",
          "result cache size in bytes; 0: off");

  // The shared tier in Redis behind the result cache, and the shared quarantine (issue 19).
  public static final Setting<Optional<String>> REDIS_URL =
      secret(
          "IMGD_REDIS_URL",
          null,
          new Type<>(
              "empty (off) or redis://[:password@]host[:port][/db] (rediss:// for TLS)",
              s -> {
                if (s.isEmpty()) {
                  return Optional.empty();
                }
                java.net.URI uri = java.net.URI.create(s);
                if (!List.of("redis", "rediss").contains(String.valueOf(uri.getScheme()))
                    || uri.getHost() == null) {
                  throw new IllegalArgumentException();
                }
                return Optional.of(s);
              }),
          "Redis shared by the instances: a result cache tier behind the memory one, the lock that"
              + " lets one instance render a variant the others wait for, and the quarantine of"
              + " inputs that crashed a worker; empty: off");
  public static final Setting<Long> REDIS_TTL =
      server(
          "IMGD_REDIS_TTL",
          null,
          Type.number(1, Long.MAX_VALUE / 1000),
          "86400",
          "seconds a result stays in the shared cache");
  public static final Setting<Long> REDIS_MAX_VALUE_BYTES =
      server(
          "IMGD_REDIS_MAX_VALUE_BYTES",
          null,
          Type.number(1, 512L << 20),
          "1048576",
          "largest result stored in the shared cache, in bytes; larger ones stay in memory only");
  public static final Setting<Duration> REDIS_TIMEOUT =
      server(
          "IMGD_REDIS_TIMEOUT",
          null,
          Type.SECONDS,
          "0.005",
          "seconds a Redis command may take; slower is a miss, and the circuit breaker stops"
              + " calling Redis when most calls fail");
  public static final Setting<Duration> REDIS_LOCK_WAIT =
      server(
          "IMGD_REDIS_LOCK_WAIT",
          null,
          Type.SECONDS,
          "2",
          "seconds at most an instance waits for another's render of the same variant (and half"
              + " the time the request has left), then renders it itself");
  public static final Setting<Long> TTL =
      server(
          "IMGD_TTL",
          "IMGPROXY_TTL",
          Type.number(0, Long.MAX_VALUE),
          "31536000",
          "Cache-Control max-age of results, seconds");
  public static final Setting<Boolean> AUTO_WEBP =
      server(
          "IMGD_AUTO_WEBP",
          "IMGPROXY_AUTO_WEBP",
          Type.BOOLEAN,
          "false",
          "WebP when Accept allows and no format is set");
  public static final Setting<Boolean> AUTO_AVIF =
      server(
          "IMGD_AUTO_AVIF",
          "IMGPROXY_AUTO_AVIF",
          Type.BOOLEAN,
          "false",
          "AVIF when Accept allows and no format is set");

  // --- the origin's validators (issue 16: conditional requests) ---------------------------------
  public static final Setting<Boolean> USE_ETAG =
      server(
          "IMGD_USE_ETAG",
          "IMGPROXY_USE_ETAG",
          Type.BOOLEAN,
          "true",
          "carry the origin's ETag in the answer's and send it back as If-None-Match");
  public static final Setting<Boolean> USE_LAST_MODIFIED =
      server(
          "IMGD_USE_LAST_MODIFIED",
          "IMGPROXY_USE_LAST_MODIFIED",
          Type.BOOLEAN,
          "true",
          "pass the origin's Last-Modified on and forward If-Modified-Since to it");

  public static final Setting<Long> MAX_BODY_SIZE =
      server(
          "IMGD_MAX_BODY_SIZE",
          null,
          Type.number(1, Integer.MAX_VALUE - 9),
          "52428800",
          "largest POST /process body, bytes");
  public static final Setting<List<String>> ALLOWED_SOURCES =
      server(
          "IMGD_ALLOWED_SOURCES",
          "IMGPROXY_ALLOWED_SOURCES",
          sources -> {
            if (sources.contains("*")) {
              throw new IllegalArgumentException("URL prefixes, without imgproxy's * wildcards");
            }
            return sources;
          },
          Type.LIST,
          "",
          "source URL prefixes allowed, comma-separated");
  public static final Setting<List<String>> ALLOWED_NETWORKS =
      server(
          "IMGD_ALLOWED_NETWORKS",
          null,
          Type.CIDRS,
          "",
          "CIDRs sources may reach despite the SSRF guard (loopback, private...)");
  public static final Setting<Boolean> USE_S3 =
      server("IMGD_USE_S3", "IMGPROXY_USE_S3", Type.BOOLEAN, "false", "enable s3://bucket/key");
  public static final Setting<Optional<String>> S3_ENDPOINT =
      server(
          "IMGD_S3_ENDPOINT",
          "IMGPROXY_S3_ENDPOINT",
          Type.TEXT_OR_NONE,
          "",
          "S3-compatible endpoint URL; empty: AWS");
  public static final Setting<String> S3_REGION =
      server("IMGD_S3_REGION", "IMGPROXY_S3_REGION", Type.TEXT, "us-east-1", "S3 region");
  public static final Setting<Map<String, String>> PRESETS =
      server(
          "IMGD_PRESETS",
          "IMGPROXY_PRESETS",
          Type.PRESETS,
          "",
          "name=options presets, comma-separated");
  public static final Setting<Boolean> ONLY_PRESETS =
      server(
          "IMGD_ONLY_PRESETS",
          "IMGPROXY_ONLY_PRESETS",
          Type.BOOLEAN,
          "false",
          "URLs may only name presets");
  public static final Setting<String> LIBVIPS_SYSTEM =
      server(
          "IMGD_LIBVIPS_SYSTEM",
          null,
          Type.TEXT,
          "detected",
          "system libvips for HEIC/PDF workers: a path, detected, or off");
  // The admin listener and the metrics (checked together in checkAdmin).
  public static final Setting<Optional<HostPort>> ADMIN_BIND =
      server(
          "IMGD_ADMIN_BIND",
          null,
          Type.HOST_PORT_OR_OFF,
          "",
          "admin listener (JFR, metrics), host:port, with IMGD_ADMIN_TOKEN; empty: off");
  public static final Setting<Optional<String>> ADMIN_TOKEN =
      secret(
          "IMGD_ADMIN_TOKEN",
          null,
          Type.TOKEN,
          "bearer token every admin request must carry (Authorization: Bearer ...)");
  public static final Setting<Boolean> ADMIN_ALLOW_REMOTE =
      server(
          "IMGD_ADMIN_ALLOW_REMOTE",
          null,
          Type.BOOLEAN,
          "false",
          "let IMGD_ADMIN_BIND listen on an address other than loopback");
  public static final Setting<String> METRICS =
      server(
          "IMGD_METRICS",
          null,
          Type.oneOf("auto", "public", "admin", "off"),
          "auto",
          "where /metrics is served: public (the image port), admin (the admin port, with the"
              + " token) or off; auto: public without IMGD_KEY, else admin (off when there is no"
              + " admin listener)");
  // The playground page (issue 18): where Routes serves it follows from these and IMGD_KEY.
  public static final Setting<Boolean> PLAYGROUND =
      server(
          "IMGD_PLAYGROUND",
          null,
          Type.BOOLEAN,
          "true",
          "the playground page at /: on the image port without IMGD_KEY; with it, only on the"
              + " admin listener, which then signs the URLs the page builds");
  public static final Setting<Duration> DRAIN_TIMEOUT =
      server(
          "IMGD_DRAIN_TIMEOUT",
          "IMGPROXY_GRACEFUL_STOP_TIMEOUT",
          seconds -> seconds.equals("0") ? "0.001" : seconds, // imgproxy's 0: no waiting
          Type.SECONDS,
          "30",
          "seconds shutdown waits for requests in flight");

  // Bodies, downloads and connections (issue 15): what a client can hold before any image work.
  public static final Setting<OptionalLong> MAX_BUFFERED_BYTES =
      server(
          "IMGD_MAX_BUFFERED_BYTES",
          null,
          Type.numberOrAuto(1),
          "auto",
          "bytes of request bodies and source downloads held in memory at once; a request waits"
              + " for room like a slot; auto: 128 MiB in the heap the launcher sizes, else what the"
              + " heap leaves after the result cache and 96 MiB");
  public static final Setting<Long> MIN_BODY_RATE =
      server(
          "IMGD_MIN_BODY_RATE",
          null,
          Type.number(0, Long.MAX_VALUE),
          "16384",
          "bytes per second a request body must keep up over each IMGD_BODY_RATE_WINDOW, or 408;"
              + " 0: off");
  public static final Setting<Duration> BODY_RATE_WINDOW =
      server(
          "IMGD_BODY_RATE_WINDOW",
          null,
          Type.SECONDS,
          "10",
          "seconds over which IMGD_MIN_BODY_RATE is measured");
  public static final Setting<Integer> MAX_CONNECTIONS =
      server(
          "IMGD_MAX_CONNECTIONS",
          "IMGPROXY_MAX_CLIENTS",
          Settings::zeroUnlimited,
          Type.count(1, Integer.MAX_VALUE),
          "2048",
          "open connections on the HTTP listener; beyond it new ones wait to be accepted");
  public static final Setting<Duration> HEADER_TIMEOUT =
      server(
          "IMGD_HEADER_TIMEOUT",
          null,
          Type.SECONDS,
          "10",
          "seconds a whole request head (request line and headers) may take to arrive");

  // The watermark image (issue 16), as imgproxy takes it: data, else path, else URL.
  public static final Setting<Optional<byte[]>> WATERMARK_DATA =
      server(
          "IMGD_WATERMARK_DATA",
          "IMGPROXY_WATERMARK_DATA",
          Type.BASE64_OR_NONE,
          "",
          "the watermark image for wm:, base64-encoded; empty: none");
  public static final Setting<Optional<byte[]>> WATERMARK_PATH =
      server(
          "IMGD_WATERMARK_PATH",
          "IMGPROXY_WATERMARK_PATH",
          Type.FILE_OR_NONE,
          "",
          "the watermark image for wm:, a file read at start; empty: none");
  public static final Setting<Optional<String>> WATERMARK_URL =
      server(
          "IMGD_WATERMARK_URL",
          "IMGPROXY_WATERMARK_URL",
          Type.URL_OR_NONE,
          "",
          "the watermark image for wm:, downloaded once at start through the guarded sources"
              + " (allowed sources and networks apply); empty: none");
  public static final Setting<Double> WATERMARK_OPACITY =
      server(
          "IMGD_WATERMARK_OPACITY",
          "IMGPROXY_WATERMARK_OPACITY",
          Type.FRACTION,
          "1",
          "the base opacity of every watermark; wm:'s opacity multiplies it");
  public static final Setting<Integer> WATERMARKS_CACHE_SIZE =
      server(
          "IMGD_WATERMARKS_CACHE_SIZE",
          "IMGPROXY_WATERMARKS_CACHE_SIZE",
          Type.count(0, 100_000),
          "256",
          "watermark_url images kept after their first download (also bounded to 64 MiB);"
              + " 0: none, each request downloads its own");

  // imgproxy's remaining settings (issue 16): URL, answer and source settings under its names.
  public static final Setting<Boolean> ALLOW_SECURITY_OPTIONS =
      server(
          "IMGD_ALLOW_SECURITY_OPTIONS",
          "IMGPROXY_ALLOW_SECURITY_OPTIONS",
          Type.BOOLEAN,
          "false",
          "let URLs set msr, msfs, maf, mafr and mrd; each only tightens the limit set here");
  public static final Setting<Boolean> ALLOW_LOOPBACK_SOURCES =
      server(
          "IMGD_ALLOW_LOOPBACK_SOURCES",
          "IMGPROXY_ALLOW_LOOPBACK_SOURCE_ADDRESSES",
          Type.BOOLEAN,
          "false",
          "add loopback (127.0.0.0/8, ::1) to IMGD_ALLOWED_NETWORKS");
  public static final Setting<Boolean> ALLOW_PRIVATE_SOURCES =
      server(
          "IMGD_ALLOW_PRIVATE_SOURCES",
          "IMGPROXY_ALLOW_PRIVATE_SOURCE_ADDRESSES",
          Type.BOOLEAN,
          "false",
          "add private networks (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fc00::/7) to"
              + " IMGD_ALLOWED_NETWORKS");
  public static final Setting<Boolean> ALLOW_LINK_LOCAL_SOURCES =
      server(
          "IMGD_ALLOW_LINK_LOCAL_SOURCES",
          "IMGPROXY_ALLOW_LINK_LOCAL_SOURCE_ADDRESSES",
          Type.BOOLEAN,
          "false",
          "add link-local networks (169.254.0.0/16, fe80::/10) to IMGD_ALLOWED_NETWORKS: cloud"
              + " metadata addresses included, as in imgproxy");
  public static final Setting<String> PATH_PREFIX =
      server(
          "IMGD_PATH_PREFIX",
          "IMGPROXY_PATH_PREFIX",
          new Type<>(
              "empty or a path like /images (no trailing /)",
              prefix -> {
                if (!prefix.isEmpty() && (!prefix.startsWith("/") || prefix.endsWith("/"))) {
                  throw new IllegalArgumentException();
                }
                return prefix;
              }),
          "",
          "path every URL of the HTTP listener starts with (not signed); others are 404");
  public static final Setting<String> BASE_URL =
      server(
          "IMGD_BASE_URL",
          "IMGPROXY_BASE_URL",
          Type.TEXT,
          "",
          "prefix added to every source URL that does not start with it");
  public static final Setting<List<Map.Entry<Pattern, String>>> URL_REPLACEMENTS =
      server(
          "IMGD_URL_REPLACEMENTS",
          "IMGPROXY_URL_REPLACEMENTS",
          new Type<>(
              "';'-separated prefix=replacement pairs; * in a prefix matches up to a /, and ${1}"
                  + " in its replacement is what it matched",
              Settings::urlReplacements),
          "",
          "rewrites of source URLs before IMGD_BASE_URL, in order");
  public static final Setting<Map<String, String>> PRESETS_PATH =
      server(
          "IMGD_PRESETS_PATH",
          "IMGPROXY_PRESETS_PATH",
          new Type<>(
              "a file of name=options lines (# starts a comment); empty: none",
              file ->
                  file.isEmpty()
                      ? Map.of()
                      : Type.presets(
                          readLines(Path.of(file)).stream().map(String::strip).toList())),
          "",
          "more presets, one per line; they win over IMGD_PRESETS of the same name");
  public static final Setting<List<ImageFormat>> SKIP_PROCESSING_FORMATS =
      server(
          "IMGD_SKIP_PROCESSING_FORMATS",
          "IMGPROXY_SKIP_PROCESSING_FORMATS",
          new Type<>(
              "comma-separated formats, like gif,webp",
              formats ->
                  Type.LIST.parse(formats).stream()
                      .map(f -> ImageFormat.fromExtension(f).orElseThrow())
                      .toList()),
          "",
          "source formats answered unprocessed unless another format is asked for, as skp");
  public static final Setting<Integer> QUALITY =
      server(
          "IMGD_QUALITY",
          "IMGPROXY_QUALITY",
          Type.count(1, 100),
          "80",
          "quality when the URL sets none, for formats without their own default (WebP 79, AVIF"
              + " 63, JPEG XL 77) or IMGD_FORMAT_QUALITY entry");
  public static final Setting<Map<ImageFormat, Integer>> FORMAT_QUALITY =
      server(
          "IMGD_FORMAT_QUALITY",
          "IMGPROXY_FORMAT_QUALITY",
          new Type<>(
              "comma-separated format=quality (1 to 100), like jpeg=70,avif=40",
              Settings::formatQualities),
          "",
          "quality per output format when the URL sets none, over the formats' own defaults");
  public static final Setting<Boolean> ALWAYS_RASTERIZE_SVG =
      server(
          "IMGD_ALWAYS_RASTERIZE_SVG",
          "IMGPROXY_ALWAYS_RASTERIZE_SVG",
          Type.BOOLEAN,
          "false",
          "an SVG source asked for with no format is rendered, not passed through sanitized");
  public static final Setting<Boolean> ENFORCE_WEBP =
      server(
          "IMGD_ENFORCE_WEBP",
          "IMGPROXY_ENFORCE_WEBP",
          Type.BOOLEAN,
          "false",
          "WebP when Accept allows, even over a format the URL names");
  public static final Setting<Boolean> ENFORCE_AVIF =
      server(
          "IMGD_ENFORCE_AVIF",
          "IMGPROXY_ENFORCE_AVIF",
          Type.BOOLEAN,
          "false",
          "AVIF when Accept allows, even over a format the URL names");
  public static final Setting<Boolean> CACHE_CONTROL_PASSTHROUGH =
      server(
          "IMGD_CACHE_CONTROL_PASSTHROUGH",
          "IMGPROXY_CACHE_CONTROL_PASSTHROUGH",
          Type.BOOLEAN,
          "false",
          "the origin's Cache-Control (or the time its Expires leaves) instead of IMGD_TTL, unless"
              + " the URL has exp");
  public static final Setting<String> ETAG_BUSTER =
      server(
          "IMGD_ETAG_BUSTER",
          "IMGPROXY_ETAG_BUSTER",
          Type.TEXT,
          "",
          "changing it changes every ETag, so clients and CDNs fetch answers anew");
  public static final Setting<Optional<Instant>> LAST_MODIFIED_BUSTER =
      server(
          "IMGD_LAST_MODIFIED_BUSTER",
          "IMGPROXY_LAST_MODIFIED_BUSTER",
          new Type<>(
              "empty or an RFC 3339 time like 2026-01-01T00:00:00Z",
              t -> t.isEmpty() ? Optional.empty() : Optional.of(Instant.parse(t))),
          "",
          "no Last-Modified is older than this, and an older If-Modified-Since is not honoured");
  // The savers' options and autoquality (issue 16): the defaults jpgo, pngo, webpo, avifo and aq
  // override per request.
  public static final Setting<Boolean> JPEG_PROGRESSIVE =
      server(
          "IMGD_JPEG_PROGRESSIVE",
          "IMGPROXY_JPEG_PROGRESSIVE",
          Type.BOOLEAN,
          "false",
          "progressive JPEG");
  public static final Setting<Boolean> JPEG_NO_SUBSAMPLE =
      server(
          "IMGD_JPEG_NO_SUBSAMPLE",
          "IMGPROXY_JPEG_NO_SUBSAMPLE",
          Type.BOOLEAN,
          "false",
          "JPEG without chroma subsampling");
  public static final Setting<Boolean> JPEG_TRELLIS_QUANT =
      server(
          "IMGD_JPEG_TRELLIS_QUANT",
          "IMGPROXY_JPEG_TRELLIS_QUANT",
          Type.BOOLEAN,
          "false",
          "JPEG trellis quantisation (needs mozjpeg)");
  public static final Setting<Boolean> JPEG_OVERSHOOT_DERINGING =
      server(
          "IMGD_JPEG_OVERSHOOT_DERINGING",
          "IMGPROXY_JPEG_OVERSHOOT_DERINGING",
          Type.BOOLEAN,
          "false",
          "JPEG overshoot deringing (needs mozjpeg)");
  public static final Setting<Boolean> JPEG_OPTIMIZE_SCANS =
      server(
          "IMGD_JPEG_OPTIMIZE_SCANS",
          "IMGPROXY_JPEG_OPTIMIZE_SCANS",
          Type.BOOLEAN,
          "false",
          "JPEG scans split by DCT spectrum; implies progressive (needs mozjpeg)");
  public static final Setting<Integer> JPEG_QUANT_TABLE =
      server(
          "IMGD_JPEG_QUANT_TABLE",
          "IMGPROXY_JPEG_QUANT_TABLE",
          Type.count(0, 8),
          "0",
          "JPEG quantisation table (0: Annex K; others need mozjpeg)");
  public static final Setting<Boolean> PNG_INTERLACED =
      server(
          "IMGD_PNG_INTERLACED",
          "IMGPROXY_PNG_INTERLACED",
          Type.BOOLEAN,
          "false",
          "interlaced (Adam7) PNG");
  public static final Setting<Boolean> PNG_QUANTIZE =
      server(
          "IMGD_PNG_QUANTIZE",
          "IMGPROXY_PNG_QUANTIZE",
          Type.BOOLEAN,
          "false",
          "palette PNG of at most IMGD_PNG_QUANTIZATION_COLORS colours");
  public static final Setting<Integer> PNG_QUANTIZATION_COLORS =
      server(
          "IMGD_PNG_QUANTIZATION_COLORS",
          "IMGPROXY_PNG_QUANTIZATION_COLORS",
          Type.count(2, 256),
          "256",
          "palette size of a quantised PNG (rounded up to a power of two)");
  public static final Setting<String> WEBP_COMPRESSION =
      server(
          "IMGD_WEBP_COMPRESSION",
          "IMGPROXY_WEBP_COMPRESSION",
          Type.oneOf("lossy", "near_lossless", "lossless"),
          "lossy",
          "WebP compression");
  public static final Setting<Boolean> WEBP_SMART_SUBSAMPLE =
      server(
          "IMGD_WEBP_SMART_SUBSAMPLE",
          "IMGPROXY_WEBP_SMART_SUBSAMPLE",
          Type.BOOLEAN,
          "false",
          "WebP smart chroma subsampling");
  public static final Setting<Integer> WEBP_EFFORT =
      server(
          "IMGD_WEBP_EFFORT",
          "IMGPROXY_WEBP_EFFORT",
          Type.count(1, 6),
          "4",
          "WebP encoder effort (slower, smaller)");
  public static final Setting<String> WEBP_PRESET =
      server(
          "IMGD_WEBP_PRESET",
          "IMGPROXY_WEBP_PRESET",
          Type.oneOf("default", "photo", "picture", "drawing", "icon", "text"),
          "default",
          "WebP encoder preset");
  public static final Setting<Integer> AVIF_SPEED =
      server(
          "IMGD_AVIF_SPEED",
          "IMGPROXY_AVIF_SPEED",
          Type.count(0, 9),
          "5",
          "AVIF encoder speed, 0 (slowest, smallest) to 9 (imgproxy's default: 8)");
  public static final Setting<String> AVIF_SUBSAMPLE =
      server(
          "IMGD_AVIF_SUBSAMPLE",
          "IMGPROXY_AVIF_SUBSAMPLE",
          Type.oneOf("auto", "on", "off"),
          "auto",
          "AVIF chroma subsampling; auto: below quality 90");
  public static final Setting<String> AUTOQUALITY_METHOD =
      server(
          "IMGD_AUTOQUALITY_METHOD",
          "IMGPROXY_AUTOQUALITY_METHOD",
          Type.oneOf("none", "size", "dssim"),
          "none",
          "how the quality is chosen: none, size (target bytes) or dssim (target DSSIM); imgproxy's"
              + " ml needs a model imgd does not have");
  public static final Setting<Double> AUTOQUALITY_TARGET =
      server(
          "IMGD_AUTOQUALITY_TARGET",
          "IMGPROXY_AUTOQUALITY_TARGET",
          Type.POSITIVE,
          "0.02",
          "the autoquality target: bytes for size, DSSIM for dssim");
  public static final Setting<Integer> AUTOQUALITY_MIN =
      server(
          "IMGD_AUTOQUALITY_MIN",
          "IMGPROXY_AUTOQUALITY_MIN",
          Type.count(1, 100),
          "70",
          "the lowest quality autoquality tries");
  public static final Setting<Integer> AUTOQUALITY_MAX =
      server(
          "IMGD_AUTOQUALITY_MAX",
          "IMGPROXY_AUTOQUALITY_MAX",
          Type.count(1, 100),
          "80",
          "the highest quality autoquality tries");
  public static final Setting<Double> AUTOQUALITY_ALLOWED_ERROR =
      server(
          "IMGD_AUTOQUALITY_ALLOWED_ERROR",
          "IMGPROXY_AUTOQUALITY_ALLOWED_ERROR",
          Type.FRACTION,
          "0.002",
          "how far from the target DSSIM a result may be");

  public static final Setting<Boolean> PRESERVE_HDR =
      server(
          "IMGD_PRESERVE_HDR",
          "IMGPROXY_PRESERVE_HDR",
          Type.BOOLEAN,
          "false",
          "keep more than 8 bits a sample where the output format holds them, as ph:1 (which"
              + " ph:0 overrides)");

  // imgproxy's remaining URL and processing settings (issue 16, fourth round).
  public static final Setting<String> ARGUMENTS_SEPARATOR =
      server(
          "IMGD_ARGUMENTS_SEPARATOR",
          "IMGPROXY_ARGUMENTS_SEPARATOR",
          new Type<>(
              "text without '/', not empty",
              s -> {
                if (s.isEmpty() || s.contains("/")) {
                  throw new IllegalArgumentException();
                }
                return s;
              }),
          ":",
          "what separates an option's name and arguments in URLs and presets");
  public static final Setting<Boolean> BASE64_URL_INCLUDES_FILENAME =
      server(
          "IMGD_BASE64_URL_INCLUDES_FILENAME",
          "IMGPROXY_BASE64_URL_INCLUDES_FILENAME",
          Type.BOOLEAN,
          "false",
          "the last segment of a base64 source split by '/' is a file name, not part of the"
              + " source");
  public static final Setting<List<String>> ALLOWED_PROCESSING_OPTIONS =
      server(
          "IMGD_ALLOWED_PROCESSING_OPTIONS",
          "IMGPROXY_ALLOWED_PROCESSING_OPTIONS",
          new Type<>(
              "comma-separated option names or aliases, like w,h,pr",
              names -> {
                List<String> all = Type.LIST.parse(names);
                if (!OptionsParser.optionNames().containsAll(all)) {
                  throw new IllegalArgumentException();
                }
                return all;
              }),
          "",
          "the only options a URL may use, each as the URL writes it (presets may use any);"
              + " empty: all");
  public static final Setting<Boolean> USE_LINEAR_COLORSPACE =
      server(
          "IMGD_USE_LINEAR_COLORSPACE",
          "IMGPROXY_USE_LINEAR_COLORSPACE",
          Type.BOOLEAN,
          "false",
          "resize in linear light (scRGB), which keeps the brightness of fine light detail; slower");
  public static final Setting<Boolean> AUTO_JXL =
      server(
          "IMGD_AUTO_JXL",
          "IMGPROXY_AUTO_JXL",
          Type.BOOLEAN,
          "false",
          "JPEG XL when Accept allows and the URL names no format (where a pool writes it)");
  public static final Setting<Boolean> ENFORCE_JXL =
      server(
          "IMGD_ENFORCE_JXL",
          "IMGPROXY_ENFORCE_JXL",
          Type.BOOLEAN,
          "false",
          "JPEG XL when Accept allows, even over a format the URL names (where a pool writes it)");

  // The fallback image (issue 16): answered, processed with the request's options, when the source
  // cannot be fetched or processed; as imgproxy takes it: data, else path, else URL.
  public static final Setting<Optional<byte[]>> FALLBACK_IMAGE_DATA =
      server(
          "IMGD_FALLBACK_IMAGE_DATA",
          "IMGPROXY_FALLBACK_IMAGE_DATA",
          Type.BASE64_OR_NONE,
          "",
          "the fallback image, base64-encoded, checked at start; empty: none");
  public static final Setting<Optional<byte[]>> FALLBACK_IMAGE_PATH =
      server(
          "IMGD_FALLBACK_IMAGE_PATH",
          "IMGPROXY_FALLBACK_IMAGE_PATH",
          Type.FILE_OR_NONE,
          "",
          "the fallback image, a file read and checked at start; empty: none");
  public static final Setting<Optional<String>> FALLBACK_IMAGE_URL =
      server(
          "IMGD_FALLBACK_IMAGE_URL",
          "IMGPROXY_FALLBACK_IMAGE_URL",
          Type.URL_OR_NONE,
          "",
          "the fallback image, downloaded once at start through the guarded sources and checked;"
              + " empty: none");
  public static final Setting<Integer> FALLBACK_IMAGE_HTTP_CODE =
      server(
          "IMGD_FALLBACK_IMAGE_HTTP_CODE",
          "IMGPROXY_FALLBACK_IMAGE_HTTP_CODE",
          Type.count(0, 599),
          "200",
          "HTTP status of an answer with the fallback image; 0: the status of the error it"
              + " replaces");
  public static final Setting<Long> FALLBACK_IMAGE_TTL =
      server(
          "IMGD_FALLBACK_IMAGE_TTL",
          "IMGPROXY_FALLBACK_IMAGE_TTL",
          Type.number(0, Long.MAX_VALUE),
          "0",
          "Cache-Control max-age of an answer with the fallback image, seconds; 0: IMGD_TTL");

  // Client hints and autoquality per format (issue 16, fifth round).
  public static final Setting<Boolean> ENABLE_CLIENT_HINTS =
      server(
          "IMGD_ENABLE_CLIENT_HINTS",
          "IMGPROXY_ENABLE_CLIENT_HINTS",
          Type.BOOLEAN,
          "false",
          "the Sec-CH-DPR/DPR and Sec-CH-Width/Width request headers set the default dpr and width"
              + " (the URL's win); every answer then varies with them");
  private static final Type<Map<ImageFormat, Integer>> FORMAT_RANGE_ENDS =
      new Type<>(
          "comma-separated format=quality (1 to 100), like avif=60", Settings::formatQualities);
  public static final Setting<Map<ImageFormat, Integer>> AUTOQUALITY_FORMAT_MIN =
      server(
          "IMGD_AUTOQUALITY_FORMAT_MIN",
          "IMGPROXY_AUTOQUALITY_FORMAT_MIN",
          FORMAT_RANGE_ENDS,
          "avif=60",
          "the lowest quality autoquality tries per output format, over IMGD_AUTOQUALITY_MIN"
              + " (an aq with a min_quality of its own wins)");
  public static final Setting<Map<ImageFormat, Integer>> AUTOQUALITY_FORMAT_MAX =
      server(
          "IMGD_AUTOQUALITY_FORMAT_MAX",
          "IMGPROXY_AUTOQUALITY_FORMAT_MAX",
          FORMAT_RANGE_ENDS,
          "avif=65",
          "the highest quality autoquality tries per output format, over IMGD_AUTOQUALITY_MAX"
              + " (an aq with a max_quality of its own wins)");
  public static final Setting<Long> AUTOQUALITY_MAX_RESOLUTION =
      server(
          "IMGD_AUTOQUALITY_MAX_RESOLUTION",
          "IMGPROXY_AUTOQUALITY_MAX_RESOLUTION",
          new Type<>(
              "megapixels (decimals allowed), 0: no limit",
              s -> s.equals("0") ? 0L : Type.MEGAPIXELS.parse(s)),
          "0",
          "a larger result (all its frames) is encoded at its quality, without the autoquality"
              + " search; read as pixels");

  // The canary pool (issue 20): a new libvips build on a share of the jobs, under its gates.
  public static final Setting<Optional<Path>> CANARY_LIBVIPS =
      server(
          "IMGD_CANARY_LIBVIPS",
          null,
          new Type<>(
              "a libvips shared library file; empty: off",
              s -> {
                if (!s.isEmpty() && !Files.isRegularFile(Path.of(s))) {
                  throw new IllegalArgumentException();
                }
                return s.isEmpty() ? Optional.empty() : Optional.of(Path.of(s).toAbsolutePath());
              }),
          "",
          "a new libvips build for a canary worker pool beside the stable ones, with as many"
              + " workers as the first (isolated mode; see docs/releases.md); empty: off");
  public static final Setting<Integer> CANARY_PERCENT =
      server(
          "IMGD_CANARY_PERCENT",
          null,
          Type.count(0, 100),
          "1",
          "the share, in percent, of the jobs the canary build can do that it takes at start,"
              + " chosen by the input's bytes (one image always on the same build); 0: none until"
              + " stepped up (POST /admin/canary/step on the admin listener: 1, 5, 20, 100)");
  public static final Setting<Duration> CANARY_WINDOW =
      server(
          "IMGD_CANARY_WINDOW",
          null,
          Type.SECONDS,
          "300",
          "seconds the canary's gates and the pools' figures in /admin look back");
  public static final Setting<Integer> CANARY_MIN_JOBS =
      server(
          "IMGD_CANARY_MIN_JOBS",
          null,
          Type.count(1, Integer.MAX_VALUE),
          "50",
          "jobs the canary and the stable build each need in the window before the error,"
              + " latency and memory gates judge (a crash gate needs one)");
  public static final Setting<Double> CANARY_ERROR_MARGIN =
      server(
          "IMGD_CANARY_ERROR_MARGIN",
          null,
          Type.FRACTION,
          "0.01",
          "the share of canary jobs in the window that may fail where the stable build then"
              + " succeeds; above it the canary is switched off");
  private static final Type<Double> TIMES =
      new Type<>(
          "a number >= 1 (decimals allowed)",
          s -> {
            double v = Double.parseDouble(s);
            if (!(v >= 1) || Double.isInfinite(v)) {
              throw new IllegalArgumentException();
            }
            return v;
          });
  public static final Setting<Double> CANARY_LATENCY_MARGIN =
      server(
          "IMGD_CANARY_LATENCY_MARGIN",
          null,
          TIMES,
          "1.5",
          "how many times the stable build's p99 job time the canary's may reach in the window");
  public static final Setting<Double> CANARY_MEMORY_MARGIN =
      server(
          "IMGD_CANARY_MEMORY_MARGIN",
          null,
          TIMES,
          "1.25",
          "how many times the stable build's peak worker memory the canary's may reach in the"
              + " window");

  /**
   * IMGD_ variables that are not settings but pass through the environment: the launcher's own and
   * the test runner's. Anything else starting with IMGD_ stops the start.
   */
  private static final List<String> INTERNAL =
      List.of(
          "IMGD_ALLOCATOR_IN_USE",
          "IMGD_TEST_GROUPS",
          "IMGD_TEST_OTHER_BUILD",
          "IMGD_WORKER_TOKEN");

  private static <T> Setting<T> server(
      String name, @Nullable String imgproxyName, Type<T> type, String defaultValue, String help) {
    return server(name, imgproxyName, UnaryOperator.identity(), type, defaultValue, help);
  }

  /** A setting whose imgproxy twin's text is converted first (see {@link Setting#fromImgproxy}). */
  private static <T> Setting<T> server(
      String name,
      @Nullable String imgproxyName,
      UnaryOperator<String> fromImgproxy,
      Type<T> type,
      String defaultValue,
      String help) {
    return declare(
        new Setting<>(name, imgproxyName, type, defaultValue, help, false, false, fromImgproxy));
  }

  /**
   * imgproxy's URL replacements: {@code prefix=replacement;...}, each prefix a wildcard pattern.
   */
  private static List<Map.Entry<Pattern, String>> urlReplacements(String text) {
    List<Map.Entry<Pattern, String>> all = new ArrayList<>();
    for (String pair : text.isEmpty() ? new String[0] : text.split(";", -1)) {
      int eq = pair.indexOf('=');
      if (eq < 0) {
        throw new IllegalArgumentException();
      }
      // imgproxy's pattern: anchored at the start, each * matches anything but a '/'.
      StringBuilder regex = new StringBuilder("^");
      String[] parts = pair.substring(0, eq).split("\\*", -1);
      for (int i = 0; i < parts.length; i++) {
        regex.append(i > 0 ? "([^/]*)" : "").append(Pattern.quote(parts[i]));
      }
      // Go's ${1} is Java's $1.
      String replacement = pair.substring(eq + 1).replaceAll("\\$\\{(\\d+)}", "\\$$1");
      // Checked now, not at the first request: only $1..$9 of the pattern's own groups.
      Matcher groups = Pattern.compile("\\$(\\d)|[$\\\\]").matcher(replacement);
      while (groups.find()) {
        if (groups.group(1) == null
            || groups.group(1).equals("0")
            || Integer.parseInt(groups.group(1)) >= parts.length) {
          throw new IllegalArgumentException();
        }
      }
      all.add(Map.entry(Pattern.compile(regex.toString()), replacement));
    }
    return List.copyOf(all);
  }

  private static Map<ImageFormat, Integer> formatQualities(String text) {
    Map<ImageFormat, Integer> qualities = new EnumMap<>(ImageFormat.class);
    for (String entry : Type.LIST.parse(text)) {
      int eq = entry.indexOf('=');
      ImageFormat f = ImageFormat.fromExtension(entry.substring(0, Math.max(0, eq))).orElseThrow();
      int q = Type.count(1, 100).parse(entry.substring(eq + 1).strip());
      qualities.put(f, q);
    }
    return Map.copyOf(qualities);
  }

  private static List<String> readLines(Path file) {
    try {
      return Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** imgproxy's 0 means unlimited; imgd keeps its own limit (a safe default) for it. */
  private static @Nullable String zeroKeepsLimit(String text) {
    return text.equals("0") ? null : text;
  }

  /** imgproxy's 0 means unlimited; so it is here. */
  private static String zeroUnlimited(String text) {
    return text.equals("0") ? String.valueOf(Integer.MAX_VALUE) : text;
  }

  /** A setting whose value is never shown; empty by default. */
  private static <T> Setting<T> secret(
      String name, @Nullable String imgproxyName, Type<T> type, String help) {
    return declare(
        new Setting<>(name, imgproxyName, type, "", help, true, false, UnaryOperator.identity()));
  }

  private static Setting<String> launcher(String name, String help) {
    return launcher(name, null, help);
  }

  private static Setting<String> launcher(String name, @Nullable String imgproxyName, String help) {
    return declare(
        new Setting<>(
            name, imgproxyName, Type.TEXT, "", help, false, true, UnaryOperator.identity()));
  }

  private static <T> Setting<T> declare(Setting<T> s) {
    TABLE.add(s);
    return s;
  }

  /** Every setting, in the order of the help. */
  public static List<Setting<?>> table() {
    return List.copyOf(TABLE);
  }

  /** The settings reference as Markdown, as in docs/settings.md. */
  public static String markdown() {
    StringBuilder md =
        new StringBuilder(
            """
            # Settings

            Generated from the settings table (`Settings`, imgd-server) by `Settings.markdown()`; \
            `SettingsTest` fails when this file differs, and rewrites it when run with \
            `-Dimgd.writeDocs=true`. `imgd serve --help` prints the same table.

            Every setting is an environment variable, or a line of the properties file named by \
            `IMGD_CONFIG` (the environment wins). Where imgproxy has the same setting, its name is \
            read too when the imgd name is not given. An unknown `IMGD_` variable stops the server. \
            *Launcher*: read by the `imgd` launcher or the logging set-up before the server's \
            settings; its default is in its description. *Secret*: the value is never printed.

            | Setting | imgproxy name | Default | Allowed | What it sets |
            | --- | --- | --- | --- | --- |
            """);
    for (Setting<?> s : TABLE) {
      md.append("| `")
          .append(s.name())
          .append("` | ")
          .append(s.imgproxyName() == null ? "" : "`" + s.imgproxyName() + "`")
          .append(" | ")
          .append(
              s.launcher()
                  ? ""
                  : s.defaultValue().isEmpty() ? "none" : "`" + s.defaultValue() + "`")
          .append(" | ")
          .append(s.launcher() ? "launcher" : cell(s.type().allowed()))
          .append(" | ")
          .append(cell(s.help()))
          .append(s.secret() ? ". Secret." : "")
          .append(" |\n");
    }
    return md.toString();
  }

  /** Text in a Markdown table cell: a '|' would end the cell. */
  private static String cell(String text) {
    return text.replace("|", "\\|");
  }

  private record Value(Given given, Object parsed) {}

  /** A setting's text as given, and the variable and place it came from. */
  private record Given(String variable, String text, String from) {}

  /**
   * imgproxy's names, for a user moving over with imgproxy's environment: each is read where the
   * IMGD_ name is not given (the IMGD_ name wins), through the setting's conversion; an empty one
   * counts as not set, as in imgproxy. Every other IMGPROXY_ variable is named in one warning.
   */
  private static void readImgproxyNames(
      Map<String, String> env, Map<String, Given> given, List<String> warnings) {
    Map<String, Setting<?>> byImgproxyName = new HashMap<>();
    TABLE.stream()
        .filter(s -> s.imgproxyName() != null)
        .forEach(s -> byImgproxyName.put(s.imgproxyName(), s));
    List<String> unsupported = new ArrayList<>();
    for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
      String k = e.getKey();
      Setting<?> s = byImgproxyName.get(k);
      String text = e.getValue().strip();
      if (s == null) {
        if (k.startsWith("IMGPROXY_")) {
          unsupported.add(k);
        }
        continue;
      }
      if (given.containsKey(s.name()) || text.isEmpty()) {
        continue;
      }
      String converted;
      try {
        converted = s.fromImgproxy().apply(text);
      } catch (IllegalArgumentException bad) {
        throw new SettingException(
            "bad setting %s=%s (environment): allowed: %s".formatted(k, text, bad.getMessage()));
      }
      if (converted != null) {
        given.put(s.name(), new Given(k, converted, "environment"));
      }
    }
    if (!unsupported.isEmpty()) {
      warnings.add(
          "imgproxy settings imgd does not support are ignored: " + String.join(", ", unsupported));
    }
  }

  private final Map<Setting<?>, Value> values;
  private final List<String> warnings;

  private Settings(Map<Setting<?>, Value> values, List<String> warnings) {
    this.values = values;
    this.warnings = List.copyOf(warnings);
  }

  /** The settings of this process's environment. */
  public static Settings fromEnvironment() {
    return from(System.getenv());
  }

  /**
   * Parses and checks every setting: the environment over the {@code IMGD_CONFIG} file over the
   * defaults.
   *
   * @throws SettingException naming the first setting whose value is not allowed
   */
  public static Settings from(Map<String, String> env) {
    Map<String, Setting<?>> byName = new HashMap<>();
    TABLE.forEach(s -> byName.put(s.name(), s));
    Map<String, Given> given = new HashMap<>();
    String file = env.getOrDefault(CONFIG.name(), "").strip();
    if (!file.isEmpty()) {
      Properties p = new Properties();
      try (Reader r = Files.newBufferedReader(Path.of(file))) {
        p.load(r);
      } catch (IOException e) {
        throw new SettingException("bad setting IMGD_CONFIG=" + file + ": cannot read it: " + e);
      }
      for (String k : new TreeSet<>(p.stringPropertyNames())) {
        Setting<?> s = byName.get(k);
        if (s == null || s.launcher() || s.equals(CONFIG)) {
          throw new SettingException(
              "unknown setting %s in IMGD_CONFIG %s (see imgd serve --help)".formatted(k, file));
        }
        given.put(k, new Given(k, p.getProperty(k), "IMGD_CONFIG"));
      }
    }
    for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
      String k = e.getKey();
      if (byName.containsKey(k)) {
        given.put(k, new Given(k, e.getValue(), "environment"));
      } else if (k.startsWith("IMGD_") && !INTERNAL.contains(k)) {
        // A misspelt name must not leave a setting at its default unnoticed (issue 16).
        throw new SettingException(
            "unknown setting %s in the environment (see imgd serve --help)".formatted(k));
      }
    }
    List<String> warnings = new ArrayList<>();
    readImgproxyNames(env, given, warnings);
    Map<Setting<?>, Value> values = new LinkedHashMap<>();
    for (Setting<?> s : TABLE) {
      Given g = given.getOrDefault(s.name(), new Given(s.name(), s.defaultValue(), "default"));
      values.put(
          s, new Value(g, s.launcher() ? g.text() : s.parse(g.variable(), g.text(), g.from())));
    }
    Settings settings = new Settings(values, warnings);
    if (settings.get(KEY).size() != settings.get(SALT).size()) {
      throw new SettingException(
          "bad settings IMGD_KEY and IMGD_SALT (or IMGPROXY_KEY and IMGPROXY_SALT): allowed: as"
              + " many salts as keys, not %d and %d"
                  .formatted(settings.get(KEY).size(), settings.get(SALT).size()));
    }
    checkAdmin(settings);
    return settings;
  }

  /**
   * The admin listener records the process and shows its metrics: it needs a token, listens on
   * loopback unless told otherwise, and must exist when the metrics are to be served on it.
   */
  private static void checkAdmin(Settings settings) {
    Optional<HostPort> admin = settings.get(ADMIN_BIND);
    String bind = ADMIN_BIND.name() + "=" + admin.map(HostPort::toString).orElse("");
    if (admin.isPresent() && settings.get(ADMIN_TOKEN).isEmpty()) {
      throw new SettingException(
          "bad setting %s: allowed: only with %s set".formatted(bind, ADMIN_TOKEN.name()));
    }
    if (admin.isPresent() && !admin.get().loopback() && !settings.get(ADMIN_ALLOW_REMOTE)) {
      throw new SettingException(
          "bad setting %s: allowed: a loopback address unless %s=true"
              .formatted(bind, ADMIN_ALLOW_REMOTE.name()));
    }
    if (settings.get(METRICS).equals("admin") && admin.isEmpty()) {
      throw new SettingException(
          "bad setting %s=admin: allowed: only with %s set"
              .formatted(METRICS.name(), ADMIN_BIND.name()));
    }
  }

  /** Where /metrics is served, {@code auto} resolved: public, admin or off. */
  public String metricsOn() {
    String on = get(METRICS);
    if (!on.equals("auto")) {
      return on;
    }
    return get(KEY).isEmpty() ? "public" : get(ADMIN_BIND).isPresent() ? "admin" : "off";
  }

  /** The value of a setting. */
  @SuppressWarnings("unchecked")
  public <T> T get(Setting<T> setting) {
    return (T) Objects.requireNonNull(values.get(setting), setting.name()).parsed();
  }

  /** Lines to log at start: the imgproxy variables imgd does not support, in one line. */
  public List<String> warnings() {
    return warnings;
  }

  /** The effective settings, one {@code NAME=value # from} line each, secrets masked. */
  public List<String> describe() {
    List<String> lines = new ArrayList<>();
    values.forEach((s, v) ->
        lines.add(
            "%s=%s  # %s%s%s"
                .formatted(
                    s.name(),
                    s.shown(v.given().text()),
                    v.given().from(),
                    v.given().variable().equals(s.name()) ? "" : " as " + v.given().variable(),
                    s.launcher() ? ", launcher" : "")));
    return lines;
  }
}
