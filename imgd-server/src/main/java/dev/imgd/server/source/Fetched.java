package dev.imgd.server.source;

import java.net.URI;
import java.util.List;
import java.util.Objects;

/**
 * A fetched source.
 *
 * @param bytes the whole object
 * @param urls every URL requested to get it: the one asked for, then each redirect followed; what
 *     {@link TrustedSources} judges, since a trusted URL may redirect anywhere
 */
@SuppressWarnings("ArrayRecordComponent") // a download in flight, never compared
public record Fetched(byte[] bytes, List<URI> urls) {
  public Fetched {
    Objects.requireNonNull(bytes, "bytes");
    urls = List.copyOf(urls);
    if (urls.isEmpty()) {
      throw new IllegalArgumentException("urls must name at least the URL asked for");
    }
  }

  /** What a source without redirects fetched. */
  static Fetched from(URI url, byte[] bytes) {
    return new Fetched(bytes, List.of(url));
  }
}
