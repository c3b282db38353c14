package dev.imgd.server;

import java.time.Instant;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The result cache's tiers, looked in and filled in one place: the memory tier of this instance,
 * then the shared tier in Redis (when IMGD_REDIS_URL is set). A result from the shared tier fills
 * the memory tier; a rendered result fills both. The answer says which tier served it ({@link
 * #HEADER}: memory, shared or miss), and so does imgd_cache_requests_total{tier,result}.
 */
final class CacheTiers {
  static final String HEADER = "X-Imgd-Cache";

  private final ResultCache memory;
  private final @Nullable SharedCache shared;
  private final Metrics metrics;

  CacheTiers(ResultCache memory, @Nullable SharedCache shared, Metrics metrics) {
    this.memory = memory;
    this.shared = shared;
    this.metrics = metrics;
  }

  /** Whether results are kept at all. */
  boolean enabled() {
    return memory.enabled() || shared != null;
  }

  /** The memory tier, counted. */
  Optional<ResultCache.Entry> memory(String key) {
    Optional<ResultCache.Entry> hit = memory.get(key);
    metrics.cache(
        "memory", hit.isPresent() ? "hit" : "miss", hit.map(e -> e.bytes().length).orElse(0));
    return hit;
  }

  /** The memory tier once another request's render of the same key landed (Flights). */
  Optional<ResultCache.Entry> landed(String key) {
    return memory.get(key);
  }

  /**
   * The shared tier, for the one request of this instance that leads the key's flight: a result
   * another instance rendered (now in the memory tier too), or a miss to render here, whose lookup
   * is closed once the result is in the tiers (it may hold the key's lock).
   */
  SharedCache.Lookup shared(String key, Instant deadline) {
    if (shared == null) {
      return SharedCache.Lookup.MISS;
    }
    SharedCache.Lookup found = shared.lookup(key, deadline);
    if (found.entry() != null) {
      memory.put(key, found.entry());
    }
    return found;
  }

  /** A rendered result, into every tier. */
  void fill(String key, ResultCache.Entry entry) {
    memory.put(key, entry);
    if (shared != null) {
      shared.put(key, entry);
    }
  }
}
