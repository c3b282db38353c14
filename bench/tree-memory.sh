#!/usr/bin/env bash
# Memory of imgd's whole process tree for a fixed amount of W1 work (issue 17): a fresh server
# (2 workers and the spare, result cache off) takes N W1 requests, P at a time; every 250 ms the
# RSS, PSS and anonymous memory of each process are read from /proc. Prints the tree's peak RSS
# and PSS, each process's peak, the same once idle, and the tree's CPU time per request. A fixed
# count of requests, not a fixed time, so a busy machine changes how long it takes but not the
# work measured: compare settings by alternating them in one session (environment variables such
# as MALLOC_CONF or IMGD_MODE=in-process pass through).
#
#   bench/tree-memory.sh [N=300] [P=16]
source "$(dirname "$0")/lib.sh"
n="${1:-300}" par="${2:-16}"
serve_w1
trap 'touch "$work/stop"; kill -TERM "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
sample() {
  for p in $(proc_tree "$pid"); do
    awk -v p="$p" '/^Rss:/{r=$2} /^Pss:/{s=$2} /^Anonymous:/{a=$2} END{if (r) printf "%s %d %d %d\n", p, r, s, a}' \
      /proc/"$p"/smaps_rollup 2>/dev/null || true
  done
}
cpu() { for p in $(proc_tree "$pid"); do awk '{print $14 + $15}' /proc/"$p"/stat 2>/dev/null || true; done | awk '{s += $1} END {print s + 0}'; }
( while [ ! -f "$work/stop" ]; do echo T; sample; sleep 0.25; done ) > "$work/samples" &
sampler=$!
c0="$(cpu)"; t0="$(date +%s.%N)"
seq "$n" | xargs -P "$par" -I{} curl -s -o /dev/null -w '%{http_code}\n' "$w1" | sort | uniq -c |
  awk '{printf "%s answers %s; ", $1, $2}'
c1="$(cpu)"; t1="$(date +%s.%N)"
touch "$work/stop"; wait "$sampler"
echo "$n requests in $(echo "$t1 - $t0" | bc) s, tree CPU $(( (c1 - c0) * 1000 / $(getconf CLK_TCK) / n )) ms per request"
awk '/^T/ { if (n) { if (r > pr) pr = r; if (s > ps) ps = s } r = 0; s = 0; n = 1; next }
     { r += $2; s += $3; if ($2 > peak[$1]) { peak[$1] = $2; anon[$1] = $4 } }
     END { printf "peak tree RSS %d MiB, PSS %d MiB; each process peak RSS/anonymous MiB:", pr / 1024, ps / 1024;
           for (p in peak) printf " %d/%d", peak[p] / 1024, anon[p] / 1024; print "" }' "$work/samples"
sleep 3
echo "idle after, each process RSS/anonymous MiB: $(sample | awk '{printf "%d/%d ", $2 / 1024, $4 / 1024}')"
