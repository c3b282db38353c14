package dev.imgd.vips;

import org.jspecify.annotations.Nullable;

/**
 * A libvips operation failed. The message is libvips' own error text (from vips_error_buffer_copy),
 * prefixed with the operation, trimmed to one paragraph; it names the input's problem (for example
 * "VipsJpeg: Premature end of input file") and never a memory address.
 */
public class VipsException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final @Nullable String operation;

  public VipsException(String message) {
    this(null, message);
  }

  public VipsException(@Nullable String operation, String message) {
    super(operation == null ? message : operation + ": " + message);
    this.operation = operation;
  }

  /** The libvips operation that failed (its nickname, e.g. "jpegload_buffer"), if known. */
  public @Nullable String operation() {
    return operation;
  }
}
