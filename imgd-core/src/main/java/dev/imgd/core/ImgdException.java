package dev.imgd.core;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The one exception imgd raises for a request that cannot be served. Its message is safe to show to
 * a client: it names what was wrong with the request or image, never a path, an address or a stack.
 */
public class ImgdException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final ErrorCode code;

  public ImgdException(ErrorCode code, String message) {
    super(message);
    this.code = Objects.requireNonNull(code, "code");
  }

  public ImgdException(ErrorCode code, String message, @Nullable Throwable cause) {
    super(message, cause);
    this.code = Objects.requireNonNull(code, "code");
  }

  public ErrorCode code() {
    return code;
  }

  public int httpStatus() {
    return code.httpStatus();
  }

  // The code belongs in log lines; getMessage stays the client-safe text alone.
  @SuppressWarnings("OverrideThrowableToString")
  @Override
  public String toString() {
    return "ImgdException[" + code.code() + "]: " + getMessage();
  }
}
