package dev.imgd.server;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImgdException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts and times every request but the operational ones (so that scrapes and probes do not drown
 * the numbers), counts refusals by code, and writes the access log line. Overload refusals get no
 * line each (they come as fast as clients retry, and a line per refusal cost more than the
 * refusal): one line every {@link #OVERLOAD_LOG_EVERY} at most says how many there were.
 */
final class MetricsHandler extends Handler.Wrapper {
  private static final Logger ACCESS = LoggerFactory.getLogger("imgd.access");
  private static final Logger LOG = LoggerFactory.getLogger(ImgdServer.class);
  static final Set<String> OPERATIONAL = Set.of("/metrics", "/health", "/ready");
  static final Duration OVERLOAD_LOG_EVERY = Duration.ofSeconds(10);

  private final Metrics metrics;
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong refusedLogged = new AtomicLong(System.nanoTime());

  MetricsHandler(Metrics metrics, Handler next) {
    super(next);
    this.metrics = metrics;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    long t0 = System.nanoTime();
    int status = 500;
    boolean accessLine = true;
    try {
      boolean handled = super.handle(request, response, callback);
      status = response.getStatus();
      return handled;
    } catch (ImgdException e) {
      status = e.code().httpStatus();
      metrics.rejected(e.code().code());
      if (e.code() == ErrorCode.OVERLOADED) {
        refused();
        accessLine = false;
      }
      throw e;
    } finally {
      String path = request.getHttpURI().getPath();
      if (!OPERATIONAL.contains(path)) {
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        metrics.request(status, took);
        if (accessLine) {
          ACCESS.info("{} {} {} {}ms", request.getMethod(), path, status, took.toMillis());
        }
      }
    }
  }

  /** Counts an overload refusal; logs the count at most once per {@link #OVERLOAD_LOG_EVERY}. */
  private void refused() {
    refused.incrementAndGet();
    long last = refusedLogged.get();
    long now = System.nanoTime();
    if (now - last >= OVERLOAD_LOG_EVERY.toNanos() && refusedLogged.compareAndSet(last, now)) {
      LOG.warn(
          "overloaded: {} requests refused with 503 in the last {} s (imgd_rejections)",
          refused.getAndSet(0),
          Duration.ofNanos(now - last).toSeconds());
    }
  }
}
