package dev.imgd.server;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImgdException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The routes, last in the chain: {@code /health}, {@code /ready} and, where IMGD_METRICS puts it,
 * {@code /metrics} answered directly (never behind image work); {@code POST /process} and every
 * other path an image request. On the admin listener (named {@value #ADMIN}) every request needs
 * the bearer token first; it serves bounded JFR recordings (FM-14) and, if so set, the metrics. A
 * path answers only its methods: any other gets 405 with Allow.
 */
final class Routes extends Handler.Abstract {
  /** The name of the admin listener's connector. */
  static final String ADMIN = "admin";

  // Jetty answers HEAD as GET, without the body.
  private static final List<String> GET_HEAD = List.of("GET", "HEAD");

  private final ImageHandler images;
  private final Metrics metrics;
  private final Health health;
  private final Pressure pressure;
  private final BooleanSupplier ready;
  private final BooleanSupplier draining;
  private final AdminToken token;
  private final AdminPools pools;
  private final String metricsOn;
  private final String pathPrefix;
  private final Playground playground;
  private final Recordings recordings = new Recordings();

  /**
   * @param token what the admin listener requires
   * @param metricsOn where /metrics is served: public, admin or off
   * @param pathPrefix what every path of the HTTP listener starts with (IMGD_PATH_PREFIX), taken
   *     off before routing and signing, as imgproxy's router does; empty: none
   */
  Routes(
      ImageHandler images,
      Metrics metrics,
      Health health,
      Pressure pressure,
      BooleanSupplier ready,
      BooleanSupplier draining,
      AdminToken token,
      AdminPools pools,
      String metricsOn,
      String pathPrefix,
      Playground playground) {
    this.images = images;
    this.metrics = metrics;
    this.health = health;
    this.pressure = pressure;
    this.ready = ready;
    this.draining = draining;
    this.token = token;
    this.pools = pools;
    this.metricsOn = metricsOn;
    this.pathPrefix = pathPrefix;
    this.playground = playground;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    String path = request.getHttpURI().getPath();
    if (ADMIN.equals(request.getConnectionMetaData().getConnector().getName())) {
      admin(request, response, callback, path);
      return true;
    }
    if (!pathPrefix.isEmpty()) {
      if (!path.startsWith(pathPrefix + "/")) {
        throw new ImgdException(ErrorCode.SOURCE_NOT_FOUND, "nothing here: " + path);
      }
      path = path.substring(pathPrefix.length());
      request = withPath(request, path);
    }
    if (playground.where().equals("public") && Playground.serves(path)) {
      playground(request, response, callback, path);
      return true;
    }
    if (path.equals("/process")) {
      allow(request, response, List.of("POST"));
      images.handle(request, response, callback);
      return true;
    }
    allow(request, response, GET_HEAD);
    switch (path) {
      case "/health" -> {
        Health.Report r = health.report();
        text(response, callback, r.ok() ? 200 : 503, "application/json", r.json());
      }
      case "/ready" -> readiness(response, callback);
      case "/metrics" -> metrics(response, callback, "public");
      case "/", "/favicon.ico" ->
          throw new ImgdException(ErrorCode.SOURCE_NOT_FOUND, "nothing here: " + path);
      default -> images.handle(request, response, callback);
    }
    return true;
  }

  /** {@code request} as if it had come for {@code path}. */
  private static Request withPath(Request request, String path) {
    HttpURI uri = HttpURI.build(request.getHttpURI()).path(path).asImmutable();
    return new Request.Wrapper(request) {
      @Override
      public HttpURI getHttpURI() {
        return uri;
      }
    };
  }

  /** Refuses a method the path does not take: 405 with {@code Allow}. */
  private static void allow(Request request, Response response, List<String> methods) {
    if (!methods.contains(request.getMethod())) {
      String allowed = String.join(", ", methods);
      response.getHeaders().put(HttpHeader.ALLOW, allowed);
      throw new ImgdException(ErrorCode.METHOD_NOT_ALLOWED, "this path takes " + allowed);
    }
  }

  private void metrics(Response response, Callback callback, String port) {
    if (!metricsOn.equals(port)) {
      throw new ImgdException(ErrorCode.SOURCE_NOT_FOUND, "no metrics on this port");
    }
    text(response, callback, 200, "text/plain; version=0.0.4", metrics.scrape());
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

  /**
   * The token first, so that nothing (not even which paths exist) answers without it; then {@code
   * GET /admin/jfr?seconds=N} (1-60): a JFR recording of the next N seconds; {@code GET /admin}:
   * the worker pools and the canary; {@code POST /admin/canary/step} and {@code /admin/canary/off}:
   * the canary's share one step up, or off; and /metrics.
   */
  private void admin(Request request, Response response, Callback callback, String path)
      throws Exception {
    token.check(request);
    switch (path) {
      case "/admin/jfr" -> {
        allow(request, response, List.of("GET"));
        byte[] jfr = recordings.record(Duration.ofSeconds(seconds(request)));
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/octet-stream");
        response.getHeaders().put("Content-Disposition", "attachment; filename=\"imgd.jfr\"");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, jfr.length);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(jfr), callback);
      }
      case "/metrics" -> {
        allow(request, response, GET_HEAD);
        metrics(response, callback, "admin");
      }
      case "/admin" -> {
        allow(request, response, GET_HEAD);
        text(response, callback, 200, "application/json", pools.json());
      }
      case "/admin/canary/step", "/admin/canary/off" -> {
        allow(request, response, List.of("POST"));
        String state = path.endsWith("step") ? pools.step() : pools.off();
        text(response, callback, 200, "application/json", state);
      }
      default -> {
        if (!playground.where().equals(ADMIN) || !Playground.serves(path)) {
          throw new ImgdException(
              ErrorCode.SOURCE_NOT_FOUND,
              "admin paths: /admin, /admin/canary/step, /admin/canary/off, /admin/jfr?seconds=N,"
                  + " /metrics");
        }
        playground(request, response, callback, path);
      }
    }
  }

  /**
   * The playground's page and data, and the images it asks for under {@link Playground#IMAGES}:
   * image paths and {@code POST /process}, signed like any other, on whichever listener serves it.
   */
  private void playground(Request request, Response response, Callback callback, String path)
      throws Exception {
    String image = Playground.imagePath(path);
    if (image == null) {
      allow(request, response, GET_HEAD);
      playground.handle(request, response, callback, path);
      return;
    }
    allow(request, response, image.equals("/process") ? List.of("POST") : GET_HEAD);
    images.handle(withPath(request, image), response, callback);
  }

  private static int seconds(Request request) {
    String given = Request.extractQueryParameters(request).getValue("seconds");
    try {
      int seconds = given == null ? 10 : Integer.parseInt(given);
      if (seconds >= 1 && seconds <= 60) {
        return seconds;
      }
    } catch (NumberFormatException e) {
      // refused below
    }
    throw new ImgdException(ErrorCode.BAD_OPTIONS, "seconds must be 1-60");
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
