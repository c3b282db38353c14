#!/usr/bin/env bash
# Where imgd's CPU goes at W1 under a closed loop of C connections (issue 17): a fresh server (2
# workers and the spare, result cache off), wrk at C connections for 20 s whose clients send again
# as soon as any answer comes (bench/wrk-overload.lua, as OV), and over the middle 12 s the cores
# used by the server JVM, by its workers and by wrk, read from /proc. Prints those and the 2xx and
# 503 answers a second. C=16 is W1, C=256 is OV. Compare settings or builds by alternating them in
# one session (environment variables such as IMGD_QUEUE_FULL_PAUSE or IMGD_JAVA_OPTS pass through).
#
#   bench/tree-cpu.sh [C=256]
source "$(dirname "$0")/lib.sh"
conns="${1:-256}"
IMGD_TIMEOUT=60 IMGD_QUEUE_TIMEOUT=60 serve_w1
wrk -t2 -c16 -d8s "$w1" > /dev/null # warm-up
ticks() { for p in "$@"; do awk '{print $14 + $15}' /proc/"$p"/stat 2>/dev/null || true; done | awk '{s += $1} END {print s + 0}'; }
workers() { proc_tree "$pid" | tail -n +2; }
wrk -t2 -c"$conns" -d20s -s "$root/bench/wrk-overload.lua" "$w1" > "$work/wrk" 2>&1 &
load=$!
sleep 4
s0="$(ticks "$pid")"; p0="$(ticks $(workers))"; k0="$(ticks "$load")"; t0="$(date +%s.%N)"
sleep 12
s1="$(ticks "$pid")"; p1="$(ticks $(workers))"; k1="$(ticks "$load")"; t1="$(date +%s.%N)"
wait "$load"
hz="$(getconf CLK_TCK)"
awk -v s="$((s1 - s0))" -v w="$((p1 - p0))" -v k="$((k1 - k0))" -v t="$(echo "$t1 - $t0" | bc -l)" -v hz="$hz" \
  'BEGIN {printf "cores: server JVM %.3f, workers %.3f, wrk %.3f\n", s / hz / t, w / hz / t, k / hz / t}'
awk '/^WRK/ {for (i = 2; i <= NF; i++) {split($i, a, "="); v[a[1]] = a[2]}
  d = v["duration_us"] / 1e6; printf "2xx/s %.1f, 503/s %.1f\n", (v["requests"] - v["status"]) / d, v["status"] / d}' "$work/wrk"
