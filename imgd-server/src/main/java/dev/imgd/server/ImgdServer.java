package dev.imgd.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImageFormat;
import dev.imgd.core.Imgd;
import dev.imgd.core.ImgdException;
import dev.imgd.core.options.OptionsParser;
import dev.imgd.server.source.Sources;
import dev.imgd.vips.Vips;
import dev.imgd.vips.VipsSettings;
import dev.imgd.worker.IsolatedEngine;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.io.ArrayByteBufferPool;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.thread.VirtualThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The imgd HTTP server: Jetty 12 core handlers on virtual threads; image work only through the
 * engine's own bounded workers. {@code /health}, {@code /ready} and {@code /metrics} are answered
 * by this handler directly and never wait behind image work; the admin listener (off by default)
 * serves bounded JFR recordings (FM-14).
 */
public final class ImgdServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ImgdServer.class);
  private static final Logger ACCESS = LoggerFactory.getLogger("imgd.access");
  private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final byte[] HEALTH_PNG =
      Base64.getDecoder()
          .decode(
              "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ServerSettings settings;
  private final Server server;
  private final ServerConnector connector;
  private final ServerConnector admin;
  private final Metrics metrics = new Metrics();
  private final Imgd isolated;
  private final Imgd trusted;
  private final IsolatedEngine workers;
  private final Sources sources;
  private final ImageHandler images;
  private final AtomicBoolean recording = new AtomicBoolean();
  private final Thread prober;
  private final Admission admission;
  private final Pressure pressure;
  private volatile boolean ready;
  private volatile boolean draining;
  private volatile Instant lastHealthy = Instant.EPOCH;
  private volatile String lastHealthError = "not checked yet";

  private ImgdServer(ServerSettings settings) throws Exception {
    this.settings = settings;
    Imgd.Builder common =
        Imgd.builder()
            .limits(settings.limits())
            .maxSourceBytes(settings.maxSourceBytes())
            .timeout(settings.timeout())
            .presets(settings.presets());
    boolean needInProcess =
        !settings.isolated() || !settings.list("IMGD_TRUSTED_SOURCES").isEmpty();
    if (settings.isolated()) {
      List<Path> libraries = new ArrayList<>(List.of(VipsSettings.libraryFromEnvironment()));
      VipsSettings.systemLibrary()
          .filter(p -> !p.equals(libraries.getFirst()))
          .filter(p -> !settings.get("IMGD_LIBVIPS_SYSTEM").equals("off"))
          .ifPresent(libraries::add);
      this.workers =
          IsolatedEngine.start(
              IsolatedEngine.Settings.defaults(libraries, settings.workers())
                  .withMemoryCap(settings.longValue("IMGD_WORKER_MEMORY"))
                  .withClassDataArchive(classDataArchive()));
      this.isolated = common.engine(workers).build();
      metrics.workers(workers);
    } else {
      this.workers = null;
      this.isolated = common.threads(settings.workers()).build();
      metrics.libvips();
    }
    this.trusted =
        needInProcess && settings.isolated()
            ? Imgd.builder()
                .limits(settings.limits())
                .maxSourceBytes(settings.maxSourceBytes())
                .presets(settings.presets())
                .threads(settings.workers())
                .build()
            : null;
    Admission admission =
        new Admission(
            settings.workers(),
            (int) settings.longValue("IMGD_QUEUE_SIZE"),
            settings.seconds("IMGD_QUEUE_TIMEOUT"),
            settings.longValue("IMGD_MEMORY_BUDGET"));
    metrics.memory(admission);
    this.admission = admission;
    this.pressure =
        new Pressure(
            () -> Metrics.rss() + (workers == null ? 0 : workers.stats().rss()),
            settings.rssBudget());
    metrics.pressure(pressure);
    this.sources = Sources.create(settings.sources());
    Signatures signatures =
        new Signatures(settings.keys(), (int) settings.longValue("IMGD_SIGNATURE_SIZE"));
    if (!signatures.enabled()) {
      LOG.warn(
          "NO URL SIGNATURES: IMGD_KEY and IMGD_SALT are not set, so anyone who can reach this"
              + " server can make it process any image with any options. Set them in production.");
    }
    this.images =
        new ImageHandler(
            settings,
            signatures,
            new OptionsParser(settings.presets(), settings.bool("IMGD_ONLY_PRESETS")),
            sources,
            new ResultCache(settings.longValue("IMGD_CACHE_MAX_BYTES"), metrics.registry),
            admission,
            isolated,
            trusted,
            metrics,
            pressure);

    this.server = new Server(new VirtualThreadPool(), null, bufferPool());
    this.connector = connector(settings.bind(), "http");
    this.admin = settings.adminBind().map(hp -> connector(hp, "admin")).orElse(null);
    server.setStopTimeout(settings.seconds("IMGD_DRAIN_TIMEOUT").toMillis());
    server.setHandler(new GracefulHandler(new Router()));
    this.prober = Thread.ofVirtual().name("imgd-health").unstarted(this::probe);
  }

  private static Path classDataArchive() {
    String home = System.getenv("IMGD_CACHE_DIR");
    Path dir =
        home != null && !home.isBlank()
            ? Path.of(home)
            : Path.of(System.getProperty("user.home"), ".cache", "imgd");
    return Files.isDirectory(dir) && Files.isWritable(dir)
        ? dir.resolve("worker-" + Runtime.version().feature() + ".jsa")
        : null;
  }

  /**
   * Jetty's I/O buffers (FM-07): up to 64 KiB each, at most 64 of a size, and 16 MiB of heap and 16
   * MiB of direct memory kept in all (Jetty's defaults follow the heap: an eighth of it). Image
   * bytes are never pooled: sources, pixels and results die with their request.
   */
  static ArrayByteBufferPool bufferPool() {
    return new ArrayByteBufferPool(0, 0, 64 << 10, 64, 16L << 20, 16L << 20);
  }

  /** Jetty's buffer pool, for the FM-07 test. */
  ArrayByteBufferPool buffers() {
    return (ArrayByteBufferPool) server.getByteBufferPool();
  }

  private ServerConnector connector(ServerSettings.HostPort hp, String name) {
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    // imgproxy paths hold source URLs: "local:///a.jpg" has an empty segment, a percent-encoded
    // source has %2F. The walk parses the raw path itself; Jetty must pass it through.
    http.setUriCompliance(
        UriCompliance.DEFAULT.with(
            "imgproxy",
            UriCompliance.Violation.AMBIGUOUS_EMPTY_SEGMENT,
            UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR,
            UriCompliance.Violation.AMBIGUOUS_PATH_ENCODING,
            UriCompliance.Violation.AMBIGUOUS_PATH_SEGMENT,
            UriCompliance.Violation.SUSPICIOUS_PATH_CHARACTERS));
    ServerConnector c = new ServerConnector(server, new HttpConnectionFactory(http));
    // A short stall must not overflow the listen queue: dropped SYNs are retried after 1, 3, 7 s.
    c.setAcceptQueueSize(1024);
    c.setHost(hp.host());
    c.setPort(hp.port());
    c.setName(name);
    server.addConnector(c);
    return c;
  }

  /** Starts the engine, the sources and the listeners; ready once the first health check passed. */
  public static ImgdServer start(ServerSettings settings) throws Exception {
    ImgdServer s = new ImgdServer(settings);
    s.server.start();
    s.checkHealth();
    s.ready = true;
    s.prober.start();
    LOG.info(
        "imgd listening on http://{}:{}{}",
        settings.bind().host(),
        s.port(),
        s.admin == null ? "" : " (admin on port " + s.admin.getLocalPort() + ")");
    return s;
  }

  public int port() {
    return connector.getLocalPort();
  }

  public int adminPort() {
    return admin == null ? -1 : admin.getLocalPort();
  }

  /** Stops taking requests, lets those in flight finish (up to IMGD_DRAIN_TIMEOUT), then stops. */
  @Override
  public void close() throws Exception {
    draining = true;
    ready = false;
    prober.interrupt();
    try {
      server.stop();
    } finally {
      isolated.close();
      if (trusted != null) {
        trusted.close();
      }
      sources.close();
    }
  }

  public void join() throws InterruptedException {
    server.join();
  }

  /**
   * Every 250 ms: the memory tier (fewer slots when reduced); every 5 s: a tiny image rendered
   * through the engine, which /health reports.
   */
  private void probe() {
    for (long tick = 1; !draining; tick++) {
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        return;
      }
      Pressure.Tier tier = pressure.update();
      admission.limit(
          tier == Pressure.Tier.NORMAL ? admission.slots() : Math.max(1, admission.slots() / 2));
      if (tick % 20 == 0) {
        checkHealth();
      }
    }
  }

  /** Ready: started, not draining, and not shedding load under memory pressure. */
  private boolean isReady() {
    return ready && !draining && pressure.tier() != Pressure.Tier.SHEDDING;
  }

  /** Test access: the request walk, for fault injection. */
  ImageHandler images() {
    return images;
  }

  /** Test access: measures memory now and moves the tier. */
  Pressure.Tier updatePressure() {
    return pressure.update();
  }

  /**
   * Renders the tiny image, unless every worker is busy: then the work they are finishing is the
   * proof of life, and the probe must not queue behind it.
   */
  private void checkHealth() {
    if (workers != null && workers.stats().busy() >= workers.stats().live()) {
      return;
    }
    try {
      isolated.process(
          HEALTH_PNG, isolated.parse("rs:fit:1:1/f:png"), Instant.now().plusSeconds(5));
      lastHealthy = Instant.now();
      lastHealthError = null;
    } catch (RuntimeException e) {
      lastHealthError = e.getMessage();
      LOG.warn("health check failed: {}", e.getMessage());
    }
  }

  /** Routes: operational endpoints first, then image requests; admin paths on the admin port. */
  private final class Router extends Handler.Abstract {
    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
      long t0 = System.nanoTime();
      String id = requestId(request);
      response.getHeaders().put("X-Request-Id", id);
      MDC.put("request_id", id);
      String path = request.getHttpURI().getPath();
      int status = 200;
      try {
        Connector on = request.getConnectionMetaData().getConnector();
        if (on == admin) {
          status = admin(request, response, callback, path);
        } else {
          switch (path) {
            case "/health" -> status = health(response, callback);
            case "/ready" -> status = readiness(response, callback);
            case "/metrics" ->
                text(response, callback, 200, "text/plain; version=0.0.4", metrics.scrape());
            case "/", "/favicon.ico" ->
                throw new ImgdException(ErrorCode.SOURCE_NOT_FOUND, "nothing here: " + path);
            default -> {
              images.handle(request, response, callback, id);
              status = response.getStatus();
            }
          }
        }
      } catch (ImgdException e) {
        status = e.code().httpStatus();
        metrics.rejected(e.code().code());
        Problems.send(request, response, callback, e, id);
      } catch (Exception | Error e) {
        LOG.error("unexpected failure on {}", path, e);
        ImgdException ie =
            new ImgdException(ErrorCode.ENGINE_FAILED, "internal error; see the server log");
        status = 500;
        Problems.send(request, response, callback, ie, id);
      } finally {
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        if (!path.equals("/metrics") && !path.equals("/health") && !path.equals("/ready")) {
          metrics.request(status, took);
          ACCESS.info("{} {} {} {}ms", request.getMethod(), path, status, took.toMillis());
        }
        MDC.remove("request_id");
      }
      return true;
    }
  }

  private static String requestId(Request request) {
    String given = request.getHeaders().get("X-Request-Id");
    return given != null && REQUEST_ID.matcher(given).matches()
        ? given
        : UUID.randomUUID().toString();
  }

  private int health(Response response, Callback callback) {
    Instant last = images.lastSuccess().isAfter(lastHealthy) ? images.lastSuccess() : lastHealthy;
    boolean ok = lastHealthError == null || last.isAfter(Instant.now().minusSeconds(60));
    ObjectNode body = JSON.createObjectNode();
    body.put("status", ok ? "ok" : "failing");
    body.put("last_render_age_seconds", Duration.between(last, Instant.now()).toSeconds());
    if (lastHealthError != null) {
      body.put("error", lastHealthError);
    }
    body.put("libvips", workers != null ? "isolated workers" : Vips.version());
    body.putPOJO(
        "reads", isolated.engine().reads().stream().map(ImageFormat::extension).sorted().toList());
    body.putPOJO(
        "writes",
        isolated.engine().writes(ImageFormat.JPEG).stream()
            .map(ImageFormat::extension)
            .sorted()
            .toList());
    int status = ok ? 200 : 503;
    text(response, callback, status, "application/json", body.toString());
    return status;
  }

  private int readiness(Response response, Callback callback) {
    boolean ok = isReady();
    text(
        response,
        callback,
        ok ? 200 : 503,
        "application/json",
        "{\"ready\":%b,\"draining\":%b,\"memory_tier\":\"%s\"}"
            .formatted(ok, draining, pressure.tier().name().toLowerCase()));
    return ok ? 200 : 503;
  }

  /** GET /admin/jfr?seconds=N (1-60): a JFR recording of the next N seconds, one at a time. */
  private int admin(Request request, Response response, Callback callback, String path)
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
      return 200;
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
