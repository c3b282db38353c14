package dev.imgd.worker;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImgdException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;

/**
 * Inputs that crashed a worker or overran its memory, by SHA-256: refused without reaching a worker
 * until their entry expires, so one hostile image cannot kill worker after worker. Entries come
 * from this instance's workers, or from other instances through a {@link Quarantined.Board}.
 */
final class Quarantine {
  private final Cache<ByteBuffer, Quarantined> inputs;
  private final Duration expiry;

  Quarantine(Duration expiry) {
    this.expiry = expiry;
    this.inputs =
        Caffeine.newBuilder()
            .maximumSize(10_000)
            .expireAfter(
                Expiry.creating(
                    (ByteBuffer k, Quarantined q) -> Duration.between(Instant.now(), q.until())))
            .build();
  }

  /** Throws QUARANTINED for an input in quarantine. */
  void check(byte[] input) {
    // Hashing costs about a millisecond per megabyte: only when something is quarantined.
    Quarantined earlier = inputs.estimatedSize() == 0 ? null : inputs.getIfPresent(key(input));
    if (earlier != null) {
      throw new ImgdException(
          ErrorCode.QUARANTINED,
          "this input "
              + (earlier.crashed() ? "crashed" : "overran the memory of")
              + " an image worker recently and is refused for now");
    }
  }

  /** Quarantines the input its worker died of; the entry, for other instances. */
  Quarantined add(byte[] input, Worker.Death death) {
    Quarantined q =
        new Quarantined(
            key(input).array(), death == Worker.Death.CRASH, Instant.now().plus(expiry));
    add(q);
    return q;
  }

  /** Quarantines an input another instance's worker died of. */
  void add(Quarantined q) {
    if (q.until().isAfter(Instant.now())) {
      inputs.put(ByteBuffer.wrap(q.sha256().clone()), q);
    }
  }

  private static ByteBuffer key(byte[] bytes) {
    try {
      return ByteBuffer.wrap(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
