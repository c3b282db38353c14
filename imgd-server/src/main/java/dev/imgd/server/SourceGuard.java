package dev.imgd.server;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImgdException;
import dev.imgd.server.source.Conditions;
import dev.imgd.server.source.Fetched;
import dev.imgd.server.source.OriginFault;
import dev.imgd.server.source.Source;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Sources that fail or crawl must not take the server down with them (FM-18): per origin (scheme
 * and host, the local folder, an S3 bucket) a bulkhead caps the requests fetching from it at once,
 * so one slow origin cannot hold every slot; a circuit breaker opens after repeated failures and
 * answers 503 at once until a trial call succeeds; idempotent fetches that failed on the way
 * (reset, 5xx) are retried with exponential backoff and jitter, within the deadline. Both count
 * only the origin's own faults ({@link OriginFault}): an answer a client can choose by picking the
 * URL, like a 403 or S3's AccessDenied, must not take the whole origin offline.
 */
final class SourceGuard {
  private final Source source;
  private final int perOrigin;
  private final int retries;
  private final Duration backoff;
  private final CircuitBreakerRegistry breakers;
  private final ConcurrentHashMap<String, Semaphore> bulkheads = new ConcurrentHashMap<>();
  private final Metrics metrics;

  SourceGuard(Source source, int perOrigin, int retries, Duration openFor, Metrics metrics) {
    this.source = source;
    this.perOrigin = perOrigin;
    this.retries = retries;
    this.backoff = Duration.ofMillis(100);
    this.metrics = metrics;
    this.breakers =
        CircuitBreakerRegistry.of(
            CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(10)
                .minimumNumberOfCalls(5)
                .failureRateThreshold(50)
                .waitDurationInOpenState(openFor)
                .permittedNumberOfCallsInHalfOpenState(1)
                // Only the origin's own faults count: any 4xx is an answer about the URL.
                .recordException(t -> t instanceof OriginFault)
                .build());
  }

  /** The origin a URL's failures are counted against. */
  static String origin(URI url) {
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    String host = url.getHost() != null ? url.getHost() : url.getAuthority();
    return scheme + "://" + (host == null ? "" : host.toLowerCase(Locale.ROOT));
  }

  Fetched fetch(URI url, Instant deadline, long maxBytes, Conditions conditions) {
    String origin = origin(url);
    Semaphore bulkhead = bulkheads.computeIfAbsent(origin, o -> new Semaphore(perOrigin));
    if (!bulkhead.tryAcquire()) {
      metrics.rejected("source_bulkhead");
      throw new ImgdException(
          ErrorCode.OVERLOADED, "too many requests are waiting on this source; retry later");
    }
    try {
      CircuitBreaker breaker = breakers.circuitBreaker(origin);
      for (int attempt = 0; ; attempt++) {
        try {
          return breaker.executeSupplier(() -> source.fetch(url, deadline, maxBytes, conditions));
        } catch (CallNotPermittedException e) {
          metrics.rejected("source_circuit_open");
          throw new ImgdException(
              ErrorCode.OVERLOADED, "this source is failing; imgd stopped calling it for a while");
        } catch (ImgdException e) {
          if (!retryable(e, attempt) || !sleepBefore(attempt + 1, deadline)) {
            throw e;
          }
          metrics.retried();
        }
      }
    } finally {
      bulkhead.release();
    }
  }

  /** Only the origin's faults on the way (reset, 5xx); never a deadline, a 4xx or a refusal. */
  private boolean retryable(ImgdException e, int attempt) {
    return attempt < retries && e instanceof OriginFault && e.code() == ErrorCode.SOURCE_FAILED;
  }

  /** Exponential backoff with full jitter; false when the deadline would pass first. */
  private boolean sleepBefore(int attempt, Instant deadline) {
    long cap = backoff.toMillis() << Math.min(attempt - 1, 5);
    long sleep = ThreadLocalRandom.current().nextLong(cap / 2, cap + 1);
    if (Instant.now().plusMillis(sleep).isAfter(deadline)) {
      return false;
    }
    try {
      Thread.sleep(sleep);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The breaker's state for an origin, for tests and metrics. */
  CircuitBreaker.State state(String origin) {
    return breakers.circuitBreaker(origin).getState();
  }
}
