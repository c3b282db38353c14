package dev.imgd.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.imgd.core.ErrorCode;
import dev.imgd.core.ImgdException;
import dev.imgd.worker.Canary;
import dev.imgd.worker.Figures;
import dev.imgd.worker.IsolatedEngine;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The admin listener's view of the worker pools ({@code GET /admin}: per pool, stable or canary,
 * its jobs, crashes, failures by code and the window's error rate, p99 and peak worker memory; the
 * canary's share, gates and state) and the canary's controls: one step up, or off.
 */
final class AdminPools {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final @Nullable IsolatedEngine engine;

  /**
   * @param engine the worker pools, or null in-process (no pools)
   */
  AdminPools(@Nullable IsolatedEngine engine) {
    this.engine = engine;
  }

  String json() {
    ObjectNode body = JSON.createObjectNode();
    if (engine == null) {
      body.put("mode", "in-process");
      return body.toString();
    }
    body.put("mode", "isolated");
    ArrayNode pools = body.putArray("pools");
    for (IsolatedEngine.PoolReport p : engine.poolReports()) {
      ObjectNode pool = pools.addObject();
      pool.put("pool", p.role());
      pool.put("libvips", p.build());
      pool.put("library", p.library().toString());
      pool.put("jobs", p.jobs());
      pool.put("crashes", p.crashes());
      pool.put("crash_rate", p.jobs() == 0 ? 0 : (double) p.crashes() / p.jobs());
      ObjectNode failures = pool.putObject("failures");
      p.failures().forEach((code, n) -> failures.put(code.code(), n));
      figures(pool.putObject("window"), p.window());
    }
    engine
        .canary()
        .ifPresentOrElse(c -> canary(body.putObject("canary"), c), () -> body.putNull("canary"));
    return body.toString();
  }

  /** One step up ({@link Canary#STEPS}); the canary's state after it. */
  String step() {
    canary().step();
    return json();
  }

  /** Off by hand; the canary's state after it. */
  String off() {
    canary().off();
    return json();
  }

  private Canary canary() {
    return Optional.ofNullable(engine)
        .flatMap(IsolatedEngine::canary)
        .orElseThrow(() ->
            new ImgdException(
                ErrorCode.SOURCE_NOT_FOUND, "no canary: IMGD_CANARY_LIBVIPS is not set"));
  }

  private static void canary(ObjectNode node, Canary c) {
    Canary.State s = c.state();
    Canary.Settings settings = c.settings();
    node.put("libvips", s.libvips());
    node.put("state", s.off() != null ? "off" : s.percent() == 0 ? "waiting" : "on");
    node.put("percent", s.percent());
    node.putPOJO("steps", Canary.STEPS);
    node.put("changed", s.changed().toString());
    Canary.Reason reason = s.reason();
    if (reason != null) {
      node.put("off_reason", reason.label());
      node.put("off_detail", s.off());
    }
    ObjectNode gates = node.putObject("gates");
    gates.put("window_seconds", settings.window().toSeconds());
    gates.put("min_jobs", settings.minJobs());
    gates.put("error_margin", settings.errorMargin());
    gates.put("latency_margin", settings.latencyMargin());
    gates.put("memory_margin", settings.memoryMargin());
    ObjectNode canary = node.putObject("canary");
    figures(canary, s.canary());
    canary.put("new_failures", s.newFailures());
    figures(node.putObject("stable"), s.stable());
  }

  private static void figures(ObjectNode node, Figures f) {
    node.put("jobs", f.jobs());
    node.put("error_rate", f.errorRate());
    node.put("p99_ms", f.p99Nanos() / 1e6);
    node.put("peak_worker_bytes", f.peakBytes());
  }
}
