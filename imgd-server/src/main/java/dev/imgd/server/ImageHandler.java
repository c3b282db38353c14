package dev.imgd.server;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImageFormat;
import dev.imgd.core.Imgd;
import dev.imgd.core.ImgdException;
import dev.imgd.core.SvgSanitizer;
import dev.imgd.core.options.Options;
import dev.imgd.core.options.OptionsParser;
import dev.imgd.core.options.ParsedPath;
import dev.imgd.core.plan.Plan;
import dev.imgd.server.settings.Settings;
import dev.imgd.server.source.Conditions;
import dev.imgd.server.source.Fetched;
import dev.imgd.server.source.Sources;
import dev.imgd.server.source.TrustedSources;
import dev.imgd.worker.IsolatedEngine;
import io.opentelemetry.api.trace.Span;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpDateTime;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;

/**
 * The request walk, one step per method, in the order they run:
 *
 * <pre>
 * parse the URL, check its signature        cheap rejections: no slot needed
 * look the result up in the cache tiers     hit: answer now (304 on If-None-Match); the
 *                                           memory tier, then (one request per key) the shared
 *                                           tier, or another instance's render of it
 * shedding, or the queue already full       503 + Retry-After (after a short pause when the
 *                                           queue is full), nothing fetched
 * the watermark_url image, if any            cached by URL, else fetched and probed like a source
 * room for the body or download             buffer budget: waits like a slot, then 503
 * read the body or fetch the source         capped, by deadline; a body at a minimum rate (408);
 *                                           the origin's 304 to a conditional fetch: 304
 * raw, skp of the source's format, SVG      the probed source as it is (SVG sanitized), no slot
 * admission: a slot, bounded wait           full: 503 + Retry-After
 * probe, limits, plan; its lane, its memory  a large job waits for a place in the large lane
 * run the plan (isolated worker or in-process), verified output
 * cache and answer
 * </pre>
 *
 * One deadline, set on arrival, covers the queue, the download and the processing (FM-15).
 *
 * <p>The download comes before the slot on purpose: a slot taken first would be held for the whole
 * download, so one slow origin could take every slot and stall requests for every other origin
 * (FM-18); ResilienceTest.slowOriginFillsOnlyItsOwnBulkhead fails with the slot taken first. The
 * bytes are bounded before the first is read instead: the body's declared length (or the body cap)
 * or the source cap is held from the buffer budget ({@link Admission#hold}), and trimmed to the
 * real size once known.
 */
final class ImageHandler {
  private final Signatures signatures;
  private final OptionsParser parser;
  private final SourceGuard guard;
  private final Sources sources;
  private final CacheTiers cache;
  private final Flights flights = new Flights();
  private final Admission admission;
  private final Imgd isolated;
  private final @Nullable Imgd trusted;
  private final TrustedSources trustedSources;
  private final Metrics metrics;
  private final Pressure pressure;
  private final Faults faults;
  private final Traces traces;
  private final Duration timeout;
  private final long maxSourceBytes;
  private final long maxBodyBytes;
  private final long minBodyRate;
  private final Duration rateWindow;
  private final long ttl;
  private final boolean cacheControlPassthrough;
  private final boolean alwaysRasterizeSvg;
  private final Revalidation revalidation;
  private final UrlImages urlImages;
  private final byte @Nullable [] fallbackImage;
  private final int fallbackStatus;
  private final long fallbackTtl;

  /**
   * The formats Accept negotiation offers, best first (imgproxy's order: JPEG XL, AVIF, then WebP).
   */
  private final List<ImageFormat> autoFormats;

  /** Those of them offered even over a format the URL names (IMGD_ENFORCE_*). */
  private final List<ImageFormat> enforcedFormats;

  /** imgproxy's rewrites of a source URL: the replacements in order, then the base URL. */
  private final List<Map.Entry<Pattern, String>> urlReplacements;

  private final String baseUrl;

  /** Whether the client hints set the default dpr and width (IMGD_ENABLE_CLIENT_HINTS). */
  private final boolean clientHints;

  private volatile Instant lastSuccess = Instant.EPOCH;

  ImageHandler(
      Settings settings,
      Signatures signatures,
      OptionsParser parser,
      SourceGuard guard,
      Sources sources,
      CacheTiers cache,
      Admission admission,
      Imgd isolated,
      @Nullable Imgd trusted,
      Metrics metrics,
      Pressure pressure,
      Faults faults,
      Traces traces,
      byte @Nullable [] fallbackImage) {
    this.signatures = signatures;
    this.parser = parser;
    this.guard = guard;
    this.sources = sources;
    this.cache = cache;
    this.admission = admission;
    this.isolated = isolated;
    this.trusted = trusted;
    this.trustedSources = TrustedSources.parse(settings.get(Settings.TRUSTED_SOURCES));
    this.metrics = metrics;
    this.pressure = pressure;
    this.faults = faults;
    this.traces = traces;
    this.timeout = settings.get(Settings.TIMEOUT);
    this.maxSourceBytes = settings.get(Settings.MAX_SRC_FILE_SIZE);
    this.maxBodyBytes = settings.get(Settings.MAX_BODY_SIZE);
    this.minBodyRate = settings.get(Settings.MIN_BODY_RATE);
    this.rateWindow = settings.get(Settings.BODY_RATE_WINDOW);
    this.ttl = settings.get(Settings.TTL);
    this.cacheControlPassthrough = settings.get(Settings.CACHE_CONTROL_PASSTHROUGH);
    this.alwaysRasterizeSvg = settings.get(Settings.ALWAYS_RASTERIZE_SVG);
    this.fallbackImage = fallbackImage;
    this.fallbackStatus = settings.get(Settings.FALLBACK_IMAGE_HTTP_CODE);
    long fallbackTtl = settings.get(Settings.FALLBACK_IMAGE_TTL);
    this.fallbackTtl = fallbackTtl > 0 ? fallbackTtl : ttl;
    this.revalidation =
        new Revalidation(
            settings.get(Settings.USE_ETAG),
            settings.get(Settings.USE_LAST_MODIFIED),
            settings.get(Settings.ETAG_BUSTER),
            settings.get(Settings.LAST_MODIFIED_BUSTER).orElse(null));
    this.urlImages =
        new UrlImages(
            this::downloadUrlImage,
            ImgdServer.limits(settings),
            settings.get(Settings.WATERMARKS_CACHE_SIZE));
    List<ImageFormat> auto = new java.util.ArrayList<>();
    List<ImageFormat> enforced = new java.util.ArrayList<>();
    // Enforcing a format offers it where none is named too, as imgproxy's detector does.
    if (settings.get(Settings.AUTO_JXL) || settings.get(Settings.ENFORCE_JXL)) {
      auto.add(ImageFormat.JXL);
    }
    if (settings.get(Settings.ENFORCE_JXL)) {
      enforced.add(ImageFormat.JXL);
    }
    if (settings.get(Settings.AUTO_AVIF) || settings.get(Settings.ENFORCE_AVIF)) {
      auto.add(ImageFormat.AVIF);
    }
    if (settings.get(Settings.ENFORCE_AVIF)) {
      enforced.add(ImageFormat.AVIF);
    }
    if (settings.get(Settings.AUTO_WEBP) || settings.get(Settings.ENFORCE_WEBP)) {
      auto.add(ImageFormat.WEBP);
    }
    if (settings.get(Settings.ENFORCE_WEBP)) {
      enforced.add(ImageFormat.WEBP);
    }
    this.autoFormats = List.copyOf(auto);
    this.enforcedFormats = List.copyOf(enforced);
    this.urlReplacements = settings.get(Settings.URL_REPLACEMENTS);
    this.baseUrl = settings.get(Settings.BASE_URL);
    this.clientHints = settings.get(Settings.ENABLE_CLIENT_HINTS);
  }

  /**
   * What a request asks for, once parsed and authenticated.
   *
   * @param source the source URL; null for a POST, whose body is the source
   * @param fallbacks formats to try, in order, if the chosen one cannot be encoded: only when the
   *     format was chosen from Accept (never a silent change of an explicit format, FM-19); an
   *     empty Optional stands for the planner's own default
   */
  private record Ask(
      Options options,
      @Nullable URI source,
      boolean varyAccept,
      List<Optional<ImageFormat>> fallbacks) {
    /** The source a request without a body names. */
    URI requiredSource() {
      return Objects.requireNonNull(source, "a request without a body names its source");
    }
  }

  /** Serves one image request; every failure becomes a problem+json answer. */
  void handle(Request request, Response response, Callback callback) {
    Instant deadline = Instant.now().plus(timeout);
    boolean post = HttpMethod.POST.is(request.getMethod());
    Ask ask = post ? parsePost(request) : parseUrl(request);
    try {
      serve(request, response, callback, ask, post, deadline);
    } catch (ImgdException e) {
      boolean hasFallback =
          fallbackImage != null || !ask.options().response().fallbackImageUrl().isEmpty();
      if (!hasFallback || !FALLBACK_FOR.contains(e.code())) {
        throw e;
      }
      answerFallback(request, response, callback, ask, e, deadline);
    }
  }

  /**
   * The failures the fallback image stands in for, as imgproxy's: the source could not be fetched
   * or processed. Not the request's own faults (bad options, signature) nor imgd's (overload,
   * deadline), which a picture would hide.
   */
  private static final java.util.Set<ErrorCode> FALLBACK_FOR =
      java.util.EnumSet.of(
          ErrorCode.SOURCE_FORBIDDEN,
          ErrorCode.SOURCE_NOT_FOUND,
          ErrorCode.SOURCE_FAILED,
          ErrorCode.TOO_LARGE,
          ErrorCode.UNSUPPORTED_FORMAT,
          ErrorCode.LIMIT_EXCEEDED,
          ErrorCode.CORRUPT_IMAGE,
          ErrorCode.MEMORY_EXCEEDED,
          ErrorCode.WORKER_CRASHED,
          ErrorCode.QUARANTINED);

  /**
   * The fallback image made with the request's options, in the isolated engine, with the fallback
   * status ({@code 0}: the failure's own) and TTL; never cached, never with the origin's
   * validators.
   */
  private void answerFallback(
      Request request,
      Response response,
      Callback callback,
      Ask ask,
      ImgdException failure,
      Instant deadline) {
    String url = ask.options().response().fallbackImageUrl();
    byte[] image;
    if (url.isEmpty()) {
      image = Objects.requireNonNull(fallbackImage);
    } else {
      try {
        image = urlImages.forOption("fallback_image_url", url, deadline);
      } catch (ImgdException unusable) {
        failure.addSuppressed(unusable); // as imgproxy: the source's failure is the answer
        throw failure;
      }
    }
    try (Admission.Permit permit = admission.admit(deadline)) {
      byte @Nullable [] mark = urlImages.forRequest(ask.options().watermark(), deadline);
      Imgd.Result r = render(isolated, image, mark, ask, permit, deadline).result();
      ResultCache.Entry entry = entry(null, r.bytes(), r.format(), null, ask.varyAccept());
      response.getHeaders().put("X-Imgd-Fallback-Image", failure.code().code());
      answer(
          request,
          response,
          callback,
          ask,
          entry,
          fallbackStatus == 0 ? failure.code().httpStatus() : fallbackStatus,
          fallbackTtl);
    }
  }

  /** The walk once the request is parsed: the cache, the room, the source, the answer. */
  private void serve(
      Request request,
      Response response,
      Callback callback,
      Ask ask,
      boolean post,
      Instant deadline) {
    String key = post ? null : cacheKey(ask);
    if (key != null) {
      Optional<ResultCache.Entry> hit = traces.span("cache lookup", () -> lookup(key));
      if (hit.isPresent()) {
        answerFrom("memory", request, response, callback, ask, hit.get());
        return;
      }
      response.getHeaders().put(CacheTiers.HEADER, "miss");
    }
    Flights.Lead lead = key != null && cache.enabled() ? flights.lead(key) : null;
    if (key != null && cache.enabled() && lead == null) {
      // The same variant is being rendered: wait for it, then read the cache.
      flights.await(key, deadline);
      Optional<ResultCache.Entry> landed = cache.landed(key);
      if (landed.isPresent()) {
        metrics.coalesced();
        answerFrom("memory", request, response, callback, ask, landed.get());
        return;
      }
    }
    try (lead;
        SharedCache.Lookup shared =
            lead != null ? cache.shared(Objects.requireNonNull(key), deadline) : null) {
      ResultCache.Entry fromShared = shared == null ? null : shared.entry();
      if (fromShared != null) {
        answerFrom("shared", request, response, callback, ask, fromShared);
        return;
      }
      // Inside the resources: the flight must know its failure before closing lands it.
      try {
        serveMiss(request, response, callback, ask, key, post, deadline);
      } catch (ImgdException e) {
        if (lead != null) {
          lead.failed(e);
        }
        throw e;
      }
    }
  }

  /** The cache's entry for {@code key}, counted as a hit or a miss. */
  private Optional<ResultCache.Entry> lookup(String key) {
    Optional<ResultCache.Entry> hit = cache.memory(key);
    Span.current().setAttribute(Traces.CACHE_HIT, hit.isPresent());
    return hit;
  }

  /** Keeps {@code entry} under {@code key}. */
  private void fill(String key, ResultCache.Entry entry) {
    traces.span("cache fill", () -> cache.fill(key, entry));
  }

  /** A miss: the room, the source, the render and the answer. */
  private void serveMiss(
      Request request,
      Response response,
      Callback callback,
      Ask ask,
      @Nullable String key,
      boolean post,
      Instant deadline) {
    if (pressure.tier() == Pressure.Tier.SHEDDING) {
      metrics.rejected("memory_pressure");
      throw new ImgdException(
          ErrorCode.OVERLOADED, "imgd is shedding load under memory pressure; retry later");
    }
    // Room for the bytes before the first is read, at the door that refuses when the queue is
    // full; then the download or the body, outside the slots: a slow source holds only its own
    // bulkhead, a slow body only its room.
    // A watermark_url image first (cached by URL), in its own room: never two rooms held at once.
    byte @Nullable [] mark = urlImages.forRequest(ask.options().watermark(), deadline);
    long maxSource = ask.options().security().sourceBytes(maxSourceBytes);
    long room = post ? bodyRoom(request) : maxSource;
    try (Admission.Held held = admission.enter(room, deadline)) {
      Conditions asked =
          revalidation.conditions(request.getHeaders(), key, varies(ask.varyAccept()));
      Fetched fetched = post ? null : fetch(ask.requiredSource(), asked, maxSource, deadline);
      if (fetched != null && fetched.notModified()) {
        answerNotModified(response, callback, ask, Objects.requireNonNull(key), fetched, asked);
        return;
      }
      byte[] source = fetched != null ? fetched.bytes() : readBody(request, deadline);
      held.trim(source.length);
      process(request, response, callback, ask, key, source, mark, fetched, deadline);
    }
  }

  /** Admission, render, cache and answer: the walk once the source bytes are in hand. */
  private void process(
      Request request,
      Response response,
      Callback callback,
      Ask ask,
      @Nullable String key,
      byte[] source,
      byte @Nullable [] mark,
      @Nullable Fetched fetched,
      Instant deadline) {
    Passed passed = passThrough(ask, source);
    if (passed != null) {
      ResultCache.Entry entry =
          entry(key, passed.bytes(), passed.format(), fetched, ask.varyAccept());
      if (key != null) {
        fill(key, entry);
      }
      answer(request, response, callback, ask, entry);
      return;
    }
    long queued = System.nanoTime();
    try (Admission.Permit permit = traces.span("admission", () -> admission.admit(deadline))) {
      metrics.stage("queue", System.nanoTime() - queued);
      Rendered r = render(engineFor(fetched), source, mark, ask, permit, deadline);
      lastSuccess = Instant.now();
      // A fallback's bytes are not the variant's: its ETag is their hash, never the origin's.
      ResultCache.Entry entry =
          entry(
              r.fallback() == null ? key : null,
              r.result().bytes(),
              r.result().format(),
              fetched,
              ask.varyAccept());
      if (r.fallback() != null) {
        response.getHeaders().put("X-Imgd-Fallback", r.fallback());
      } else if (key != null) {
        fill(key, entry); // a fallback is not cached: the next request may get the first
      }
      answer(request, response, callback, ask, entry);
    }
  }

  /** A result, and the fallback taken to get it ("avif->webp (memory)"), if any. */
  private record Rendered(Imgd.Result result, @Nullable String fallback) {}

  /**
   * Plans, reserves the plan's memory, runs. Under memory pressure a heavy encoder (AVIF's) is
   * skipped; an encoder that fails moves on to the next format the client accepts.
   */
  private Rendered render(
      Imgd engine,
      byte[] source,
      byte @Nullable [] mark,
      Ask ask,
      Admission.Permit permit,
      Instant deadline) {
    Options options = ask.options();
    String fallback = null;
    if (options.format().filter(f -> f.has(ImageFormat.Trait.HEAVY_ENCODER)).isPresent()
        && pressure.tier() != Pressure.Tier.NORMAL
        && !ask.fallbacks().isEmpty()) {
      fallback = name(options.format()) + "->" + name(ask.fallbacks().getFirst()) + " (memory)";
      options = withFormat(options, ask.fallbacks().getFirst());
      metrics.fallback("memory");
    }
    List<Optional<ImageFormat>> next = new java.util.ArrayList<>(ask.fallbacks());
    next.removeIf(f -> f.equals(ask.options().format()));
    String job = engine.engine() instanceof IsolatedEngine ? "worker job" : "in-process job";
    while (true) {
      Options asked = options;
      Plan plan = traces.span("probe", () -> probe(engine, source, asked, deadline));
      traces.span("reserve memory", () -> permit.reserve(plan, deadline));
      long started = System.nanoTime();
      try {
        faults.beforeRun(plan);
        Imgd.Result result = traces.span(job, () -> run(engine, source, plan, mark, deadline));
        metrics.stage("processing", System.nanoTime() - started);
        return new Rendered(result, fallback);
      } catch (ImgdException e) {
        boolean encoderFailed =
            e.code() == ErrorCode.ENGINE_FAILED || e.code() == ErrorCode.OUTPUT_INVALID;
        if (!encoderFailed || next.isEmpty()) {
          throw e;
        }
        Optional<ImageFormat> to = next.removeFirst();
        if (to.equals(options.format())) {
          throw e;
        }
        fallback = name(options.format()) + "->" + name(to) + " (encoder failed)";
        metrics.fallback("encoder");
        options = withFormat(options, to);
      }
    }
  }

  /** Probe, limits and plan; what the probe found on the span, if traced. */
  private static Plan probe(Imgd engine, byte[] source, Options options, Instant deadline) {
    Plan plan = engine.plan(source, options, deadline);
    Traces.probed(Span.current(), plan);
    return plan;
  }

  /** One job: the plan's steps as the span's events, its output as attributes, if traced. */
  private static Imgd.Result run(
      Imgd engine, byte[] source, Plan plan, byte @Nullable [] mark, Instant deadline) {
    Span span = Span.current();
    Traces.planned(span, plan);
    Imgd.Result result =
        mark != null
            ? engine.run(source, plan, mark, deadline)
            : engine.run(source, plan, deadline);
    Traces.made(span, result);
    return result;
  }

  private static Options withFormat(Options options, Optional<ImageFormat> format) {
    Options.Builder b = options.toBuilder();
    b.format(format.orElse(null));
    return b.build();
  }

  private static String name(Optional<ImageFormat> f) {
    return f.map(ImageFormat::extension).orElse("default");
  }

  /** When the engine last made an image for a request: /health counts it as proof of life. */
  Instant lastSuccess() {
    return lastSuccess;
  }

  /** {@code /{signature}/{options}/plain/{url}[@ext]} or the base64url source form. */
  private Ask parseUrl(Request request) {
    String path = request.getHttpURI().getPath();
    int slash = path.indexOf('/', 1);
    // An empty signature segment is a URL without one, as imgproxy's SplitPathSignature has it.
    if (path.length() < 2 || slash <= 1) {
      throw new ImgdException(
          ErrorCode.BAD_OPTIONS, "expected /{signature}/{options}/{source}, got '" + path + "'");
    }
    // Signed and parsed as imgproxy does: after undoing what proxies do to paths.
    String rest = OptionsParser.normalizePath(path.substring(slash));
    signatures.verify(path.substring(1, slash), rest);
    ParsedPath parsed = parser.parsePath(rest, hints(request));
    Options options = parsed.options();
    URI source = sourceUri(rewrite(parsed.source()));
    // Without a format in the URL the auto formats are offered; with one, the enforced formats,
    // the URL's format last: either way the answer varies with Accept.
    List<ImageFormat> offered = options.format().isEmpty() ? autoFormats : enforcedFormats;
    if (!offered.isEmpty()) {
      List<Optional<ImageFormat>> accepted = negotiate(request, offered, options.format());
      return new Ask(
          withFormat(options, accepted.getFirst()),
          source,
          true,
          accepted.subList(1, accepted.size()));
    }
    return new Ask(options, source, false, List.of());
  }

  /**
   * The request's client hints, when they are read. Their effect is in the options, so in the cache
   * key: a hinted answer is never served to a request without the same effective dpr and width.
   */
  private OptionsParser.Hints hints(Request request) {
    return clientHints ? ClientHints.read(request.getHeaders()) : OptionsParser.Hints.NONE;
  }

  /**
   * Whether an answer varies with request headers: Accept, or the client hints. A date-only 304
   * could then refresh another variant in a shared cache.
   */
  private boolean varies(boolean varyAccept) {
    return varyAccept || clientHints;
  }

  /** imgproxy's preprocessURL: the URL replacements in order, then the base URL where missing. */
  private String rewrite(String source) {
    String url = source;
    for (Map.Entry<Pattern, String> r : urlReplacements) {
      url = r.getKey().matcher(url).replaceFirst(r.getValue());
    }
    return baseUrl.isEmpty() || url.startsWith(baseUrl) ? url : baseUrl + url;
  }

  /**
   * {@code POST /process?{options}} with the image as the body: options, signature and declared
   * length checked before any of the body is read.
   */
  private Ask parsePost(Request request) {
    String query = Optional.ofNullable(request.getHttpURI().getQuery()).orElse("");
    String options = java.net.URLDecoder.decode(query, java.nio.charset.StandardCharsets.UTF_8);
    if (signatures.enabled()) {
      String signature = request.getHeaders().get("X-Imgd-Signature");
      if (signature == null) {
        throw new ImgdException(ErrorCode.BAD_SIGNATURE, "POST /process needs X-Imgd-Signature");
      }
      signatures.verify(signature, "/process?" + query);
    }
    long declared = request.getLength();
    if (declared > maxBodyBytes) {
      throw tooLarge(declared);
    }
    return new Ask(parser.parse(options, hints(request)), null, false, List.of());
  }

  /** The bytes a body may take: its declared length, else the body cap. */
  private long bodyRoom(Request request) {
    long declared = request.getLength();
    return declared >= 0 ? declared : maxBodyBytes;
  }

  /**
   * The body as it arrives, capped: into one array of the declared length, whose room is held
   * already (growing it by copies left as much garbage again: a -Xmx768m server's heap peaked at
   * twice the bytes held), or one that grows when the body is chunked. Cut with 408 when fewer than
   * the minimum rate's bytes came in a window (FM-10) or the deadline passed; a client that goes
   * away mid-body is a client outcome (400), not a failure.
   */
  private byte[] readBody(Request request, Instant deadline) {
    long declared = request.getLength();
    long limit = declared >= 0 ? declared : maxBodyBytes;
    byte[] buf = new byte[(int) (declared >= 0 ? declared : Math.min(maxBodyBytes, 64 << 10))];
    int n = 0;
    long window = rateWindow.toNanos();
    long perWindow = (long) (minBodyRate * (window / 1e9));
    long checkAt = System.nanoTime() + window;
    int mark = 0;
    CompletableFuture<@Nullable Void> more = null; // demand pending, not yet met
    while (true) {
      long now = System.nanoTime();
      if (minBodyRate > 0 && now - checkAt >= 0) {
        if (n - mark < perWindow) {
          throw bodyTimeout(
              "the body came at under %d bytes/s over %d ms"
                  .formatted(minBodyRate, rateWindow.toMillis()));
        }
        mark = n;
        checkAt = now + window;
      }
      long untilDeadline = Duration.between(Instant.now(), deadline).toNanos();
      if (untilDeadline <= 0) {
        throw bodyTimeout("the body did not arrive by the deadline");
      }
      Content.Chunk chunk = request.read();
      if (chunk == null) {
        if (more == null) {
          CompletableFuture<@Nullable Void> f = new CompletableFuture<>();
          request.demand(() -> f.complete(null));
          more = f;
        }
        long wait = minBodyRate > 0 ? Math.min(untilDeadline, checkAt - now) : untilDeadline;
        if (awaitContent(more, wait)) {
          more = null;
        }
        continue;
      }
      try {
        if (Content.Chunk.isFailure(chunk)) {
          throw chunk.getFailure() instanceof TimeoutException
              ? bodyTimeout("the body stopped arriving")
              : new ImgdException(
                  ErrorCode.BODY_INCOMPLETE, "the client went away before the body was complete");
        }
        int r = chunk.remaining();
        if (n + (long) r > maxBodyBytes) {
          throw tooLarge(n + (long) r);
        }
        if (n + r > buf.length) {
          buf = Arrays.copyOf(buf, (int) Math.max(n + r, Math.min(limit, 2L * buf.length)));
        }
        chunk.getByteBuffer().get(buf, n, r);
        n += r;
        if (chunk.isLast()) {
          break;
        }
      } finally {
        chunk.release();
      }
    }
    if (n == 0) {
      throw new ImgdException(ErrorCode.BAD_OPTIONS, "POST /process needs the image as its body");
    }
    return n == buf.length ? buf : Arrays.copyOf(buf, n);
  }

  /** Waits up to {@code nanos} for the demanded content; false when the time ran out first. */
  private static boolean awaitContent(CompletableFuture<@Nullable Void> more, long nanos) {
    try {
      more.get(Math.max(1, nanos), TimeUnit.NANOSECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw bodyTimeout("interrupted while the body was arriving");
    } catch (ExecutionException e) {
      throw new IllegalStateException(e); // never completed exceptionally
    }
  }

  private static ImgdException bodyTimeout(String why) {
    return new ImgdException(ErrorCode.BODY_TIMEOUT, why + "; the request was cut");
  }

  private ImgdException tooLarge(long size) {
    return new ImgdException(
        ErrorCode.TOO_LARGE,
        "the body has " + size + "+ bytes, over the " + maxBodyBytes + " limit");
  }

  /**
   * The formats the client accepts, best first: those {@code offered} (each when writable) that
   * Accept names with q &gt; 0, by the client's q, ties in imgproxy's order (AVIF first); then
   * {@code last}, which every client takes: the URL's format, else the planner's default.
   */
  private List<Optional<ImageFormat>> negotiate(
      Request request, List<ImageFormat> offered, Optional<ImageFormat> last) {
    String accept = request.getHeaders().get(HttpHeader.ACCEPT);
    List<Optional<ImageFormat>> formats = new java.util.ArrayList<>();
    offered.stream()
        .filter(f -> Accept.quality(accept, f.mimeType()) > 0 && writes(f))
        .sorted(Comparator.comparingDouble(f -> -Accept.quality(accept, f.mimeType())))
        .forEach(f -> formats.add(Optional.of(f)));
    if (!formats.contains(last)) {
      formats.add(last);
    }
    return formats;
  }

  private boolean writes(ImageFormat f) {
    return isolated.engine().mainWrites().contains(f);
  }

  static URI sourceUri(String source) {
    try {
      return new URI(source);
    } catch (URISyntaxException e) {
      try {
        return URI.create(source.replace(" ", "%20"));
      } catch (IllegalArgumentException e2) {
        throw new ImgdException(ErrorCode.BAD_OPTIONS, "the source URL does not parse", e2);
      }
    }
  }

  /**
   * Canonical options and the source's identity: equal keys mean equal results. A format chosen
   * from Accept keys apart from the same format named in the URL: the answers differ in Vary, and
   * one served for the other would lose it (or gain it) behind a CDN.
   */
  private String cacheKey(Ask ask) {
    String negotiated = ask.varyAccept() ? "accept\n" : "";
    return negotiated + ask.options().canonical() + "\n" + sources.identity(ask.requiredSource());
  }

  /**
   * A {@code watermark_url} or {@code fallback_image_url} image, downloaded in room of its own from
   * the buffer budget, held for the download (the cache that keeps it is bounded apart).
   */
  private byte[] downloadUrlImage(URI url, Instant deadline) {
    try (Admission.Held held = admission.hold(maxSourceBytes, deadline)) {
      byte[] bytes = fetch(url, Conditions.NONE, maxSourceBytes, deadline).bytes();
      held.trim(bytes.length);
      return bytes;
    }
  }

  private Fetched fetch(URI source, Conditions conditions, long maxBytes, Instant deadline) {
    long t0 = System.nanoTime();
    try {
      return traces.span(
          "download",
          () -> {
            Traces.downloading(Span.current(), source);
            Fetched fetched = guard.fetch(source, deadline, maxBytes, conditions);
            Traces.downloaded(Span.current(), fetched);
            return fetched;
          });
    } finally {
      metrics.stage("download", System.nanoTime() - t0);
    }
  }

  /** In-process for trusted sources (when configured), else the default engine. */
  private Imgd engineFor(@Nullable Fetched source) {
    return trusted != null && source != null && trustedSources.trusts(source) ? trusted : isolated;
  }

  /** A source answered without processing: its own bytes, or an SVG's sanitized. */
  // A payload for the answer, never compared or used as a key.
  @SuppressWarnings("ArrayRecordComponent")
  private record Passed(ImageFormat format, byte[] bytes) {}

  /**
   * The source answered as it is, or null to process it: {@code raw}; {@code skp} naming its format
   * with no other format asked for (imgproxy's skip_processing); an SVG asked for with no format,
   * one from Accept, or {@code svg} (imgproxy passes SVG through; with IMGD_ALWAYS_RASTERIZE_SVG
   * only when {@code svg} is asked for or skipped). The bytes are a source of unknown content all
   * the same: the probe must recognise them as an allowed image, the answer's Content-Type is what
   * they really are, and an SVG is sanitized (no script, event handler or outside reference).
   */
  private @Nullable Passed passThrough(Ask ask, byte[] source) {
    Options.Input input = ask.options().input();
    Optional<ImageFormat> asked = ask.varyAccept() ? Optional.empty() : ask.options().format();
    boolean maybeSvg = asked.isEmpty() || asked.get() == ImageFormat.SVG;
    if (!input.raw() && input.skipProcessing().isEmpty() && !maybeSvg) {
      return null;
    }
    ImageFormat format = isolated.probe(source).format();
    boolean sameFormat = asked.map(format::equals).orElse(true);
    boolean pass =
        input.raw()
            || (sameFormat && input.skipProcessing().contains(format))
            || (sameFormat
                && format.has(ImageFormat.Trait.SANITIZED_OUTPUT)
                && (asked.isPresent() || !alwaysRasterizeSvg));
    if (!pass) {
      return null;
    }
    if (format.isVector() && !format.has(ImageFormat.Trait.SANITIZED_OUTPUT)) {
      // A PDF may carry scripts: imgd answers only what it rendered.
      if (input.raw()) {
        throw new ImgdException(
            ErrorCode.UNSUPPORTED_FORMAT,
            "raw does not pass " + format + " through; it is answered only rendered");
      }
      return null;
    }
    return new Passed(
        format,
        format.has(ImageFormat.Trait.SANITIZED_OUTPUT) ? SvgSanitizer.sanitize(source) : source);
  }

  /** The cacheable answer for {@code bytes}; {@code key} null: no origin ETag may be used. */
  private ResultCache.Entry entry(
      @Nullable String key,
      byte[] bytes,
      ImageFormat format,
      @Nullable Fetched fetched,
      boolean varyAccept) {
    String originEtag = fetched == null ? null : fetched.etag();
    return new ResultCache.Entry(
        bytes,
        format.mimeType(),
        revalidation.etag(key, bytes, originEtag),
        varyAccept,
        revalidation.lastModified(fetched),
        fetched == null ? null : fetched.cacheControl(),
        fetched == null ? null : fetched.expires());
  }

  /**
   * imgproxy's: no script, no style or image from elsewhere, sandboxed (an image is not a page).
   */
  private static final String CONTENT_SECURITY_POLICY =
      "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox";

  /** An answer from a cache tier, which the answer names. */
  private void answerFrom(
      String tier,
      Request request,
      Response response,
      Callback callback,
      Ask ask,
      ResultCache.Entry entry) {
    response.getHeaders().put(CacheTiers.HEADER, tier);
    answer(request, response, callback, ask, entry);
  }

  private void answer(
      Request request, Response response, Callback callback, Ask ask, ResultCache.Entry entry) {
    answer(request, response, callback, ask, entry, HttpStatus.OK_200, ttl);
  }

  private void answer(
      Request request,
      Response response,
      Callback callback,
      Ask ask,
      ResultCache.Entry entry,
      int status,
      long maxAge) {
    var headers = response.getHeaders();
    cacheHeaders(
        headers,
        ask,
        entry.etag(),
        entry.lastModified(),
        cacheControl(ask, maxAge, entry.originCacheControl(), entry.originExpires()));
    if (Revalidation.clientHolds(
        request.getHeaders(), entry.etag(), entry.lastModified(), varies(entry.varyAccept()))) {
      response.setStatus(HttpStatus.NOT_MODIFIED_304);
      callback.succeeded();
      return;
    }
    response.setStatus(status);
    headers.put(HttpHeader.CONTENT_TYPE, entry.contentType());
    headers.put(HttpHeader.CONTENT_LENGTH, entry.bytes().length);
    headers.put(
        HttpHeader.CONTENT_DISPOSITION,
        ContentDisposition.value(ask.source(), ask.options().response(), entry.contentType()));
    response.write(true, ByteBuffer.wrap(entry.bytes()), callback);
  }

  /** The origin answered the conditions with 304: so does imgd, for this very variant. */
  private void answerNotModified(
      Response response,
      Callback callback,
      Ask ask,
      String key,
      Fetched fetched,
      Conditions asked) {
    cacheHeaders(
        response.getHeaders(),
        ask,
        revalidation.etag(key, fetched, asked),
        revalidation.lastModified(fetched),
        cacheControl(ask, ttl, fetched.cacheControl(), fetched.expires()));
    response.setStatus(HttpStatus.NOT_MODIFIED_304);
    callback.succeeded();
  }

  /**
   * Cache-Control as imgproxy's response writer chooses it: the TTL capped by the time {@code
   * expires} leaves when the URL has one; else, with IMGD_CACHE_CONTROL_PASSTHROUGH, the origin's
   * Cache-Control, or the time its Expires leaves; else the TTL. Never an Expires header.
   */
  private String cacheControl(
      Ask ask, long ttl, @Nullable String originCacheControl, @Nullable String originExpires) {
    long now = Instant.now().getEpochSecond();
    long maxAge = ttl;
    long expires = ask.options().response().expires();
    if (expires > 0) {
      maxAge = Math.min(ttl, Math.max(0, expires - now));
    } else if (cacheControlPassthrough && originCacheControl != null) {
      return originCacheControl;
    } else if (cacheControlPassthrough && originExpires != null) {
      long until = HttpDateTime.parseToEpoch(originExpires) / 1000 - now;
      maxAge = until > 0 ? until : ttl;
    }
    return maxAge > 0 ? "max-age=" + maxAge + ", public" : "no-cache";
  }

  /** Validators, Cache-Control, Vary, and the Content-Security-Policy. */
  private void cacheHeaders(
      HttpFields.Mutable headers,
      Ask ask,
      @Nullable String etag,
      @Nullable String lastModified,
      String cacheControl) {
    if (etag != null) {
      headers.put(HttpHeader.ETAG, etag);
    }
    if (lastModified != null) {
      headers.put(HttpHeader.LAST_MODIFIED, lastModified);
    }
    headers.put(HttpHeader.CACHE_CONTROL, cacheControl);
    List<String> vary = new java.util.ArrayList<>(2);
    if (ask.varyAccept()) {
      vary.add("Accept");
    }
    if (clientHints) {
      vary.add(ClientHints.VARY);
    }
    if (!vary.isEmpty()) {
      headers.put(HttpHeader.VARY, String.join(", ", vary));
    }
    headers.put("Content-Security-Policy", CONTENT_SECURITY_POLICY);
  }
}
