package dev.imgd.core.pipeline;

import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImgdException;
import dev.imgd.core.options.Encoding;
import dev.imgd.core.plan.Plan;
import dev.imgd.vips.VipsImage;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * imgproxy's autoquality: a binary search over the quality range, each step one encode of the same
 * rendered pixels (and, for dssim, one decode and one comparison), so a range of 70 to 80 costs at
 * most four encodes. A job past its deadline is interrupted (in process) or killed (in a worker);
 * the search stops at the next step rather than encode for no one.
 */
final class AutoqualitySearch {
  /** The quality chosen and its encoded result. */
  // A payload handed to the encoder, never compared.
  @SuppressWarnings("ArrayRecordComponent")
  record Choice(int quality, byte[] bytes) {}

  private final VipsImage pixels;
  private final Plan.Output out;
  private final Encoding encoding;
  private final Map<Integer, byte[]> encoded = new HashMap<>();

  private AutoqualitySearch(VipsImage pixels, Plan.Output out, Encoding encoding) {
    this.pixels = pixels;
    this.out = out;
    this.encoding = encoding;
  }

  /** The quality the autoquality settings choose for {@code pixels}, rendered in memory. */
  static Choice choose(VipsImage pixels, Plan.Output out, Encoding encoding) {
    AutoqualitySearch s = new AutoqualitySearch(pixels, out, encoding);
    Encoding.Autoquality aq = encoding.autoquality();
    int min = aq.minQuality(out.format());
    int max = aq.maxQuality(out.format());
    return switch (aq.method()) {
      case SIZE -> s.largestWithin((long) aq.target(), min, max);
      case DSSIM -> s.closestTo(aq.target(), aq.allowedError(), min, max);
      case NONE -> throw new IllegalArgumentException("autoquality is off");
    };
  }

  /** The highest quality whose result fits in {@code bytes}; the lowest when none does. */
  private Choice largestWithin(long bytes, int min, int max) {
    int lo = min;
    int hi = max;
    @Nullable Choice best = null;
    while (lo <= hi) {
      int q = (lo + hi) >>> 1;
      byte[] b = encode(q);
      if (b.length <= bytes) {
        best = new Choice(q, b);
        lo = q + 1;
      } else {
        hi = q - 1;
      }
    }
    return best != null ? best : new Choice(min, encode(min));
  }

  /**
   * The lowest quality whose DSSIM is at most {@code target + error}, stopping at the first within
   * {@code error} of the target; the highest quality when none is close enough.
   */
  private Choice closestTo(double target, double error, int min, int max) {
    int lo = min;
    int hi = max;
    @Nullable Choice best = null;
    while (lo <= hi) {
      int q = (lo + hi) >>> 1;
      byte[] b = encode(q);
      double d = Dssim.of(pixels, b, out.format());
      if (d <= target + error) {
        best = new Choice(q, b);
        if (d >= target - error) {
          break;
        }
        hi = q - 1;
      } else {
        lo = q + 1;
      }
    }
    return best != null ? best : new Choice(max, encode(max));
  }

  private byte[] encode(int quality) {
    if (Thread.currentThread().isInterrupted()) {
      throw new ImgdException(
          ErrorCode.DEADLINE_EXCEEDED, "the deadline passed while autoquality searched");
    }
    return encoded.computeIfAbsent(quality, q -> Encoder.encodeOnce(pixels, out, encoding, q));
  }
}
