package dev.imgd.worker;

import java.time.Instant;
import java.util.Objects;

/**
 * An input in quarantine: refused without reaching a worker until {@code until}.
 *
 * @param sha256 the input's SHA-256 (32 bytes)
 * @param crashed whether it crashed a worker; else it overran a worker's memory
 * @param until when the quarantine ends
 */
@SuppressWarnings("ArrayRecordComponent") // a digest, compared by the quarantine's own key
public record Quarantined(byte[] sha256, boolean crashed, Instant until) {
  public Quarantined {
    if (sha256.length != 32) {
      throw new IllegalArgumentException("a SHA-256 has 32 bytes, not " + sha256.length);
    }
    Objects.requireNonNull(until, "until");
  }

  /**
   * Where an engine's quarantine meets other instances' (a cluster's shared store): one crash per
   * cluster, not one per instance. The engine calls it when it quarantines an input; entries from
   * other instances come in through {@link IsolatedEngine#quarantine(Quarantined)}.
   */
  @FunctionalInterface
  public interface Board {
    /**
     * This instance quarantined an input: tell the others. Called on the job's thread: be quick.
     */
    void post(Quarantined entry);
  }
}
