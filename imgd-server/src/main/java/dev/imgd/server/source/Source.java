package dev.imgd.server.source;

import java.net.URI;
import java.time.Instant;

/**
 * Where source images come from. Implementations are thread-safe and are called from virtual
 * threads. Every failure is a {@link dev.imgd.core.ImgdException} whose message is safe to show to
 * a client.
 */
public interface Source {

  /**
   * A cheap identity of what the URL names, for the result cache key, computed without downloading:
   * for local files the path under the root plus size and modification time, for HTTP and S3 the
   * normalised URL. Throws like {@link #fetch} for URLs that are refused (forbidden, or not found
   * for local files).
   */
  String identity(URI url);

  /**
   * The whole object, at most {@code maxBytes} long ({@code TOO_LARGE} beyond, enforced while
   * streaming, never trusting a declared length), finished by {@code deadline} ({@code
   * DEADLINE_EXCEEDED} otherwise; the transfer is aborted, no thread is left reading). A failure
   * the origin is to blame for is an {@link OriginFault}.
   */
  Fetched fetch(URI url, Instant deadline, long maxBytes);

  /**
   * As {@link #fetch(URI, Instant, long)}, conditionally: a source that can ask its origin sends
   * {@code conditions} and returns a {@link Fetched#notModified()} fetch on a 304; the others fetch
   * the whole object.
   */
  default Fetched fetch(URI url, Instant deadline, long maxBytes, Conditions conditions) {
    return fetch(url, deadline, maxBytes);
  }
}
