-- wrk script for bench/server.sh: one machine-readable line at the end of a run.
--   wrk ... -s bench/wrk-report.lua URL
-- Latencies in microseconds; "status" counts answers that were not 2xx or 3xx.
done = function(summary, latency, requests)
  io.write(string.format(
    "WRK requests=%d duration_us=%d bytes=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d"
      .. " connect=%d read=%d write=%d status=%d timeout=%d\n",
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout))
end
