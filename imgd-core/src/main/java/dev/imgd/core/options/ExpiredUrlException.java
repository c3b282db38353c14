package dev.imgd.core.options;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImgdException;
import java.io.Serial;

/** A URL whose {@code expires} option lies in the past. */
final class ExpiredUrlException extends ImgdException {
  @Serial private static final long serialVersionUID = 1L;
  private final long expiredAt;

  ExpiredUrlException(long expiredAt) {
    super(ErrorCode.BAD_OPTIONS, "Expired URL");
    this.expiredAt = expiredAt;
  }

  /** The unix time (seconds) the URL expired at. */
  public long expiredAt() {
    return expiredAt;
  }
}
