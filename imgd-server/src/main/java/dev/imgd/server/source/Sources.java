package dev.imgd.server.source;

import static dev.imgd.core.ErrorCode.BAD_OPTIONS;
import static dev.imgd.core.ErrorCode.SOURCE_FORBIDDEN;
import static dev.imgd.server.source.Failures.fail;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Every enabled source behind one {@link Source}: routes by scheme ({@code local}, {@code http},
 * {@code https}, {@code s3}) and applies the allow-list first. A scheme that is unknown or not
 * enabled, and a URL the allow-list does not admit, are {@code SOURCE_FORBIDDEN}. Thread-safe:
 * create one at start-up and share it; close it to stop the HTTP and S3 clients.
 */
public final class Sources implements Source, AutoCloseable {
  private final SourceSettings settings;
  private final List<String> allowedSources;
  private final @Nullable LocalSource local;
  private final @Nullable HttpSource http;
  private final @Nullable S3Source s3;

  private Sources(
      SourceSettings settings, HostResolver resolver, Consumer<InetSocketAddress> beforeConnect) {
    this.settings = settings;
    this.allowedSources = settings.allowedSources().stream().map(Sources::prefix).toList();
    this.local = settings.localRoot() == null ? null : new LocalSource(settings.localRoot());
    this.http =
        settings.httpEnabled()
            ? new HttpSource(settings, resolver, beforeConnect, this::allowed)
            : null;
    this.s3 = settings.s3Enabled() ? new S3Source(settings) : null;
  }

  /** Starts the enabled sources (the HTTP client, the S3 client). */
  public static Sources create(SourceSettings settings) {
    return create(settings, HostResolver.SYSTEM, address -> {});
  }

  /**
   * For tests: {@code resolver} replaces DNS, {@code beforeConnect} sees every address the HTTP
   * client is about to connect to (and may throw to stop it).
   */
  static Sources create(
      SourceSettings settings, HostResolver resolver, Consumer<InetSocketAddress> beforeConnect) {
    return new Sources(
        Objects.requireNonNull(settings, "settings"),
        Objects.requireNonNull(resolver, "resolver"),
        Objects.requireNonNull(beforeConnect, "beforeConnect"));
  }

  @Override
  public String identity(URI url) {
    return route(url).identity(url);
  }

  @Override
  public Fetched fetch(URI url, Instant deadline, long maxBytes) {
    return fetch(url, deadline, maxBytes, Conditions.NONE);
  }

  @Override
  public Fetched fetch(URI url, Instant deadline, long maxBytes, Conditions conditions) {
    Objects.requireNonNull(deadline, "deadline");
    Objects.requireNonNull(conditions, "conditions");
    if (maxBytes < 0) {
      throw new IllegalArgumentException("maxBytes must be >= 0: " + maxBytes);
    }
    Instant timeout = Instant.now().plus(settings.downloadTimeout());
    return route(url)
        .fetch(url, timeout.isBefore(deadline) ? timeout : deadline, maxBytes, conditions);
  }

  @Override
  public void close() {
    if (http != null) {
      http.close();
    }
    if (s3 != null) {
      s3.close();
    }
  }

  private Source route(URI url) {
    Objects.requireNonNull(url, "url");
    if (url.getScheme() == null) {
      throw fail(BAD_OPTIONS, "source URL has no scheme", url, "no scheme");
    }
    Source source =
        switch (url.getScheme().toLowerCase(Locale.ROOT)) {
          case "local" -> local;
          case "http", "https" -> http;
          case "s3" -> s3;
          default -> null;
        };
    if (source == null) {
      throw fail(SOURCE_FORBIDDEN, "source scheme not enabled", url, "scheme not enabled");
    }
    if (!allowed(url)) {
      throw fail(SOURCE_FORBIDDEN, "source not allowed", url, "not on the allow-list");
    }
    return source;
  }

  /**
   * Up to {@code max} files of the local source, with at most {@code depth} parts to their paths,
   * whose names {@code keep} accepts, as {@code local:///} URLs, those the allow-list admits; none
   * when the local source is off.
   */
  public List<URI> listLocal(int depth, int max, Predicate<String> keep) {
    return local == null
        ? List.of()
        : local.list(depth, max, keep).stream().filter(this::allowed).toList();
  }

  /** Whether the allow-list admits the URL; the HTTP source asks again at each redirect. */
  boolean allowed(URI url) {
    if (allowedSources.isEmpty()) {
      return true;
    }
    // A decoded ".." could climb out of an allowed folder on the server that serves the path.
    String path = url.getPath();
    if (path != null && List.of(path.split("/")).contains("..")) {
      return false;
    }
    String canonical = canonical(url);
    return allowedSources.stream().anyMatch(canonical::startsWith);
  }

  /** Lower-case scheme and authority, dot segments resolved, no fragment. */
  private static String canonical(URI url) {
    URI n = url.normalize();
    String authority = n.getRawAuthority() == null ? "" : n.getRawAuthority();
    String path = n.getRawPath() == null ? "" : n.getRawPath();
    String query = n.getRawQuery() == null ? "" : "?" + n.getRawQuery();
    return (n.getScheme() + "://" + authority).toLowerCase(Locale.ROOT) + path + query;
  }

  /**
   * An allow-list prefix with its scheme and host in lower case; a bare {@code scheme://host} gets
   * a slash, so that it cannot match {@code scheme://host.evil.example}.
   */
  private static String prefix(String prefix) {
    int schemeEnd = prefix.indexOf("://");
    if (schemeEnd < 0) {
      throw new IllegalArgumentException("an allowed source starts with scheme://: " + prefix);
    }
    int pathStart = prefix.indexOf('/', schemeEnd + 3);
    if (pathStart < 0) {
      boolean schemeOnly = prefix.length() == schemeEnd + 3;
      return prefix.toLowerCase(Locale.ROOT) + (schemeOnly ? "" : "/");
    }
    return prefix.substring(0, pathStart).toLowerCase(Locale.ROOT) + prefix.substring(pathStart);
  }
}
