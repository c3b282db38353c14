package dev.imgd.core;

/**
 * Every way a request can fail, each with its HTTP status and a stable code that clients and
 * dashboards can match on. Codes never change meaning; new ones are added at the end.
 */
public enum ErrorCode {
  /** Options that do not parse or contradict each other. */
  BAD_OPTIONS(400, "bad_options"),
  /** A missing, malformed or wrong URL signature. */
  BAD_SIGNATURE(403, "bad_signature"),
  /** A source that is not allowed (allow-list, SSRF guard, path jail). */
  SOURCE_FORBIDDEN(403, "source_forbidden"),
  /** The source does not exist. */
  SOURCE_NOT_FOUND(404, "source_not_found"),
  /** The source or request body is larger than allowed. */
  TOO_LARGE(413, "too_large"),
  /** The input is not an image format imgd accepts, or the output format cannot be written. */
  UNSUPPORTED_FORMAT(415, "unsupported_format"),
  /** The image's declared size, frames or metadata exceed a limit (FM-01, FM-17). */
  LIMIT_EXCEEDED(422, "limit_exceeded"),
  /** The image is truncated or corrupt (FM-11). */
  CORRUPT_IMAGE(422, "corrupt_image"),
  /** Too many requests in flight; retry later (FM-16, FM-24). */
  OVERLOADED(503, "overloaded"),
  /** The source could not be fetched. */
  SOURCE_FAILED(502, "source_failed"),
  /** The request's deadline passed (FM-15). */
  DEADLINE_EXCEEDED(504, "deadline_exceeded"),
  /** The encoder produced something that failed verification (FM-11). */
  OUTPUT_INVALID(500, "output_invalid"),
  /** The image engine failed in a way not caused by the input. */
  ENGINE_FAILED(500, "engine_failed"),
  /** The image needed more memory than a worker may use; the worker was replaced (FM-16). */
  MEMORY_EXCEEDED(422, "memory_exceeded"),
  /** The image crashed the worker decoding it; the worker was replaced (FM-20). */
  WORKER_CRASHED(422, "worker_crashed"),
  /** The same input crashed or overran a worker recently and is refused for a while. */
  QUARANTINED(422, "quarantined"),
  /** The request body came too slowly (under the minimum body rate) or not by the deadline. */
  BODY_TIMEOUT(408, "body_timeout"),
  /** The client closed the connection before its request body was complete. */
  BODY_INCOMPLETE(400, "body_incomplete"),
  /** The admin listener's bearer token is missing or wrong (answered with WWW-Authenticate). */
  UNAUTHORIZED(401, "unauthorized"),
  /** The path does not take the request's method (answered with Allow). */
  METHOD_NOT_ALLOWED(405, "method_not_allowed");

  private final int httpStatus;
  private final String code;

  ErrorCode(int httpStatus, String code) {
    this.httpStatus = httpStatus;
    this.code = code;
  }

  public int httpStatus() {
    return httpStatus;
  }

  /** The stable, machine-readable code, e.g. "limit_exceeded". */
  public String code() {
    return code;
  }
}
