package dev.imgd.server.source;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImgdException;
import org.jspecify.annotations.Nullable;

/**
 * A failure that is the origin's own fault: it could not be reached, broke off, timed out or
 * answered 5xx. Only these count against an origin's circuit breaker, and only these may be cured
 * by a retry. An answer a client can choose by picking the URL (any 4xx, a redirect loop, a refused
 * address) never is one: otherwise one request could take a whole origin offline.
 */
public final class OriginFault extends ImgdException {
  private static final long serialVersionUID = 1L;

  OriginFault(ErrorCode code, String message, @Nullable Throwable cause) {
    super(code, message, cause);
  }
}
