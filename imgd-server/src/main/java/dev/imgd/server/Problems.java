package dev.imgd.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImgdException;
import io.opentelemetry.api.trace.Span;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Errors as RFC 9457 problem details: a stable {@code code} per {@link ErrorCode}, the HTTP status,
 * a safe message and the request id; overload answers carry Retry-After, unauthorized ones
 * WWW-Authenticate.
 */
final class Problems {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Problems() {}

  static void send(
      Request request, Response response, Callback callback, ImgdException e, String requestId) {
    ErrorCode code = e.code();
    Span.current().setAttribute(Traces.ERROR_TYPE, code.code()); // the request's span, if traced
    ObjectNode body = JSON.createObjectNode();
    body.put("type", "https://imgd.dev/problems/" + code.code());
    body.put("title", title(code));
    body.put("status", code.httpStatus());
    body.put("detail", e.getMessage());
    body.put("code", code.code());
    body.put("instance", request.getHttpURI().getPath());
    body.put("request_id", requestId);
    byte[] bytes = body.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    response.setStatus(code.httpStatus());
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/problem+json");
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    if (code == ErrorCode.OVERLOADED) {
      response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
    }
    if (code == ErrorCode.UNAUTHORIZED) {
      // Bearer for programs; Basic, second, makes a browser ask for the token (the playground).
      response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer");
      response.getHeaders().add(HttpHeader.WWW_AUTHENTICATE, "Basic realm=\"imgd admin\"");
    }
    response.write(true, ByteBuffer.wrap(bytes), callback);
  }

  private static String title(ErrorCode code) {
    return switch (code) {
      case BAD_OPTIONS -> "Bad processing options";
      case BAD_SIGNATURE -> "Bad signature";
      case SOURCE_FORBIDDEN -> "Source not allowed";
      case SOURCE_NOT_FOUND -> "Source not found";
      case TOO_LARGE -> "Too large";
      case UNSUPPORTED_FORMAT -> "Unsupported format";
      case LIMIT_EXCEEDED, CORRUPT_IMAGE, MEMORY_EXCEEDED, WORKER_CRASHED, QUARANTINED ->
          "Image refused";
      case BODY_TIMEOUT -> "Body too slow";
      case BODY_INCOMPLETE -> "Body incomplete";
      case OVERLOADED -> "Overloaded";
      case SOURCE_FAILED -> "Source failed";
      case DEADLINE_EXCEEDED -> "Deadline exceeded";
      case OUTPUT_INVALID, ENGINE_FAILED -> "Processing failed";
      case UNAUTHORIZED -> "Unauthorized";
      case METHOD_NOT_ALLOWED -> "Method not allowed";
    };
  }
}
