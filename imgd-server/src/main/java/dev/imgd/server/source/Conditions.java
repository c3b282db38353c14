package dev.imgd.server.source;

import org.jspecify.annotations.Nullable;

/**
 * The validators of a copy the client already holds, to be sent to the origin as a conditional
 * request; an origin that answers 304 yields a {@link Fetched#notModified()} fetch.
 *
 * @param ifNoneMatch the origin's own entity tag to send as If-None-Match, or null
 * @param ifModifiedSince an HTTP date to send as If-Modified-Since, or null
 */
public record Conditions(@Nullable String ifNoneMatch, @Nullable String ifModifiedSince) {
  /** An unconditional request. */
  public static final Conditions NONE = new Conditions(null, null);

  /** Whether the request is conditional at all: only then may the origin answer 304. */
  public boolean any() {
    return ifNoneMatch != null || ifModifiedSince != null;
  }
}
