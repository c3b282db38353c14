package dev.imgd.worker;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImgdException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;

/**
 * Inputs that crashed a worker or overran its memory, by SHA-256: refused without reaching a worker
 * until their entry expires, so one hostile image cannot kill worker after worker.
 */
final class Quarantine {
  private final Cache<ByteBuffer, Worker.Death> inputs;

  Quarantine(Duration expiry) {
    this.inputs = Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(expiry).build();
  }

  /** Throws QUARANTINED for an input in quarantine. */
  void check(byte[] input) {
    // Hashing costs about a millisecond per megabyte: only when something is quarantined.
    Worker.Death earlier = inputs.estimatedSize() == 0 ? null : inputs.getIfPresent(key(input));
    if (earlier != null) {
      throw new ImgdException(
          ErrorCode.QUARANTINED,
          "this input "
              + (earlier == Worker.Death.CRASH ? "crashed" : "overran the memory of")
              + " an image worker recently and is refused for now");
    }
  }

  /** Quarantines the input its worker died of. */
  void add(byte[] input, Worker.Death death) {
    inputs.put(key(input), death);
  }

  private static ByteBuffer key(byte[] bytes) {
    try {
      return ByteBuffer.wrap(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
