package dev.imgd.server;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImgdException;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * The server's error handler, for what Jetty refuses before imgd's handlers see it: a 400 for a
 * path it cannot decode (bad UTF-8, a bad or ambiguous %-escape) becomes imgd's typed 400, a
 * problem with the stable code {@code bad_options}, like any other URL imgd cannot read. Other
 * statuses keep Jetty's answer.
 */
final class ProblemErrorHandler extends ErrorHandler {
  /** Jetty's reasons ("Bad URI", "Ambiguous URI path encoding") are safe to show; others not. */
  private static final Pattern SAFE_REASON = Pattern.compile("[A-Za-z0-9 ,.:'()-]{1,100}");

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    if (response.getStatus() != 400) {
      return super.handle(request, response, callback);
    }
    String reason =
        request.getAttribute(ERROR_MESSAGE) instanceof String s && SAFE_REASON.matcher(s).matches()
            ? s
            : "bad request";
    ImgdException e =
        new ImgdException(ErrorCode.BAD_OPTIONS, "the request URL cannot be read: " + reason);
    String id =
        Objects.requireNonNullElseGet(RequestIds.id(request), () -> UUID.randomUUID().toString());
    Problems.send(request, response, callback, e, id);
    return true;
  }
}
