package dev.imgd.server.source;

import java.net.URI;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A fetched source.
 *
 * @param bytes the whole object; empty when {@code notModified}
 * @param urls every URL requested to get it: the one asked for, then each redirect followed; what
 *     {@link TrustedSources} judges, since a trusted URL may redirect anywhere
 * @param etag the origin's ETag, or null
 * @param lastModified the origin's Last-Modified, or null
 * @param notModified the origin answered a conditional request ({@link Conditions}) with 304
 * @param cacheControl the origin's Cache-Control, or null (passed on with
 *     IMGD_CACHE_CONTROL_PASSTHROUGH)
 * @param expires the origin's Expires, or null
 */
@SuppressWarnings("ArrayRecordComponent") // a download in flight, never compared
public record Fetched(
    byte[] bytes,
    List<URI> urls,
    @Nullable String etag,
    @Nullable String lastModified,
    boolean notModified,
    @Nullable String cacheControl,
    @Nullable String expires) {
  public Fetched {
    Objects.requireNonNull(bytes, "bytes");
    urls = List.copyOf(urls);
    if (urls.isEmpty()) {
      throw new IllegalArgumentException("urls must name at least the URL asked for");
    }
    if (notModified && bytes.length > 0) {
      throw new IllegalArgumentException("a 304 has no body");
    }
  }

  /** A whole object without validators. */
  public Fetched(byte[] bytes, List<URI> urls) {
    this(bytes, urls, null, null, false, null, null);
  }

  /** What a source without redirects fetched. */
  static Fetched from(URI url, byte[] bytes) {
    return new Fetched(bytes, List.of(url));
  }
}
