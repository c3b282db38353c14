#!/usr/bin/env bash
# What the allocator's decay costs a request that comes after a quiet spell (issue 17): jemalloc
# hands freed pages back to the kernel once they have been unused for dirty_decay_ms, and the next
# job faults them in again. A fresh server (2 workers and the spare, result cache off, the mode from
# IMGD_MODE), 20 s of W1 at 4 connections, then the process tree's RSS right after, 3 s and 12 s
# after, and the median time of 5 single W1 requests each sent after 0.2, 2, 4 and 8 s of quiet.
# Compare allocator settings by alternating them in one session, e.g.
#
#   bench/idle-latency.sh
#   MALLOC_CONF=dirty_decay_ms:10000,muzzy_decay_ms:0,background_thread:true,narenas:1 bench/idle-latency.sh
source "$(dirname "$0")/lib.sh"
serve_w1
rss() { for p in $(proc_tree "$pid"); do awk '/^VmRSS/ {print $2}' /proc/"$p"/status 2>/dev/null || true; done | awk '{s += $1} END {printf "%d MiB", s / 1024}'; }
wrk -t1 -c4 -d20s "$w1" > /dev/null
echo "tree RSS after the load: $(rss), 3 s later: $(sleep 3; rss), 12 s later: $(sleep 9; rss)"
for quiet in 0.2 2 4 8; do
  ms="$(for _ in 1 2 3 4 5; do sleep "$quiet"; curl -s -o /dev/null -w '%{time_total}\n' "$w1"; done | sort -n | sed -n 3p)"
  echo "after $quiet s of quiet: median $(echo "$ms * 1000" | bc -l | cut -d. -f1) ms"
done
