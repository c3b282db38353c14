package dev.imgd.server.source;

import java.net.IDN;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The sources whose images are decoded in the server process instead of the isolated workers
 * ({@code IMGD_TRUSTED_SOURCES}). This is the one place that decides it.
 *
 * <p>Each entry is matched on the parsed URL, never as a string prefix: the same scheme, the same
 * host exactly (letter case, IDN and a trailing dot aside; for {@code s3://} the same bucket), the
 * same port (the scheme's default when none is written), and a path that is the entry's or lies
 * below it, on a segment boundary. So {@code http://trusted.test} trusts neither {@code
 * http://trusted.test.evil.test/} nor {@code http://trusted.testevil.test/}, and {@code
 * https://cdn.test/photos} not {@code https://cdn.test/photos-upload/}. A fetch is trusted only if
 * every URL it requested is: a trusted URL that redirects elsewhere is not trusted any more.
 */
public final class TrustedSources {
  private static final Set<String> SCHEMES = Set.of("local", "http", "https", "s3");
  private static final TrustedSources NONE = new TrustedSources(List.of());

  private final List<Entry> entries;

  private TrustedSources(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  /** Nothing trusted. */
  public static TrustedSources none() {
    return NONE;
  }

  /**
   * Parses entries like {@code https://img.example.com/photos/}, {@code s3://bucket/} or {@code
   * local:///}; {@code scheme://} alone trusts the whole scheme.
   *
   * @throws IllegalArgumentException naming the first entry that is not such a URL
   */
  public static TrustedSources parse(List<String> entries) {
    List<Entry> parsed = new ArrayList<>();
    for (String entry : entries) {
      parsed.add(Entry.parse(Objects.requireNonNull(entry, "entry")));
    }
    return new TrustedSources(parsed);
  }

  public boolean isEmpty() {
    return entries.isEmpty();
  }

  /** Whether every URL requested to fetch it, redirects included, is trusted. */
  public boolean trusts(Fetched fetched) {
    return fetched.urls().stream().allMatch(this::trusts);
  }

  /** Whether this URL is trusted. */
  boolean trusts(URI url) {
    Optional<Entry> parsed = Entry.of(url);
    return parsed.isPresent() && entries.stream().anyMatch(e -> e.covers(parsed.get()));
  }

  @Override
  public String toString() {
    return entries.toString();
  }

  /**
   * A URL reduced to what trust is judged on.
   *
   * @param authority the host in lower-case ASCII and the port, for HTTP; the bucket for S3; empty
   *     for local files; null for an entry trusting the whole scheme
   * @param segments the raw path's segments, without the leading empty one
   */
  private record Entry(String scheme, @Nullable String authority, List<String> segments) {

    static Entry parse(String text) {
      String s = text.strip();
      int end = s.indexOf("://");
      String scheme = end < 0 ? "" : s.substring(0, end).toLowerCase(Locale.ROOT);
      if (!SCHEMES.contains(scheme)) {
        throw new IllegalArgumentException(
            "a trusted source is a local://, http://, https:// or s3:// URL: " + text);
      }
      if (s.length() == end + 3) {
        return new Entry(scheme, null, List.of());
      }
      URI url;
      try {
        url = idn(new URI(s));
      } catch (URISyntaxException | IllegalArgumentException e) {
        throw new IllegalArgumentException("a trusted source is not a URL: " + text, e);
      }
      if (url.getRawQuery() != null || url.getRawFragment() != null) {
        throw new IllegalArgumentException("a trusted source has no query or fragment: " + text);
      }
      Optional<Entry> entry = of(url);
      boolean named = entry.isPresent() && !Objects.requireNonNull(entry.get().authority).isEmpty();
      if (entry.isEmpty() || named == scheme.equals("local")) {
        throw new IllegalArgumentException(
            "a trusted source names a host (a bucket for s3, none for local): " + text);
      }
      return entry.get();
    }

    /** The parts of a URL; empty for one that cannot be judged (so is not trusted). */
    static Optional<Entry> of(URI url) {
      String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
      if (url.isOpaque() || url.getRawUserInfo() != null || url.getRawPath() == null) {
        return Optional.empty();
      }
      // Decoded: a server may read %2e%2e as .. and climb out of the trusted folder.
      if (Arrays.asList(url.getPath().split("/", -1)).contains("..")) {
        return Optional.empty();
      }
      String authority;
      switch (scheme) {
        case "http", "https" -> {
          if (url.getHost() == null) {
            return Optional.empty();
          }
          String host = url.getHost().toLowerCase(Locale.ROOT);
          if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
          }
          int port = url.getPort() >= 0 ? url.getPort() : scheme.equals("http") ? 80 : 443;
          authority = host + ":" + port;
        }
        case "s3", "local" -> authority = Objects.requireNonNullElse(url.getRawAuthority(), "");
        default -> {
          return Optional.empty();
        }
      }
      List<String> segments =
          Arrays.stream(url.normalize().getRawPath().split("/", -1)).skip(1).toList();
      if (!segments.isEmpty() && segments.getLast().isEmpty()) {
        segments = segments.subList(0, segments.size() - 1); // "/photos/" is "/photos"
      }
      return Optional.of(new Entry(scheme, authority, segments));
    }

    /** Whether a URL's parts fall under this entry. */
    boolean covers(Entry url) {
      return scheme.equals(url.scheme)
          && (authority == null
              || (authority.equals(url.authority)
                  && url.segments.size() >= segments.size()
                  && url.segments.subList(0, segments.size()).equals(segments)));
    }

    /** {@code java.net.URI} leaves a non-ASCII host unparsed: its ASCII (punycode) form instead. */
    private static URI idn(URI url) throws URISyntaxException {
      if (url.getHost() != null || url.getRawAuthority() == null) {
        return url;
      }
      String ascii = IDN.toASCII(url.getAuthority(), IDN.ALLOW_UNASSIGNED);
      String path = url.getRawPath() == null ? "" : url.getRawPath();
      return new URI(url.getScheme() + "://" + ascii + path);
    }

    @Override
    public String toString() {
      return scheme
          + "://"
          + (authority == null ? "" : authority + "/" + String.join("/", segments));
    }
  }
}
