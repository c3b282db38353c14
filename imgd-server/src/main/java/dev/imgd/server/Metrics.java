package dev.imgd.server;

import dev.imgd.core.ErrorCode;
import dev.imgd.vips.Vips;
import dev.imgd.worker.Canary;
import dev.imgd.worker.IsolatedEngine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.ToDoubleFunction;

/** The server's Prometheus metrics; every name starts with imgd_. */
final class Metrics {
  private static final String LIBVIPS_MEMORY = "memory libvips tracks (its pixel buffers)";

  final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  void request(int status, Duration took) {
    Timer.builder("imgd_request_duration")
        .description("Requests by HTTP status")
        .tag("status", Integer.toString(status))
        .publishPercentileHistogram()
        .register(registry)
        .record(took);
  }

  void stage(String stage, long nanos) {
    Timer.builder("imgd_stage_duration")
        .description("Time per stage of the request walk: queue, download, processing")
        .tag("stage", stage)
        .publishPercentileHistogram()
        .register(registry)
        .record(Duration.ofNanos(nanos));
  }

  void rejected(String reason) {
    Counter.builder("imgd_rejections")
        .description("requests refused before processing, by reason")
        .tag("reason", reason)
        .register(registry)
        .increment();
  }

  /** A request answered from the cache after waiting for the same variant's render (Flights). */
  void coalesced() {
    Counter.builder("imgd_coalesced_requests")
        .description("requests answered by another request's render of the same variant")
        .register(registry)
        .increment();
  }

  /**
   * A look-up in a result cache tier ({@code memory} or {@code shared}): {@code hit}, {@code miss},
   * or {@code error} (the shared tier away, slow or refused by its breaker: taken as a miss).
   */
  void cache(String tier, String result, long bytes) {
    Counter.builder("imgd_cache_requests")
        .description("result cache look-ups, by tier and result")
        .tag("tier", tier)
        .tag("result", result)
        .register(registry)
        .increment();
    if (bytes > 0) {
      Counter.builder("imgd_cache_hit_bytes")
          .description("bytes answered from the result cache, by tier")
          .tag("tier", tier)
          .register(registry)
          .increment((double) bytes);
    }
  }

  /** The shared tier's circuit breaker changed state. */
  void redisBreaker(String state) {
    Counter.builder("imgd_redis_breaker_transitions")
        .description("state changes of the shared cache's circuit breaker, by the new state")
        .tag("state", state)
        .register(registry)
        .increment();
  }

  /** The shared tier (IMGD_REDIS_URL): whether it serves now. */
  void redis(SharedCache shared) {
    gauge(
        "imgd_redis_available",
        "1 when the shared cache's Redis is connected and its breaker closed or half-open",
        shared,
        s -> s.available() ? 1 : 0);
  }

  /** A result not stored in the shared tier: over IMGD_REDIS_MAX_VALUE_BYTES. */
  void redisSkipped() {
    Counter.builder("imgd_redis_values_skipped")
        .description("results not stored in the shared cache: over IMGD_REDIS_MAX_VALUE_BYTES")
        .register(registry)
        .increment();
  }

  /** An input another instance quarantined, now refused here too. */
  void quarantineReceived() {
    Counter.builder("imgd_quarantine_shared")
        .description("inputs another instance quarantined, refused here without a job")
        .register(registry)
        .increment();
  }

  void retried() {
    Counter.builder("imgd_source_retries")
        .description("source downloads tried again after a failure")
        .register(registry)
        .increment();
  }

  void fallback(String reason) {
    Counter.builder("imgd_fallbacks")
        .description("answers with the fallback image, by reason")
        .tag("reason", reason)
        .register(registry)
        .increment();
  }

  void memory(Admission admission) {
    gauge("imgd_memory_heap_bytes", "Java heap in use", this, m -> heapUsed());
    gauge("imgd_memory_rss_bytes", "resident memory of the server process", this, m -> rss());
    gauge(
        "imgd_memory_budget_bytes",
        "memory budget of the images in work",
        admission,
        Admission::budget);
    gauge(
        "imgd_memory_budget_in_use_bytes",
        "memory budget reserved by admitted images",
        admission,
        Admission::reserved);
    gauge(
        "imgd_memory_buffered_bytes",
        "source and result bytes held in buffers",
        admission,
        Admission::buffered);
    gauge(
        "imgd_memory_buffer_budget_bytes",
        "budget of the source and result buffers",
        admission,
        Admission::bufferBudget);
    gauge("imgd_queue_waiting", "requests waiting for admission", admission, Admission::waiting);
    gauge(
        "imgd_queue_pausing",
        "requests that found the queue full, in their pause before a 503 (IMGD_QUEUE_FULL_PAUSE)",
        admission,
        Admission::pausing);
    for (boolean large : new boolean[] {false, true}) {
      String lane = large ? "large" : "small";
      Gauge.builder("imgd_lane_in_flight", admission, a -> a.inFlight(large))
          .description("slots held by the lane's jobs (IMGD_LARGE_JOB_RESOLUTION)")
          .tag("lane", lane)
          .register(registry);
      FunctionCounter.builder("imgd_lane_jobs", admission, a -> a.jobs(large))
          .description("jobs planned in the lane")
          .tag("lane", lane)
          .register(registry);
    }
    FunctionCounter.builder("imgd_lane_large_waits", admission, Admission::largeWaits)
        .description("large jobs that found their lane full and handed their slot on")
        .register(registry);
  }

  void workers(IsolatedEngine engine) {
    gauge("imgd_workers", "worker processes of the pool", engine, e -> e.stats().size());
    gauge("imgd_workers_live", "worker processes running", engine, e -> e.stats().live());
    gauge("imgd_workers_busy", "worker processes on a job", engine, e -> e.stats().busy());
    // The pool's strength: workers live of imgd_workers, and warm spares ready (one per pool).
    gauge("imgd_workers_spares", "warm spare workers ready", engine, e -> e.stats().spares());
    gauge(
        "imgd_workers_last_start_seconds",
        "how long the last worker took to start",
        engine,
        e -> e.stats().lastStartMillis() / 1000.0);
    gauge(
        "imgd_workers_rss_bytes",
        "resident memory of the worker processes",
        engine,
        e -> e.stats().rss());
    gauge("imgd_memory_libvips_bytes", LIBVIPS_MEMORY, engine, e -> e.stats().vipsMemory());
    FunctionCounter.builder("imgd_workers_replaced", engine, e -> e.stats().replaced())
        .description("worker processes replaced after they ended or were killed")
        .register(registry);
    for (String cause : new String[] {"deadline", "memory", "oom", "crash"}) {
      FunctionCounter.builder(
              "imgd_workers_killed", engine, e -> e.stats().deaths().getOrDefault(cause, 0L))
          .description("worker processes killed, by cause")
          .tag("cause", cause)
          .register(registry);
    }
  }

  /**
   * Per worker pool, tagged pool (stable or canary) and build (its libvips version): jobs by time
   * on the worker (a histogram: p99 with histogram_quantile), failures by code, workers lost to
   * crashes, the window's peak worker memory; and the canary's share and its switch-offs by reason.
   */
  void pools(IsolatedEngine engine) {
    List<IsolatedEngine.PoolReport> reports = engine.poolReports();
    for (int i = 0; i < reports.size(); i++) {
      int index = i;
      IsolatedEngine.PoolReport p = reports.get(i);
      jobTimer(p.role(), p.build()); // listed before the first job
      FunctionCounter.builder(
              "imgd_pool_crashes", engine, e -> e.poolReports().get(index).crashes())
          .description("workers of the pool lost to a crash, out of memory or the memory cap")
          .tags("pool", p.role(), "build", p.build())
          .register(registry);
      Gauge.builder(
              "imgd_pool_worker_peak_bytes",
              engine,
              e -> e.poolReports().get(index).window().peakBytes())
          .description(
              "highest resident memory a worker of the pool reached in the window (measured"
                  + " while a canary runs, else 0)")
          .tags("pool", p.role(), "build", p.build())
          .register(registry);
    }
    engine.onJob(job -> {
      jobTimer(job.pool(), job.libvips()).record(job.took());
      ErrorCode code = job.failure();
      if (code != null) {
        Counter.builder("imgd_pool_failures")
            .description("jobs of the pool that failed, by error code")
            .tags("pool", job.pool(), "build", job.libvips(), "code", code.code())
            .register(registry)
            .increment();
      }
    });
    engine
        .canary()
        .ifPresent(c -> {
          gauge(
              "imgd_canary_percent",
              "the canary's share now, 0 when off",
              c,
              k -> k.state().percent());
          for (Canary.Reason reason : Canary.Reason.values()) {
            FunctionCounter.builder("imgd_canary_switched_off", c, k -> k.offs(reason))
                .description("times the canary was switched off, by the gate crossed (or manual)")
                .tag("reason", reason.label())
                .register(registry);
          }
        });
  }

  private Timer jobTimer(String pool, String build) {
    return Timer.builder("imgd_pool_job_duration")
        .description("jobs on a worker pool, by time on the worker")
        .tags("pool", pool, "build", build)
        .publishPercentileHistogram()
        .register(registry);
  }

  void pressure(Pressure pressure) {
    gauge(
        "imgd_memory_tier",
        "memory pressure tier: 0 normal, 1 reduced, 2 shedding",
        pressure,
        p -> p.tier().level());
    gauge(
        "imgd_memory_measured_bytes",
        "memory last measured against the RSS budget",
        pressure,
        Pressure::lastMeasured);
    gauge(
        "imgd_memory_rss_budget_bytes",
        "resident memory budget of server and workers",
        pressure,
        Pressure::budget);
  }

  /** libvips' tracked memory when it runs in this process. */
  void libvips() {
    gauge("imgd_memory_libvips_bytes", LIBVIPS_MEMORY, this, m -> Vips.stats().memory());
  }

  private <T> void gauge(String name, String help, T obj, ToDoubleFunction<T> f) {
    Gauge.builder(name, obj, f).description(help).register(registry);
  }

  static long heapUsed() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** This process's resident set size, from /proc. */
  static long rss() {
    try {
      String statm = Files.readString(Path.of("/proc/self/statm"));
      return Long.parseLong(statm.split(" ", 3)[1]) * 4096; // size, resident, rest
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  String scrape() {
    return registry.scrape();
  }
}
