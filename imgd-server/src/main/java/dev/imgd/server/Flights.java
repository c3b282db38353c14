package dev.imgd.server;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImgdException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * Request coalescing (issue 17, W7): requests that miss the result cache for the same key while one
 * of them is being rendered wait for that one instead of rendering again. The first to miss leads;
 * the others wait for its landing, then read the result cache. A herd of 64 requests for one new
 * variant costs one worker job, not 64 (nor 64 downloads of its source).
 *
 * <p>A follower that finds nothing in the cache after the landing (the leader's result was a
 * fallback, a 304 or too large to cache) renders alone. A leader that fails for its input's fault
 * (a 4xx) hands its error to the followers, so a bad image is refused once, not once per waiting
 * request; after any other failure each follower tries itself.
 */
final class Flights {
  private final Map<String, CompletableFuture<@Nullable ImgdException>> flying =
      new ConcurrentHashMap<>();

  /** The flight of one key, led by one request; closing it lands it. */
  final class Lead implements AutoCloseable {
    private final String key;
    private final CompletableFuture<@Nullable ImgdException> landed;
    private @Nullable ImgdException failure;

    private Lead(String key, CompletableFuture<@Nullable ImgdException> landed) {
      this.key = key;
      this.landed = landed;
    }

    /** The leader failed: an error for the input's fault is passed to the followers. */
    void failed(ImgdException e) {
      failure = e.code().httpStatus() < 500 ? e : null;
    }

    @Override
    public void close() {
      flying.remove(key, landed);
      landed.complete(failure);
    }
  }

  /** Leads the flight of {@code key}, or null when another request leads it already. */
  @Nullable Lead lead(String key) {
    CompletableFuture<@Nullable ImgdException> landed = new CompletableFuture<>();
    return flying.putIfAbsent(key, landed) == null ? new Lead(key, landed) : null;
  }

  /**
   * Waits until the flight of {@code key} lands (at once when none is in the air).
   *
   * @throws ImgdException the leader's error for its input's fault, or DEADLINE_EXCEEDED
   */
  void await(String key, Instant deadline) {
    CompletableFuture<@Nullable ImgdException> landed = flying.get(key);
    if (landed == null) {
      return;
    }
    ImgdException failure;
    try {
      long nanos = Math.max(0, Duration.between(Instant.now(), deadline).toNanos());
      failure = landed.get(nanos, TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new ImgdException(
          ErrorCode.DEADLINE_EXCEEDED, "the deadline passed waiting for the same image");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ImgdException(
          ErrorCode.DEADLINE_EXCEEDED, "interrupted waiting for the same image");
    } catch (ExecutionException e) {
      throw new IllegalStateException(e); // never completed exceptionally
    }
    if (failure != null) {
      throw new ImgdException(
          failure.code(), Objects.requireNonNullElse(failure.getMessage(), failure.code().code()));
    }
  }

  /** Keys in the air now (a gauge). */
  int inTheAir() {
    return flying.size();
  }
}
