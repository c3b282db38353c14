package dev.imgd.server;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImgdException;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns every failure below it into an RFC 9457 answer ({@link Problems}): an {@link ImgdException}
 * with its own code and status, anything else as a logged 500 that shows no internals.
 */
final class ProblemHandler extends Handler.Wrapper {
  private static final Logger LOG = LoggerFactory.getLogger(ImgdServer.class);

  ProblemHandler(Handler next) {
    super(next);
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    try {
      return super.handle(request, response, callback);
    } catch (ImgdException e) {
      Problems.send(request, response, callback, e, RequestIds.id(request));
    } catch (Exception | Error e) {
      LOG.error("unexpected failure on {}", request.getHttpURI().getPath(), e);
      ImgdException internal =
          new ImgdException(ErrorCode.ENGINE_FAILED, "internal error; see the server log");
      Problems.send(request, response, callback, internal, RequestIds.id(request));
    }
    return true;
  }
}
