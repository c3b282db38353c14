package dev.imgd.testkit.hostile;

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
  // imgd's stable error codes (ErrorCode.code() in imgd-core, which this module cannot see).
  private static final String CORRUPT = "corrupt_image";
  private static final String UNSUPPORTED = "unsupported_format";
  private static final String LIMIT = "limit_exceeded";

  /**
   * What must happen to a hostile file under {@code Limits.DEFAULTS} and the engine's defaults (50
   * MiB source cap): what the header probe does ({@link #probeError}) and what the whole in-process
   * engine does ({@link #engineError}), as imgd's error codes. SVG, PDF and TIFF are recognised by
   * the probe but decoded only by isolated workers; for them the two ISOLATED_ values also say what
   * such a worker must do.
   */
  public enum Expectation {
    /** The probe passes and the whole pipeline succeeds (e.g. GPS that must then be stripped). */
    CLEAN(null, null, 200),
    /** The probe passes (the header is fine); the decoder must then reject the pixel data. */
    DECODER_MUST_REJECT(null, CORRUPT, 422),
    /**
     * FM-11, a file cut after its header: the engine must refuse it (corrupt_image) unless every
     * byte it decodes is there (only an end marker, a trailer, or frames it does not load are cut),
     * and then give exactly the image of the whole file: never a grey-filled or partial one.
     */
    TRUNCATED(null, CORRUPT, 422),
    /** The probe refuses the data as not an accepted format. */
    UNSUPPORTED_FORMAT(UNSUPPORTED, UNSUPPORTED, 415),
    /** The probe finds the header truncated or corrupt. */
    CORRUPT_IMAGE(CORRUPT, CORRUPT, 422),
    /** The probe finds a limit exceeded. */
    LIMIT_EXCEEDED(LIMIT, LIMIT, 422),
    /** FM-02: a fine image, but more bytes than the source cap; refused before the probe. */
    TOO_LARGE(null, "too_large", 413),
    /**
     * The probe recognises the format (it cannot measure SVG or PDF) and the in-process engine
     * refuses it as unsupported_format. An isolated worker must refuse it with a typed error, or be
     * killed at its time or memory cap while the server serves on: it is a bomb.
     */
    ISOLATED_REFUSES(null, UNSUPPORTED, 415),
    /**
     * As {@link #ISOLATED_REFUSES} in process; an isolated worker may render it within its caps,
     * resolving no external reference (files, URLs, entities) and loading one page only.
     */
    ISOLATED_RENDERS(null, UNSUPPORTED, 415);

    private final String probeError;
    private final String engineError;
    private final int httpStatus;

    Expectation(String probeError, String engineError, int httpStatus) {
      this.probeError = probeError;
      this.engineError = engineError;
      this.httpStatus = httpStatus;
    }

    /** The error code the probe must raise ("limit_exceeded"), or empty if it must pass. */
    public Optional<String> probeError() {
      return Optional.ofNullable(probeError);
    }

    /**
     * The error code the in-process engine must raise ("corrupt_image"), or empty if it must
     * produce an image.
     */
    public Optional<String> engineError() {
      return Optional.ofNullable(engineError);
    }

    /** The HTTP status the server must answer: its error's status, or 200 for an image. */
    public int httpStatus() {
      return httpStatus;
    }

    /** Whether only an isolated worker may decode it. */
    public boolean isolated() {
      return this == ISOLATED_REFUSES || this == ISOLATED_RENDERS;
    }
  }

  public HostileFile {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(failureMode, "failureMode");
    Objects.requireNonNull(expected, "expected");
    if (!name.matches("[A-Za-z0-9._-]+")) {
      throw new IllegalArgumentException("name must be file-name-safe: " + name);
    }
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
