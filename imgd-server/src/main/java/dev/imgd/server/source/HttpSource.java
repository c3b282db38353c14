package dev.imgd.server.source;

import static dev.imgd.core.ErrorCode.BAD_OPTIONS;
import static dev.imgd.core.ErrorCode.DEADLINE_EXCEEDED;
import static dev.imgd.core.ErrorCode.SOURCE_FAILED;
import static dev.imgd.core.ErrorCode.SOURCE_FORBIDDEN;
import static dev.imgd.core.ErrorCode.SOURCE_NOT_FOUND;
import static dev.imgd.core.ErrorCode.TOO_LARGE;
import static dev.imgd.server.source.Failures.fail;
import static dev.imgd.server.source.Failures.fault;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImgdException;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.jspecify.annotations.Nullable;

/**
 * {@code http://} and {@code https://} through Jetty's client, behind the SSRF guard (FM-22).
 *
 * <p>The host is resolved here, every address is checked, and Jetty connects only to the checked
 * addresses: there is no second DNS lookup that a rebinding name could answer differently.
 * Redirects are followed here, not by Jetty, so that each hop is checked again (scheme, allow-list,
 * address). The body is counted as it streams and the exchange aborted past the cap or the
 * deadline; no thread reads it, so none is left behind.
 */
final class HttpSource implements Source, AutoCloseable {
  private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);

  /**
   * RFC 6761: {@code localhost} and names under it are the loopback, in both families, whatever DNS
   * or a hosts file says; allowing 127.0.0.1/32 alone does not admit them.
   */
  private static final List<InetAddress> LOCALHOST =
      List.of(InetAddress.ofLiteral("127.0.0.1"), InetAddress.ofLiteral("::1"));

  private static final TextMapSetter<HttpFields.Mutable> HEADERS =
      (headers, name, value) -> Objects.requireNonNull(headers).put(name, value);

  private final HttpClient client;
  private final AddressGuard guard;
  private final HostResolver resolver;
  private final int maxRedirects;
  private final Predicate<URI> allowList;

  HttpSource(
      SourceSettings settings,
      HostResolver resolver,
      Consumer<InetSocketAddress> beforeConnect,
      Predicate<URI> allowList) {
    this.guard = new AddressGuard(settings.allowedNetworks());
    this.resolver = resolver;
    this.maxRedirects = settings.maxRedirects();
    this.allowList = allowList;

    // The last gate before a socket opens; tests use it to prove nothing else is ever dialled.
    ClientConnector connector =
        new ClientConnector() {
          @Override
          public void connect(SocketAddress address, Map<String, Object> context) {
            if (address instanceof InetSocketAddress inet) {
              beforeConnect.accept(inet);
            }
            super.connect(address, context);
          }
        };
    connector.setSslContextFactory(new SslContextFactory.Client()); // verifies certificates
    connector.setConnectTimeout(settings.downloadTimeout());
    QueuedThreadPool threads = new QueuedThreadPool();
    threads.setName("imgd-source-http");
    threads.setDaemon(true);

    client = new HttpClient(new HttpClientTransportOverHTTP(connector));
    client.setExecutor(threads);
    client.setFollowRedirects(false);
    client.setSocketAddressResolver(this::resolve);
    client.setUserAgentField(new HttpField(HttpHeader.USER_AGENT, "imgd"));
    client.setHttpCookieStore(new HttpCookieStore.Empty()); // nothing carries between sources
    client.setConnectTimeout(settings.downloadTimeout().toMillis());
    client.setIdleTimeout(settings.downloadTimeout().toMillis());
    try {
      client.start();
    } catch (Exception e) {
      throw new IllegalStateException("HTTP client did not start", e);
    }
    // Raw bytes only: a gzip bomb must not expand. Jetty adds its decoders (and an Accept-Encoding
    // naming them) when it starts, so they are removed after; requests ask for identity too.
    client.getContentDecoderFactories().clear();
  }

  @Override
  public String identity(URI url) {
    URI checked = checked(url, false);
    // No DNS here: a literal address or a localhost name is judged now, a name when fetched.
    String host = bare(checked.getHost());
    List<InetAddress> known =
        isLocalhost(host) ? LOCALHOST : literal(host).map(List::of).orElse(List.of());
    for (InetAddress address : known) {
      Optional<String> why = guard.refusal(address);
      if (why.isPresent()) {
        throw fail(SOURCE_FORBIDDEN, "source address not allowed", url, why.get());
      }
    }
    return checked.toString();
  }

  @Override
  public Fetched fetch(URI url, Instant deadline, long maxBytes) {
    return fetch(url, deadline, maxBytes, Conditions.NONE);
  }

  @Override
  public Fetched fetch(URI url, Instant deadline, long maxBytes, Conditions conditions) {
    URI current = checked(url, false);
    List<URI> urls = new ArrayList<>(List.of(current));
    for (int redirects = 0; ; redirects++) {
      // A fault after a redirect to another host is that host's, not the origin's asked for.
      boolean originsFault = sameHost(current, urls.getFirst());
      Exchange exchange = exchange(current, deadline, maxBytes, originsFault, conditions);
      if (exchange.body != null) {
        return new Fetched(
            exchange.body,
            urls,
            exchange.etag,
            exchange.lastModified,
            exchange.status == 304,
            exchange.cacheControl,
            exchange.expires);
      }
      if (redirects == maxRedirects) {
        throw fail(SOURCE_FAILED, "source redirected too many times", url, "> " + maxRedirects);
      }
      URI next;
      try {
        next = current.resolve(new URI(exchange.location));
      } catch (URISyntaxException | IllegalArgumentException e) {
        throw fail(SOURCE_FAILED, "source redirected to a malformed URL", url, "bad Location");
      }
      current = checked(next, true);
      urls.add(current);
    }
  }

  @Override
  public void close() {
    try {
      client.stop();
    } catch (Exception e) {
      // Closing at shutdown: nothing useful to do with a failure here.
    }
  }

  /**
   * The URL normalised (lower-case scheme and host, no fragment, dot segments resolved), after the
   * checks that need no network. A redirect target is also checked against the allow-list, which
   * {@link Sources} applied to the first URL.
   */
  private URI checked(URI url, boolean redirect) {
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw fail(SOURCE_FORBIDDEN, "source scheme not allowed", url, "scheme " + scheme);
    }
    if (url.isOpaque() || url.getHost() == null) {
      throw fail(redirect ? SOURCE_FAILED : BAD_OPTIONS, "source URL has no host", url, "no host");
    }
    if (url.getRawUserInfo() != null) {
      throw fail(SOURCE_FORBIDDEN, "source URL may not carry credentials", url, "user info");
    }
    URI normal;
    try {
      // Raw parts: decoding and re-encoding would turn %2F or %26 into / or &, another URL.
      String port = url.getPort() < 0 ? "" : ":" + url.getPort();
      String path = url.getRawPath().isEmpty() ? "/" : url.getRawPath();
      String query = url.getRawQuery() == null ? "" : "?" + url.getRawQuery();
      String host = url.getHost().toLowerCase(Locale.ROOT);
      normal = new URI(scheme + "://" + host + port + path + query).normalize();
    } catch (URISyntaxException e) {
      throw fail(redirect ? SOURCE_FAILED : BAD_OPTIONS, "malformed source URL", url, "syntax");
    }
    if (redirect && !allowList.test(normal)) {
      throw fail(SOURCE_FORBIDDEN, "source not allowed", url, "redirect off the allow-list");
    }
    return normal;
  }

  /**
   * One request: a body (2xx), a redirect to follow, or an exception; an {@link OriginFault} for
   * what the origin is to blame for if {@code originsFault}.
   */
  private Exchange exchange(
      URI url, Instant deadline, long maxBytes, boolean originsFault, Conditions conditions) {
    long millis = Duration.between(Instant.now(), deadline).toMillis();
    if (millis <= 0) {
      throw fail(DEADLINE_EXCEEDED, "deadline exceeded fetching the source", url, "before send");
    }
    Exchange exchange = new Exchange(maxBytes);
    Request request =
        client
            .newRequest(url)
            .followRedirects(false)
            .headers(h -> {
              h.put(HttpHeader.ACCEPT_ENCODING, "identity");
              if (conditions.ifNoneMatch() != null) {
                h.put(HttpHeader.IF_NONE_MATCH, conditions.ifNoneMatch());
              }
              if (conditions.ifModifiedSince() != null) {
                h.put(HttpHeader.IF_MODIFIED_SINCE, conditions.ifModifiedSince());
              }
              // The traced request's traceparent (and tracestate): the origin's span joins it.
              W3CTraceContextPropagator.getInstance().inject(Context.current(), h, HEADERS);
            });
    request.send(exchange);
    Result result;
    try {
      result = exchange.done.get(millis, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      // Closes the connection; Jetty's threads stop delivering content. Whether the exchange was
      // still running (the future's answer) does not matter, here and below.
      var _ = request.abort(e);
      throw failed(
          originsFault,
          DEADLINE_EXCEEDED,
          "deadline exceeded fetching the source",
          url,
          "deadline");
    } catch (InterruptedException e) {
      var _ = request.abort(e);
      Thread.currentThread().interrupt();
      throw fail(SOURCE_FAILED, "source fetch interrupted", url, "interrupted", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e); // never: the future is only completed normally
    }

    if (exchange.tooLarge) {
      throw fail(TOO_LARGE, "source is too large", url, "over " + maxBytes + " bytes");
    }
    int status = exchange.status;
    if (status == 304 && conditions.any()) {
      exchange.body = new byte[0]; // the client's copy is still good: nothing to process
      return exchange;
    }
    if (status != 0 && status / 100 != 2) {
      if (REDIRECTS.contains(status) && exchange.location != null) {
        return exchange;
      }
      if (status == 404 || status == 410) {
        throw fail(SOURCE_NOT_FOUND, "source not found", url, "status " + status);
      }
      // A 4xx is an answer about the URL, which the client chose: never the origin's fault.
      throw failed(
          originsFault && status >= 500,
          SOURCE_FAILED,
          "source answered " + status,
          url,
          "status " + status);
    }
    if (result.isFailed()) {
      throw failure(url, result.getFailure(), originsFault);
    }
    exchange.body = exchange.buffer.toByteArray();
    return exchange;
  }

  private static ImgdException failed(
      boolean originsFault, ErrorCode code, String message, URI url, String reason) {
    return failed(originsFault, code, message, url, reason, null);
  }

  private static ImgdException failed(
      boolean originsFault,
      ErrorCode code,
      String message,
      URI url,
      String reason,
      @Nullable Throwable cause) {
    return originsFault
        ? fault(code, message, url, reason, cause)
        : fail(code, message, url, reason, cause);
  }

  private static boolean sameHost(URI a, URI b) {
    return a.getScheme().equals(b.getScheme()) && a.getHost().equals(b.getHost());
  }

  private static ImgdException failure(URI url, Throwable failure, boolean originsFault) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof Refused refused) {
        return fail(
            SOURCE_FORBIDDEN,
            "source address not allowed",
            url,
            Objects.requireNonNullElse(refused.getMessage(), ""));
      }
      if (t instanceof UnknownHostException) {
        return failed(originsFault, SOURCE_FAILED, "source host not found", url, "unknown host");
      }
    }
    return failed(
        originsFault,
        SOURCE_FAILED,
        "source could not be fetched",
        url,
        failure.toString(),
        failure);
  }

  /**
   * Jetty's resolver hook: resolves the host, refuses it if any address is refused (a name with one
   * public and one private address is not safe to use), and hands Jetty exactly the checked
   * addresses to connect to.
   */
  private void resolve(
      String host, int port, Map<String, Object> context, Promise<List<InetSocketAddress>> p) {
    // Resolving may block on DNS: not on Jetty's threads.
    Thread.startVirtualThread(() -> {
      String name = bare(host);
      List<InetAddress> addresses;
      try {
        addresses = addresses(name);
      } catch (UnknownHostException | RuntimeException e) {
        p.failed(e instanceof UnknownHostException ? e : new UnknownHostException(name));
        return;
      }
      List<InetSocketAddress> checked = new ArrayList<>();
      for (InetAddress address : addresses) {
        Optional<String> why = guard.refusal(address);
        if (why.isPresent()) {
          p.failed(new Refused(name + " -> " + address.getHostAddress() + ": " + why.get()));
          return;
        }
        checked.add(new InetSocketAddress(address, port));
      }
      p.succeeded(checked);
    });
  }

  private List<InetAddress> addresses(String host) throws UnknownHostException {
    if (isLocalhost(host)) {
      return LOCALHOST;
    }
    Optional<InetAddress> literal = literal(host);
    if (literal.isPresent()) {
      return List.of(literal.get());
    }
    List<InetAddress> found = resolver.resolve(host);
    if (found.isEmpty()) {
      throw new UnknownHostException(host);
    }
    return found;
  }

  private static boolean isLocalhost(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.endsWith(".")) {
      h = h.substring(0, h.length() - 1);
    }
    return h.equals("localhost") || h.endsWith(".localhost");
  }

  /** The address a literal host names, parsed without any lookup; empty for a name. */
  private static Optional<InetAddress> literal(String host) {
    try {
      return Optional.of(InetAddress.ofLiteral(host));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** {@code [::1]} as {@code ::1}. */
  private static String bare(String host) {
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }

  /** A resolved address the guard refused; fails the exchange before any connection. */
  private static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;

    Refused(String reason) {
      super(reason, null, false, false);
    }
  }

  /**
   * Collects one response. Jetty calls these methods one at a time; the caller reads the fields
   * after {@link #done} completes, which orders the writes before the reads.
   */
  private static final class Exchange implements Response.Listener {
    final CompletableFuture<Result> done = new CompletableFuture<>();
    final long maxBytes;
    final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    volatile int status;
    volatile @Nullable String location;
    volatile @Nullable String etag;
    volatile @Nullable String lastModified;
    volatile @Nullable String cacheControl;
    volatile @Nullable String expires;
    volatile boolean tooLarge;
    byte @Nullable [] body;

    Exchange(long maxBytes) {
      this.maxBytes = maxBytes;
    }

    @Override
    public void onHeaders(Response response) {
      status = response.getStatus();
      etag = response.getHeaders().get(HttpHeader.ETAG);
      lastModified = response.getHeaders().get(HttpHeader.LAST_MODIFIED);
      cacheControl = response.getHeaders().get(HttpHeader.CACHE_CONTROL);
      expires = response.getHeaders().get(HttpHeader.EXPIRES);
      if (status / 100 != 2) {
        // Only the status and Location matter: do not wait for a body nobody reads.
        location = response.getHeaders().get(HttpHeader.LOCATION);
        var _ = response.abort(new Stop());
        return;
      }
      // A declared length over the cap fails at once; a smaller one is not trusted (see below).
      if (response.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH) > maxBytes) {
        tooLarge = true;
        var _ = response.abort(new Stop());
      }
    }

    @Override
    public void onContent(Response response, ByteBuffer content) {
      if (tooLarge) {
        return;
      }
      if (buffer.size() + (long) content.remaining() > maxBytes) {
        tooLarge = true;
        var _ = response.abort(new Stop());
        return;
      }
      byte[] bytes = new byte[content.remaining()];
      content.get(bytes);
      buffer.writeBytes(bytes);
    }

    @Override
    public void onComplete(Result result) {
      done.complete(result);
    }
  }

  /** Aborts an exchange whose outcome is already known. */
  private static final class Stop extends Exception {
    private static final long serialVersionUID = 1L;

    Stop() {
      super("stop", null, false, false);
    }
  }
}
