package dev.imgd.server;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Encoded results in memory, weighed by their real size and bounded in bytes (FM-06): only the
 * encoded bytes are kept, never a view of a larger buffer.
 */
final class ResultCache {
  /**
   * A cached answer.
   *
   * @param lastModified the origin's Last-Modified to pass on, or null
   * @param originCacheControl the origin's Cache-Control, or null
   * @param originExpires the origin's Expires, or null
   */
  @SuppressWarnings("ArrayRecordComponent") // a cached payload, never compared
  record Entry(
      byte[] bytes,
      String contentType,
      String etag,
      boolean varyAccept,
      @Nullable String lastModified,
      @Nullable String originCacheControl,
      @Nullable String originExpires) {}

  private static final int OVERHEAD = 200; // key, entry and map node

  private final @Nullable Cache<String, Entry> cache;

  ResultCache(long maxBytes, MeterRegistry metrics) {
    this.cache =
        maxBytes <= 0
            ? null
            : Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher((String k, Entry e) -> weight(k, e))
                .recordStats()
                .build();
    if (cache != null) {
      Gauge.builder(
              "imgd_cache_bytes",
              cache,
              c -> c.policy().eviction().map(ev -> ev.weightedSize().orElse(0)).orElse(0L))
          .description("bytes the result cache holds, as it weighs them")
          .register(metrics);
      Gauge.builder("imgd_cache_entries", cache, Cache::estimatedSize)
          .description("results the result cache holds")
          .register(metrics);
    }
  }

  static int weight(String key, Entry e) {
    return e.bytes().length + 2 * key.length() + OVERHEAD;
  }

  /** Whether results are kept at all (IMGD_CACHE_MAX_BYTES above 0). */
  boolean enabled() {
    return cache != null;
  }

  Optional<Entry> get(String key) {
    return cache == null ? Optional.empty() : Optional.ofNullable(cache.getIfPresent(key));
  }

  void put(String key, Entry entry) {
    if (cache != null) {
      cache.put(key, entry);
    }
  }

  /** Bytes held, as the cache weighs them. */
  long weightedSize() {
    if (cache == null) {
      return 0;
    }
    cache.cleanUp();
    return cache.policy().eviction().map(ev -> ev.weightedSize().orElse(0)).orElse(0L);
  }
}
