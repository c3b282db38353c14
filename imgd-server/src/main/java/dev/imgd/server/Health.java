package dev.imgd.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.imgd.core.ImageFormat;
import dev.imgd.core.Imgd;
import dev.imgd.core.Version;
import dev.imgd.vips.Vips;
import dev.imgd.worker.IsolatedEngine;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Proof of life for /health: a tiny image rendered through the engine (by {@link #check}, every 5
 * s), or any image served, within the last minute.
 */
final class Health {
  private static final Logger LOG = LoggerFactory.getLogger(ImgdServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  static final byte[] TINY_PNG =
      Base64.getDecoder()
          .decode(
              "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");

  private final Imgd engine;
  private final @Nullable IsolatedEngine workers;
  private final Supplier<Instant> lastServed;
  private volatile Instant lastHealthy = Instant.EPOCH;
  private volatile @Nullable String lastError = "not checked yet";

  /**
   * @param workers the worker pool when isolated, else null
   * @param lastServed when an image was last made for a request
   */
  Health(Imgd engine, @Nullable IsolatedEngine workers, Supplier<Instant> lastServed) {
    this.engine = engine;
    this.workers = workers;
    this.lastServed = lastServed;
  }

  /**
   * Renders the tiny image, unless every worker is busy: then the work they are finishing is the
   * proof of life, and the probe must not queue behind it.
   */
  void check() {
    if (workers != null && workers.stats().busy() >= workers.stats().live()) {
      return;
    }
    try {
      engine.process(TINY_PNG, engine.parse("rs:fit:1:1/f:png"), Instant.now().plusSeconds(5));
      lastHealthy = Instant.now();
      lastError = null;
    } catch (RuntimeException e) {
      lastError = e.getMessage();
      LOG.warn("health check failed: {}", e.getMessage());
    }
  }

  static List<String> extensions(Set<ImageFormat> formats) {
    return formats.stream().map(ImageFormat::extension).sorted().toList();
  }

  /** The /health body; {@code ok} says whether it is a 200. */
  record Report(boolean ok, String json) {}

  Report report() {
    Instant served = lastServed.get();
    Instant last = served.isAfter(lastHealthy) ? served : lastHealthy;
    boolean ok = lastError == null || last.isAfter(Instant.now().minusSeconds(60));
    ObjectNode body = JSON.createObjectNode();
    body.put("status", ok ? "ok" : "failing");
    body.put("version", Version.get());
    body.put("last_render_age_seconds", Duration.between(last, Instant.now()).toSeconds());
    if (lastError != null) {
      body.put("error", lastError);
    }
    body.put("libvips", workers != null ? "isolated workers" : Vips.version());
    body.putPOJO(
        "reads", engine.engine().reads().stream().map(ImageFormat::extension).sorted().toList());
    body.putPOJO(
        "writes",
        engine.engine().mainWrites().stream().map(ImageFormat::extension).sorted().toList());
    if (workers != null) {
      // Per libvips build, as ./imgd doctor lists them: which pool a format goes to.
      body.putPOJO(
          "pools",
          workers.builds().stream()
              .map(b ->
                  Map.of(
                      "libvips", b.version(),
                      "reads", extensions(b.reads()),
                      "writes", extensions(b.writes())))
              .toList());
    }
    return new Report(ok, body.toString());
  }
}
