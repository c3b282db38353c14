package dev.imgd.server;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.imgd.core.ImgdException;
import dev.imgd.core.Limits;
import dev.imgd.core.options.Watermark;
import dev.imgd.core.probe.Probe;
import java.net.URI;
import java.time.Instant;
import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;

/**
 * The images a URL option names, {@code watermark_url} and {@code fallback_image_url} (imgproxy
 * Pro), fetched like a source (allowed sources, the SSRF guard, the origin's bulkhead and breaker,
 * the size cap, the deadline), probed before any decoder sees them, and kept by URL so a hot one is
 * downloaded once. The cache holds at most {@code maxImages} images and {@link #MAX_BYTES} in all:
 * each image weighs at least its share of the bytes.
 */
final class UrlImages {
  static final long MAX_BYTES = 64L << 20;

  private final BiFunction<URI, Instant, byte[]> download;
  private final Limits limits;
  private final @Nullable Cache<String, byte[]> cache;

  /**
   * @param download fetches a URL by a deadline (through the source guard, within its room)
   * @param limits the engine's limits, which the probe checks the image against
   * @param maxImages images kept; 0 keeps none
   */
  UrlImages(BiFunction<URI, Instant, byte[]> download, Limits limits, int maxImages) {
    this.download = download;
    this.limits = limits;
    long share = maxImages == 0 ? 0 : MAX_BYTES / maxImages;
    this.cache =
        maxImages == 0
            ? null
            : Caffeine.newBuilder()
                .maximumWeight(MAX_BYTES)
                .weigher(
                    (String url, byte[] b) -> (int) Math.min(MAX_BYTES, Math.max(share, b.length)))
                .build();
  }

  /**
   * The image the request's watermark names, or null when it names none (the server's image or a
   * text). Failures are the source's typed errors, told as the watermark's.
   */
  byte @Nullable [] forRequest(Watermark wm, Instant deadline) {
    if (!wm.enabled() || wm.url().isEmpty()) {
      return null;
    }
    return forOption("watermark_url", wm.url(), deadline);
  }

  /**
   * The image {@code url} names for {@code option}. Failures are the source's typed errors, told as
   * the option's.
   */
  byte[] forOption(String option, String url, Instant deadline) {
    try {
      return cache == null ? fetch(url, deadline) : cache.get(url, u -> fetch(u, deadline));
    } catch (ImgdException e) {
      throw new ImgdException(e.code(), option + ": " + e.getMessage(), e);
    }
  }

  private byte[] fetch(String url, Instant deadline) {
    byte[] bytes = download.apply(ImageHandler.sourceUri(url), deadline);
    Probe.check(bytes, limits); // an allowed format within the limits, before a decoder runs
    return bytes;
  }
}
