package dev.imgd.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** FM-06: the result cache never holds more than its configured bytes. */
class ResultCacheTest {
  @Test
  void boundedByBytesNotEntries() {
    long max = 1 << 20;
    ResultCache cache = new ResultCache(max, new SimpleMeterRegistry());
    for (int i = 0; i < 500; i++) {
      cache.put(
          "key-" + i,
          new ResultCache.Entry(
              new byte[10_000 + i], "image/jpeg", "\"e\"", false, null, null, null));
      assertThat(cache.weightedSize()).isLessThanOrEqualTo(max);
    }
    // 500 entries of about 10 kB would be 5 MB: most were evicted, the cache is still in use.
    assertThat(cache.weightedSize()).isGreaterThan(max / 2);
  }

  @Test
  void entryLargerThanTheCacheIsNotKept() {
    ResultCache cache = new ResultCache(50_000, new SimpleMeterRegistry());
    cache.put(
        "big",
        new ResultCache.Entry(new byte[60_000], "image/png", "\"e\"", false, null, null, null));
    assertThat(cache.weightedSize()).isLessThanOrEqualTo(50_000);
    assertThat(cache.get("big")).isEmpty();
  }

  @Test
  void zeroBytesTurnsTheCacheOff() {
    ResultCache cache = new ResultCache(0, new SimpleMeterRegistry());
    cache.put(
        "k", new ResultCache.Entry(new byte[10], "image/png", "\"e\"", false, null, null, null));
    assertThat(cache.get("k")).isEmpty();
  }
}
