package dev.imgd.server.source;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImgdException;
import java.net.URI;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the exceptions sources throw: a short message fit for a client, while the reason, which
 * may name paths or addresses, goes only to the debug log.
 */
final class Failures {
  private static final Logger LOG = LoggerFactory.getLogger("dev.imgd.server.source");

  private Failures() {}

  static ImgdException fail(ErrorCode code, String message, URI url, String reason) {
    return fail(code, message, url, reason, null);
  }

  static ImgdException fail(
      ErrorCode code, String message, URI url, String reason, @Nullable Throwable cause) {
    log(code, url, reason, cause);
    // The cause stays on the exception for server logs; its message is never shown to clients.
    return cause == null
        ? new ImgdException(code, message)
        : new ImgdException(code, message, cause);
  }

  /** A failure the origin is to blame for: see {@link OriginFault}. */
  static OriginFault fault(
      ErrorCode code, String message, URI url, String reason, @Nullable Throwable cause) {
    log(code, url, reason, cause);
    return new OriginFault(code, message, cause);
  }

  private static void log(ErrorCode code, URI url, String reason, @Nullable Throwable cause) {
    if (LOG.isDebugEnabled()) {
      LOG.debug("source {} not served ({}): {}", url, code.code(), reason, cause);
    }
  }
}
