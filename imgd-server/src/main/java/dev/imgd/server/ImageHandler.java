package dev.imgd.server;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImageFormat;
import dev.imgd.core.Imgd;
import dev.imgd.core.ImgdException;
import dev.imgd.core.options.Options;
import dev.imgd.core.options.OptionsParser;
import dev.imgd.core.options.ParsedPath;
import dev.imgd.core.plan.Plan;
import dev.imgd.server.source.Sources;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The request walk, one step per method, in the order they run:
 *
 * <pre>
 * parse the URL, check its signature        cheap rejections: no slot needed
 * look the result up in the cache           hit: answer now (304 on If-None-Match)
 * admission: a slot, bounded wait           full: 503 + Retry-After
 * fetch the source (capped, by deadline)
 * probe, limits, plan; reserve its memory
 * run the plan (isolated worker or in-process), verified output
 * cache and answer
 * </pre>
 *
 * One deadline, set on arrival, covers the queue, the download and the processing (FM-15).
 */
final class ImageHandler {
  private final ServerSettings settings;
  private final Signatures signatures;
  private final OptionsParser parser;
  private final Sources sources;
  private final ResultCache cache;
  private final Admission admission;
  private final Imgd isolated;
  private final Imgd trusted;
  private final List<String> trustedSources;
  private final Metrics metrics;
  private final Duration timeout;
  private final long maxSourceBytes;
  private final long maxBodyBytes;
  private final long ttl;
  private final boolean autoWebp;
  private final boolean autoAvif;
  private volatile Instant lastSuccess = Instant.EPOCH;

  ImageHandler(
      ServerSettings settings,
      Signatures signatures,
      OptionsParser parser,
      Sources sources,
      ResultCache cache,
      Admission admission,
      Imgd isolated,
      Imgd trusted,
      Metrics metrics) {
    this.settings = settings;
    this.signatures = signatures;
    this.parser = parser;
    this.sources = sources;
    this.cache = cache;
    this.admission = admission;
    this.isolated = isolated;
    this.trusted = trusted;
    this.trustedSources = settings.list("IMGD_TRUSTED_SOURCES");
    this.metrics = metrics;
    this.timeout = settings.timeout();
    this.maxSourceBytes = settings.maxSourceBytes();
    this.maxBodyBytes = settings.longValue("IMGD_MAX_BODY_SIZE");
    this.ttl = settings.longValue("IMGD_TTL");
    this.autoWebp = settings.bool("IMGD_AUTO_WEBP");
    this.autoAvif = settings.bool("IMGD_AUTO_AVIF");
  }

  /** What a request asks for, once parsed and authenticated. */
  private record Ask(Options options, URI source, byte[] body, boolean varyAccept) {}

  /** Serves one image request; every failure becomes a problem+json answer. */
  void handle(Request request, Response response, Callback callback, String requestId)
      throws IOException {
    Instant deadline = Instant.now().plus(timeout);
    Ask ask = HttpMethod.POST.is(request.getMethod()) ? parseBody(request) : parseUrl(request);
    String key = ask.body() == null ? cacheKey(ask) : null;
    if (key != null) {
      Optional<ResultCache.Entry> hit = cache.get(key);
      metrics.cache(hit.isPresent(), hit.map(e -> e.bytes().length).orElse(0));
      if (hit.isPresent()) {
        answer(request, response, callback, hit.get());
        return;
      }
    }
    long queued = System.nanoTime();
    try (Admission.Permit permit = admission.admit(deadline)) {
      metrics.stage("queue", System.nanoTime() - queued);
      byte[] source = ask.body() != null ? ask.body() : fetch(ask.source(), deadline);
      Imgd engine = engineFor(ask.source());
      Plan plan = engine.plan(source, ask.options(), deadline);
      permit.reserve(plan.memoryEstimate(), deadline);
      long started = System.nanoTime();
      Imgd.Result result = engine.run(source, plan, deadline);
      metrics.stage("processing", System.nanoTime() - started);
      lastSuccess = Instant.now();
      ResultCache.Entry entry =
          new ResultCache.Entry(
              result.bytes(), result.mimeType(), etag(result.bytes()), ask.varyAccept());
      if (key != null) {
        cache.put(key, entry);
      }
      answer(request, response, callback, entry);
    }
  }

  /** When the engine last made an image for a request: /health counts it as proof of life. */
  Instant lastSuccess() {
    return lastSuccess;
  }

  /** {@code /{signature}/{options}/plain/{url}[@ext]} or the base64url source form. */
  private Ask parseUrl(Request request) {
    String path = request.getHttpURI().getPath();
    int slash = path.indexOf('/', 1);
    if (path.length() < 2 || slash < 0) {
      throw new ImgdException(
          ErrorCode.BAD_OPTIONS, "expected /{signature}/{options}/{source}, got '" + path + "'");
    }
    String rest = path.substring(slash);
    signatures.verify(path.substring(1, slash), rest);
    ParsedPath parsed = parser.parsePath(rest);
    Options options = parsed.options();
    boolean vary = false;
    if (options.format().isEmpty() && (autoWebp || autoAvif)) {
      vary = true;
      options = negotiate(request, options);
    }
    return new Ask(options, sourceUri(parsed.source()), null, vary);
  }

  /** {@code POST /process?{options}} with the image as the body (capped). */
  private Ask parseBody(Request request) throws IOException {
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
    byte[] body;
    try (InputStream in = Content.Source.asInputStream(request)) {
      body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBodyBytes + 1));
    }
    if (body.length > maxBodyBytes) {
      throw tooLarge(body.length);
    }
    if (body.length == 0) {
      throw new ImgdException(ErrorCode.BAD_OPTIONS, "POST /process needs the image as its body");
    }
    return new Ask(parser.parse(options), null, body, false);
  }

  private ImgdException tooLarge(long size) {
    return new ImgdException(
        ErrorCode.TOO_LARGE,
        "the body has " + size + "+ bytes, over the " + maxBodyBytes + " limit");
  }

  /** AVIF, then WebP, when the client's Accept allows it and the engine can write it. */
  private Options negotiate(Request request, Options options) {
    String accept = Optional.ofNullable(request.getHeaders().get(HttpHeader.ACCEPT)).orElse("");
    if (autoAvif && accept.contains("image/avif") && writes(ImageFormat.AVIF)) {
      return options.toBuilder().format(ImageFormat.AVIF).build();
    }
    if (autoWebp && accept.contains("image/webp") && writes(ImageFormat.WEBP)) {
      return options.toBuilder().format(ImageFormat.WEBP).build();
    }
    return options;
  }

  private boolean writes(ImageFormat f) {
    return isolated.engine().writes(ImageFormat.JPEG).contains(f);
  }

  private static URI sourceUri(String source) {
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

  /** Canonical options and the source's identity: equal keys mean equal results. */
  private String cacheKey(Ask ask) {
    return ask.options().canonical() + "\n" + sources.identity(ask.source());
  }

  private byte[] fetch(URI source, Instant deadline) {
    long t0 = System.nanoTime();
    try {
      return sources.fetch(source, deadline, maxSourceBytes);
    } finally {
      metrics.stage("download", System.nanoTime() - t0);
    }
  }

  /** In-process for trusted source prefixes (when configured), else the default engine. */
  private Imgd engineFor(URI source) {
    if (trusted != null && source != null) {
      String s = source.toString();
      for (String prefix : trustedSources) {
        if (s.startsWith(prefix)) {
          return trusted;
        }
      }
    }
    return isolated;
  }

  private void answer(
      Request request, Response response, Callback callback, ResultCache.Entry entry) {
    var headers = response.getHeaders();
    headers.put(HttpHeader.ETAG, entry.etag());
    headers.put(HttpHeader.CACHE_CONTROL, "max-age=" + ttl + ", public");
    headers.put(
        HttpHeader.EXPIRES,
        DateTimeFormatter.RFC_1123_DATE_TIME.format(
            Instant.now().plusSeconds(ttl).atZone(ZoneOffset.UTC)));
    if (entry.varyAccept()) {
      headers.put(HttpHeader.VARY, "Accept");
    }
    HttpField ifNoneMatch = request.getHeaders().getField(HttpHeader.IF_NONE_MATCH);
    if (ifNoneMatch != null && ifNoneMatch.contains(entry.etag())) {
      response.setStatus(HttpStatus.NOT_MODIFIED_304);
      callback.succeeded();
      return;
    }
    response.setStatus(HttpStatus.OK_200);
    headers.put(HttpHeader.CONTENT_TYPE, entry.contentType());
    headers.put(HttpHeader.CONTENT_LENGTH, entry.bytes().length);
    response.write(true, ByteBuffer.wrap(entry.bytes()), callback);
  }

  static String etag(byte[] bytes) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(bytes);
      return "\"" + HexFormat.of().formatHex(h, 0, 16) + "\"";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
