package dev.imgd.server;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImgdException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * The routes, last in the chain: {@code /health}, {@code /ready} and {@code /metrics} answered
 * directly (never behind image work), everything else an image request; on the admin listener
 * (named {@value #ADMIN}) only bounded JFR recordings (FM-14).
 */
final class Routes extends Handler.Abstract {
  /** The name of the admin listener's connector. */
  static final String ADMIN = "admin";

  private final ImageHandler images;
  private final Metrics metrics;
  private final Health health;
  private final Pressure pressure;
  private final BooleanSupplier ready;
  private final BooleanSupplier draining;
  private final AtomicBoolean recording = new AtomicBoolean();

  Routes(
      ImageHandler images,
      Metrics metrics,
      Health health,
      Pressure pressure,
      BooleanSupplier ready,
      BooleanSupplier draining) {
    this.images = images;
    this.metrics = metrics;
    this.health = health;
    this.pressure = pressure;
    this.ready = ready;
    this.draining = draining;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    String path = request.getHttpURI().getPath();
    if (ADMIN.equals(request.getConnectionMetaData().getConnector().getName())) {
      admin(request, response, callback, path);
      return true;
    }
    switch (path) {
      case "/health" -> {
        Health.Report r = health.report();
        text(response, callback, r.ok() ? 200 : 503, "application/json", r.json());
      }
      case "/ready" -> readiness(response, callback);
      case "/metrics" ->
          text(response, callback, 200, "text/plain; version=0.0.4", metrics.scrape());
      case "/", "/favicon.ico" ->
          throw new ImgdException(ErrorCode.SOURCE_NOT_FOUND, "nothing here: " + path);
      default -> images.handle(request, response, callback);
    }
    return true;
  }

  /** Ready: started, not draining, and not shedding load under memory pressure. */
  private void readiness(Response response, Callback callback) {
    boolean ok = ready.getAsBoolean() && pressure.tier() != Pressure.Tier.SHEDDING;
    text(
        response,
        callback,
        ok ? 200 : 503,
        "application/json",
        "{\"ready\":%b,\"draining\":%b,\"memory_tier\":\"%s\"}"
            .formatted(
                ok, draining.getAsBoolean(), pressure.tier().name().toLowerCase(Locale.ROOT)));
  }

  /** GET /admin/jfr?seconds=N (1-60): a JFR recording of the next N seconds, one at a time. */
  private void admin(Request request, Response response, Callback callback, String path)
      throws Exception {
    if (!path.equals("/admin/jfr")) {
      throw new ImgdException(ErrorCode.SOURCE_NOT_FOUND, "admin paths: /admin/jfr?seconds=N");
    }
    Fields query = Request.extractQueryParameters(request);
    int seconds;
    try {
      seconds =
          Integer.parseInt(query.getValue("seconds") == null ? "10" : query.getValue("seconds"));
    } catch (NumberFormatException e) {
      throw new ImgdException(ErrorCode.BAD_OPTIONS, "seconds must be 1-60");
    }
    if (seconds < 1 || seconds > 60) {
      throw new ImgdException(ErrorCode.BAD_OPTIONS, "seconds must be 1-60");
    }
    if (!recording.compareAndSet(false, true)) {
      throw new ImgdException(ErrorCode.OVERLOADED, "a recording is already running");
    }
    Path file = Files.createTempFile("imgd-", ".jfr");
    try (Recording r = new Recording(Configuration.getConfiguration("profile"))) {
      r.setMaxAge(Duration.ofSeconds(seconds));
      r.start();
      Thread.sleep(seconds * 1000L);
      r.stop();
      r.dump(file);
      byte[] bytes = Files.readAllBytes(file);
      response.setStatus(200);
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/octet-stream");
      response.getHeaders().put("Content-Disposition", "attachment; filename=\"imgd.jfr\"");
      response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
      response.write(true, ByteBuffer.wrap(bytes), callback);
    } finally {
      Files.deleteIfExists(file);
      recording.set(false);
    }
  }

  private static void text(
      Response response, Callback callback, int status, String type, String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    response.write(true, ByteBuffer.wrap(bytes), callback);
  }
}
