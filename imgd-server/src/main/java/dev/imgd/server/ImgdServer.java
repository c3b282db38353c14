package dev.imgd.server;

import dev.imgd.core.ImageFormat;
import dev.imgd.core.Imgd;
import dev.imgd.core.ImgdException;
import dev.imgd.core.Limits;
import dev.imgd.core.options.OptionsParser;
import dev.imgd.core.probe.Probe;
import dev.imgd.server.settings.HostPort;
import dev.imgd.server.settings.Setting;
import dev.imgd.server.settings.Settings;
import dev.imgd.server.source.SourceSettings;
import dev.imgd.server.source.Sources;
import dev.imgd.vips.VipsSettings;
import dev.imgd.worker.Canary;
import dev.imgd.worker.IsolatedEngine;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.io.ArrayByteBufferPool;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.VirtualThreadPool;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The imgd HTTP server, wired from its {@link Settings}: Jetty 12 core on virtual threads, a chain
 * of handlers with one concern each (request id and MDC, errors as problem+json, metrics and the
 * access log, then the {@link Routes}), and image work only through the engine's own bounded
 * workers. Nothing here handles a request.
 */
// close() passes on what Jetty's stop() throws, InterruptedException included: the caller decides.
@SuppressWarnings("try")
public final class ImgdServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ImgdServer.class);

  private final Server server;
  private final ServerConnector connector;
  private final @Nullable ServerConnector admin;
  private final Imgd isolated;
  private final @Nullable Imgd trusted;
  private final Sources sources;
  private final @Nullable SharedCache shared;
  private final Admission admission;
  private final Pressure pressure;
  private final Health health;
  private final Thread prober;
  private final Traces traces;
  private volatile boolean ready;
  private volatile boolean draining;

  private ImgdServer(Settings settings, Faults faults, Traces traces) throws Exception {
    this.traces = traces;
    Metrics metrics = new Metrics();
    int workerCount = settings.get(Settings.WORKERS);
    boolean isolatedMode = settings.get(Settings.MODE).equals("isolated");
    this.sources = Sources.create(sourceSettings(settings));
    byte @Nullable [] watermark =
        image(
            settings,
            sources,
            Settings.WATERMARK_DATA,
            Settings.WATERMARK_PATH,
            Settings.WATERMARK_URL);
    byte @Nullable [] fallback = fallbackImage(settings, sources); // checked before workers start
    if (!isolatedMode && settings.get(Settings.CANARY_LIBVIPS).isPresent()) {
      throw new IllegalArgumentException(
          "bad setting IMGD_CANARY_LIBVIPS: allowed: only with isolated workers (IMGD_MODE)");
    }
    IsolatedEngine workers = isolatedMode ? startWorkers(settings) : null;
    Imgd.Builder engine = engineBuilder(settings, watermark);
    if (workers != null) {
      this.isolated = engine.engine(workers).build();
      metrics.workers(workers);
      metrics.pools(workers);
    } else {
      this.isolated = engine.threads(workerCount).build();
      metrics.libvips();
    }
    if (watermark != null) {
      checkWatermark(settings, watermark, isolated);
    }
    this.trusted =
        isolatedMode && !settings.get(Settings.TRUSTED_SOURCES).isEmpty()
            ? engineBuilder(settings, watermark).threads(workerCount).build()
            : null;
    this.admission =
        new Admission(
            workerCount,
            settings.get(Settings.QUEUE_SIZE),
            settings.get(Settings.QUEUE_TIMEOUT),
            settings.get(Settings.MEMORY_BUDGET),
            ServerHeap.bufferBudget(settings, Runtime.getRuntime().maxMemory()),
            settings.get(Settings.LARGE_JOB_RESOLUTION),
            settings.get(Settings.QUEUE_FULL_PAUSE));
    metrics.memory(admission);
    this.pressure =
        new Pressure(
            () -> Metrics.rss() + (workers == null ? 0 : workers.stats().rss()),
            settings.get(Settings.RSS_BUDGET).orElseGet(Pressure::defaultBudget),
            admission::buffered,
            admission.bufferBudget());
    metrics.pressure(pressure);
    this.shared = sharedCache(settings, metrics);
    if (shared != null && workers != null) {
      shared.shareQuarantine(workers);
    }
    long heap = Runtime.getRuntime().maxMemory();
    if (heap < ServerHeap.needed(settings)) {
      LOG.warn(
          "the heap ({} MiB) is smaller than the result cache, the buffers and 96 MiB need ({} MiB):"
              + " start with ./imgd serve, or size -Xmx in IMGD_JAVA_OPTS",
          heap >> 20,
          ServerHeap.needed(settings) >> 20);
    }
    Signatures signatures = Signatures.of(settings);
    if (!signatures.enabled()) {
      LOG.warn(
          "NO URL SIGNATURES: IMGD_KEY and IMGD_SALT are not set, so anyone who can reach this"
              + " server can make it process any image with any options. Set them in production.");
    }
    ImageHandler images =
        new ImageHandler(
            settings,
            signatures,
            OptionsParser.builder()
                .presets(presets(settings))
                .onlyPresets(settings.get(Settings.ONLY_PRESETS))
                .securityOptions(settings.get(Settings.ALLOW_SECURITY_OPTIONS))
                .separator(settings.get(Settings.ARGUMENTS_SEPARATOR))
                .base64UrlIncludesFilename(settings.get(Settings.BASE64_URL_INCLUDES_FILENAME))
                .allowedOptions(settings.get(Settings.ALLOWED_PROCESSING_OPTIONS))
                .defaults(
                    EncodingDefaults.of(settings).toBuilder()
                        .skipProcessing(
                            settings
                                .get(Settings.SKIP_PROCESSING_FORMATS)
                                .toArray(ImageFormat[]::new))
                        .build())
                .build(),
            new SourceGuard(
                sources,
                settings.get(Settings.SOURCE_CONCURRENCY),
                settings.get(Settings.SOURCE_RETRIES),
                settings.get(Settings.SOURCE_BREAK),
                metrics),
            sources,
            new CacheTiers(
                new ResultCache(settings.get(Settings.CACHE_MAX_BYTES), metrics.registry),
                shared,
                metrics),
            admission,
            isolated,
            trusted,
            metrics,
            pressure,
            faults,
            traces,
            fallback);
    this.health = new Health(isolated, workers, images::lastSuccess);

    this.server = new Server(threads(), null, bufferPool());
    server.setErrorHandler(new ProblemErrorHandler());
    this.connector = connector(settings.get(Settings.BIND), "http");
    bound(connector, settings, metrics);
    this.admin =
        settings.get(Settings.ADMIN_BIND).map(hp -> connector(hp, Routes.ADMIN)).orElse(null);
    server.setStopTimeout(settings.get(Settings.DRAIN_TIMEOUT).toMillis());
    String metricsOn = settings.metricsOn();
    if (metricsOn.equals("off") && settings.get(Settings.METRICS).equals("auto")) {
      LOG.warn(
          "no /metrics: with IMGD_KEY set they are served on the admin listener only, and there is"
              + " none (set IMGD_ADMIN_BIND and IMGD_ADMIN_TOKEN, or IMGD_METRICS=public)");
    }
    Routes routes =
        new Routes(
            images,
            metrics,
            health,
            pressure,
            () -> ready && !draining,
            () -> draining,
            new AdminToken(settings.get(Settings.ADMIN_TOKEN)),
            new AdminPools(workers),
            metricsOn,
            settings.get(Settings.PATH_PREFIX),
            new Playground(settings, signatures, sources));
    Handler walk = new ProblemHandler(new MetricsHandler(metrics, routes));
    server.setHandler(
        new GracefulHandler(new RequestIds(traces.on() ? new TracingHandler(traces, walk) : walk)));
    this.prober = Thread.ofVirtual().name("imgd-health").unstarted(this::probe);
  }

  /**
   * The in-process engine's settings, shared by the default and the trusted engine. The URLs'
   * presets are the server's parser's alone: the engine parses only the server's own option
   * strings, always with ':', which the presets may not use (IMGD_ARGUMENTS_SEPARATOR).
   */
  private static Imgd.Builder engineBuilder(Settings settings, byte @Nullable [] watermark) {
    Imgd.Builder b =
        Imgd.builder()
            .limits(limits(settings))
            .maxSourceBytes(settings.get(Settings.MAX_SRC_FILE_SIZE))
            .timeout(settings.get(Settings.TIMEOUT))
            .watermarkOpacity(settings.get(Settings.WATERMARK_OPACITY));
    return watermark == null ? b : b.watermark(watermark);
  }

  /** IMGD_PRESETS, then those of IMGD_PRESETS_PATH, which win (imgproxy reads the file last). */
  private static Map<String, String> presets(Settings settings) {
    Map<String, String> presets = new HashMap<>(settings.get(Settings.PRESETS));
    presets.putAll(settings.get(Settings.PRESETS_PATH));
    return presets;
  }

  /**
   * IMGD_ALLOWED_NETWORKS, and the ranges imgproxy's IMGPROXY_ALLOW_*_SOURCE_ADDRESSES allow by
   * name (Go's net.IP IsLoopback, IsPrivate and IsLinkLocalUnicast).
   */
  private static List<String> allowedNetworks(Settings settings) {
    List<String> networks = new ArrayList<>(settings.get(Settings.ALLOWED_NETWORKS));
    if (settings.get(Settings.ALLOW_LOOPBACK_SOURCES)) {
      networks.addAll(List.of("127.0.0.0/8", "::1/128"));
    }
    if (settings.get(Settings.ALLOW_PRIVATE_SOURCES)) {
      networks.addAll(List.of("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"));
    }
    if (settings.get(Settings.ALLOW_LINK_LOCAL_SOURCES)) {
      networks.addAll(List.of("169.254.0.0/16", "fe80::/10"));
    }
    return networks;
  }

  /** The engine's limits, which the probe also checks watermark images against. */
  static Limits limits(Settings settings) {
    return Limits.builder()
        .maxSourcePixels(settings.get(Settings.MAX_SRC_RESOLUTION))
        .maxFrames(settings.get(Settings.MAX_ANIMATION_FRAMES))
        .maxResultSide(settings.get(Settings.MAX_RESULT_DIMENSION))
        .build();
  }

  /**
   * An image setting (the watermark for {@code wm:}, the fallback image), as imgproxy takes it:
   * data, else path, else a URL downloaded once now through the guarded sources (allowed sources,
   * SSRF guard, size limit).
   */
  private static byte @Nullable [] image(
      Settings settings,
      Sources sources,
      Setting<Optional<byte[]>> data,
      Setting<Optional<byte[]>> path,
      Setting<Optional<String>> url) {
    Optional<byte[]> given = settings.get(data).or(() -> settings.get(path));
    if (given.isPresent() || settings.get(url).isEmpty()) {
      return given.orElse(null);
    }
    String location = settings.get(url).get();
    try {
      return sources
          .fetch(
              URI.create(location),
              Instant.now().plus(settings.get(Settings.DOWNLOAD_TIMEOUT)),
              settings.get(Settings.MAX_SRC_FILE_SIZE))
          .bytes();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "bad setting %s=%s: cannot download it: %s"
              .formatted(url.name(), location, e.getMessage()));
    }
  }

  /**
   * The configured watermark image, checked now rather than by the first {@code wm:} request:
   * probed (an allowed format within the limits), then placed on a tiny image by the engine, so it
   * is decoded where requests decode it.
   */
  private static void checkWatermark(Settings settings, byte[] mark, Imgd engine) {
    try {
      Probe.check(mark, limits(settings));
      engine.process(
          Health.TINY_PNG,
          engine.parse("wm:1/f:png"),
          Instant.now().plus(settings.get(Settings.TIMEOUT)));
    } catch (ImgdException e) {
      String setting =
          Stream.of(Settings.WATERMARK_DATA, Settings.WATERMARK_PATH, Settings.WATERMARK_URL)
              .filter(w -> settings.get(w).isPresent())
              .findFirst()
              .orElseThrow()
              .name();
      throw new IllegalArgumentException(
          "bad setting %s: the watermark image cannot be used: %s"
              .formatted(setting, e.getMessage()),
          e);
    }
  }

  /** The fallback image, if set, checked now: an image within the source limits. */
  private static byte @Nullable [] fallbackImage(Settings settings, Sources sources) {
    byte[] image =
        image(
            settings,
            sources,
            Settings.FALLBACK_IMAGE_DATA,
            Settings.FALLBACK_IMAGE_PATH,
            Settings.FALLBACK_IMAGE_URL);
    if (image != null) {
      try {
        Probe.check(image, limits(settings));
      } catch (ImgdException e) {
        throw new IllegalArgumentException(
            "bad setting IMGD_FALLBACK_IMAGE_*: not an image imgd can use: " + e.getMessage());
      }
    }
    return image;
  }

  /**
   * The server JVM's heap and GC options for these settings, which the launcher passes to the
   * server's JVM (see {@link ServerHeap}).
   */
  public static List<String> jvmOptions(Settings settings) {
    return ServerHeap.jvmOptions(settings);
  }

  /**
   * {@code path} (the options and the source, from its leading '/') signed as this server verifies
   * it, with the settings' first key/salt pair: what {@code imgd sign} prints.
   *
   * @throws IllegalArgumentException when the settings have no key (signing is off)
   */
  public static String signedPath(Settings settings, String path) {
    Signatures signatures = Signatures.of(settings);
    if (!signatures.enabled()) {
      throw new IllegalArgumentException(
          "signing is off: set IMGD_KEY and IMGD_SALT (or IMGPROXY_KEY and IMGPROXY_SALT), hex");
    }
    return "/" + signatures.sign(path) + path;
  }

  /**
   * The libvips builds of the worker pools, preferred first: the bundled libvips, plus the system's
   * (HEIC, JPEG XL, PDF) unless turned off. {@code imgd doctor} lists the same.
   */
  public static List<Path> workerLibraries(Settings settings) {
    List<Path> libraries = new ArrayList<>(List.of(VipsSettings.libraryFromEnvironment()));
    VipsSettings.systemLibrary(settings.get(Settings.LIBVIPS_SYSTEM))
        .filter(p -> !p.equals(libraries.getFirst()))
        .ifPresent(libraries::add);
    return List.copyOf(libraries);
  }

  private static IsolatedEngine startWorkers(Settings settings) throws Exception {
    return IsolatedEngine.start(
        IsolatedEngine.Settings.defaults(workerLibraries(settings), settings.get(Settings.WORKERS))
            .withMemoryCap(settings.get(Settings.WORKER_MEMORY))
            .withClassDataArchive(classDataArchive())
            .withCanary(canary(settings)));
  }

  /** The canary pool's settings (docs/releases.md), or null when IMGD_CANARY_LIBVIPS is empty. */
  private static Canary.@Nullable Settings canary(Settings settings) {
    return settings
        .get(Settings.CANARY_LIBVIPS)
        .map(library ->
            new Canary.Settings(
                library,
                settings.get(Settings.CANARY_PERCENT),
                settings.get(Settings.CANARY_WINDOW),
                settings.get(Settings.CANARY_MIN_JOBS),
                settings.get(Settings.CANARY_ERROR_MARGIN),
                settings.get(Settings.CANARY_LATENCY_MARGIN),
                settings.get(Settings.CANARY_MEMORY_MARGIN)))
        .orElse(null);
  }

  /** The shared tier in Redis, or null when IMGD_REDIS_URL is empty. */
  private static @Nullable SharedCache sharedCache(Settings settings, Metrics metrics) {
    return settings
        .get(Settings.REDIS_URL)
        .map(url ->
            new SharedCache(
                url,
                Duration.ofSeconds(settings.get(Settings.REDIS_TTL)),
                settings.get(Settings.REDIS_MAX_VALUE_BYTES),
                settings.get(Settings.REDIS_TIMEOUT),
                settings.get(Settings.REDIS_LOCK_WAIT),
                metrics))
        .orElse(null);
  }

  private static SourceSettings sourceSettings(Settings settings) {
    SourceSettings.Builder b =
        SourceSettings.builder()
            .downloadTimeout(settings.get(Settings.DOWNLOAD_TIMEOUT))
            .allowedSources(settings.get(Settings.ALLOWED_SOURCES))
            .allowedNetworks(allowedNetworks(settings))
            .s3Enabled(settings.get(Settings.USE_S3))
            .s3Region(settings.get(Settings.S3_REGION))
            .localRoot(settings.get(Settings.LOCAL_ROOT).orElse(null));
    settings.get(Settings.S3_ENDPOINT).ifPresent(e -> b.s3Endpoint(e).s3PathStyle(true));
    return b.build();
  }

  private static @Nullable Path classDataArchive() {
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

  private ServerConnector connector(HostPort hp, String name) {
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
    // On every answer, Jetty's own included: a browser must not guess a type (problem+json as
    // HTML, an image as script).
    http.addCustomizer((request, responseHeaders) -> {
      responseHeaders.put("X-Content-Type-Options", "nosniff");
      return request;
    });
    ServerConnector c = new ServerConnector(server, new HttpConnectionFactory(http));
    // A short stall must not overflow the listen queue: dropped SYNs are retried after 1, 3, 7 s.
    c.setAcceptQueueSize(1024);
    c.setHost(hp.host());
    c.setPort(hp.port());
    c.setName(name);
    server.addConnector(c);
    return c;
  }

  /**
   * Jetty's threads as its guide prefers them: selectors, acceptors and Jetty's own non-blocking
   * work on a few platform threads, handlers (which wait for downloads and workers) on virtual
   * threads. With everything virtual, the selectors queued behind hundreds of request threads under
   * overload, and a new connection waited 1-3 s before its head was read: /health and the admin
   * listener too (bench/server.sh's OV).
   *
   * <p>The handlers' virtual threads are not counted: Jetty's default bound of 200 sat below the
   * connection cap, so at 256 connections requests parked in their pause before a 503 held all 200
   * and a /health head waited for one of them to end (OV: p99 0.35 s, FM-24). Each HTTP/1.1
   * connection runs one handler at a time, so the connection cap bounds them already, and admission
   * bounds the work.
   */
  private static QueuedThreadPool threads() {
    QueuedThreadPool pool = new QueuedThreadPool();
    pool.setName("imgd-jetty");
    VirtualThreadPool handlers = new VirtualThreadPool();
    handlers.setMaxConcurrentTasks(0);
    pool.setVirtualThreadsExecutor(handlers);
    return pool;
  }

  /**
   * The public listener's bounds (issue 15): open connections capped (beyond the cap new ones wait
   * in the accept queue), and a request head due whole within the header timeout.
   */
  private void bound(ServerConnector c, Settings settings, Metrics metrics) {
    server.addBean(new NetworkConnectionLimit(settings.get(Settings.MAX_CONNECTIONS), c));
    c.addBean(
        new HeadDeadline(
            settings.get(Settings.HEADER_TIMEOUT),
            c.getScheduler(),
            () -> metrics.rejected("header_timeout")));
  }

  /**
   * Starts the engine, the sources and the listeners; ready once the first health check passed.
   * Traced when the {@code OTEL_*} variables ask ({@link Traces#fromEnvironment()}).
   */
  public static ImgdServer start(Settings settings) throws Exception {
    return start(settings, Faults.NONE);
  }

  /** As {@link #start(Settings)}, with faults injected by a test. */
  static ImgdServer start(Settings settings, Faults faults) throws Exception {
    return start(settings, faults, Traces.fromEnvironment());
  }

  /**
   * As {@link #start(Settings, Faults)}, traced through {@code traces} (a test's in-memory
   * exporter); the server closes them.
   */
  static ImgdServer start(Settings settings, Faults faults, Traces traces) throws Exception {
    settings.warnings().forEach(LOG::warn);
    ImgdServer s;
    try {
      s = new ImgdServer(settings, faults, traces);
    } catch (Exception | Error e) {
      traces.close();
      throw e;
    }
    s.server.start();
    s.health.check();
    s.ready = true;
    s.prober.start();
    LOG.info(
        "imgd listening on http://{}:{}{}{}",
        settings.get(Settings.BIND).host(),
        s.port(),
        s.admin == null ? "" : " (admin on port " + s.admin.getLocalPort() + ")",
        traces.on() ? "; traces on (OTEL_*)" : "");
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
    } catch (TimeoutException drainRanOut) {
      // Jetty has stopped all the same, cutting the requests that outlived the drain.
      LOG.warn(
          "shutdown: requests still in flight after IMGD_DRAIN_TIMEOUT ({} ms) were cut",
          server.getStopTimeout());
    } finally {
      isolated.close();
      if (trusted != null) {
        trusted.close();
      }
      sources.close();
      if (shared != null) {
        shared.close();
      }
      traces.close();
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
        health.check();
      }
    }
  }

  /** Test access: measures memory now and moves the tier. */
  Pressure.Tier updatePressure() {
    return pressure.update();
  }
}
