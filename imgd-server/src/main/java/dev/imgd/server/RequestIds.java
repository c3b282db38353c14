package dev.imgd.server;

import java.util.UUID;
import java.util.regex.Pattern;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.MDC;

/**
 * Gives every request an id: the client's {@code X-Request-Id} when it is a safe token, else a
 * fresh UUID. The id is echoed in the response, put in the logging MDC for the request's thread,
 * and kept as a request attribute for the error body ({@link #id}).
 */
final class RequestIds extends Handler.Wrapper {
  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final String ATTRIBUTE = "imgd.request_id";

  RequestIds(Handler next) {
    super(next);
  }

  /** The id given to this request. */
  static String id(Request request) {
    return (String) request.getAttribute(ATTRIBUTE);
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    String given = request.getHeaders().get("X-Request-Id");
    String id =
        given != null && SAFE.matcher(given).matches() ? given : UUID.randomUUID().toString();
    request.setAttribute(ATTRIBUTE, id);
    response.getHeaders().put("X-Request-Id", id);
    MDC.put("request_id", id);
    try {
      return super.handle(request, response, callback);
    } finally {
      MDC.remove("request_id");
    }
  }
}
