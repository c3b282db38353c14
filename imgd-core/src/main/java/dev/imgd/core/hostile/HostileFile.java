package dev.imgd.core.hostile;

import dev.imgd.core.ErrorCode;
import java.util.Objects;
import java.util.Optional;

/**
 * One generated hostile input and what must happen to it.
 *
 * @param name a short, unique, file-name-safe name
 * @param failureMode the failure mode it exercises, e.g. "FM-01" (docs/failure-modes.md)
 * @param bytes the file; the accessor returns a copy
 * @param expected what the probe, and after it the decoder, must do with it
 */
public record HostileFile(String name, String failureMode, byte[] bytes, Expectation expected) {

  /** What must happen to a hostile file under {@code Limits.DEFAULTS}. */
  public enum Expectation {
    /** The probe passes and the whole pipeline succeeds (e.g. GPS that must then be stripped). */
    CLEAN(null),
    /** The probe passes (the header is fine); the decoder must then reject the pixel data. */
    DECODER_MUST_REJECT(null),
    /** The probe refuses the data as not an accepted format. */
    UNSUPPORTED_FORMAT(ErrorCode.UNSUPPORTED_FORMAT),
    /** The probe finds the header truncated or corrupt. */
    CORRUPT_IMAGE(ErrorCode.CORRUPT_IMAGE),
    /** The probe finds a limit exceeded. */
    LIMIT_EXCEEDED(ErrorCode.LIMIT_EXCEEDED);

    private final ErrorCode probeError;

    Expectation(ErrorCode probeError) {
      this.probeError = probeError;
    }

    /** The error the probe must raise, or empty if the probe must pass. */
    public Optional<ErrorCode> probeError() {
      return Optional.ofNullable(probeError);
    }
  }

  public HostileFile {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(failureMode, "failureMode");
    Objects.requireNonNull(expected, "expected");
    if (!failureMode.matches("FM-\\d\\d")) {
      throw new IllegalArgumentException("failureMode must look like FM-01: " + failureMode);
    }
    bytes = bytes.clone();
  }

  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  @Override
  public String toString() {
    return "%s (%s, %d bytes, %s)".formatted(name, failureMode, bytes.length, expected);
  }
}
