package dev.imgd.server;

import dev.imgd.core.ImgdException;
import java.time.Duration;
import java.util.Set;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts and times every request but the operational ones (so that scrapes and probes do not drown
 * the numbers), counts refusals by code, and writes the access log line.
 */
final class MetricsHandler extends Handler.Wrapper {
  private static final Logger ACCESS = LoggerFactory.getLogger("imgd.access");
  private static final Set<String> OPERATIONAL = Set.of("/metrics", "/health", "/ready");

  private final Metrics metrics;

  MetricsHandler(Metrics metrics, Handler next) {
    super(next);
    this.metrics = metrics;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    long t0 = System.nanoTime();
    int status = 500;
    try {
      boolean handled = super.handle(request, response, callback);
      status = response.getStatus();
      return handled;
    } catch (ImgdException e) {
      status = e.code().httpStatus();
      metrics.rejected(e.code().code());
      throw e;
    } finally {
      String path = request.getHttpURI().getPath();
      if (!OPERATIONAL.contains(path)) {
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        metrics.request(status, took);
        ACCESS.info("{} {} {} {}ms", request.getMethod(), path, status, took.toMillis());
      }
    }
  }
}
