#!/usr/bin/env bash
# Side-by-side server benchmark (issue 6): imgd against the sharp peer (bench/peer-sharp),
# on this machine, with wrk on loopback. Starts both servers, checks that both answer every
# workload with a valid image of the right width (and compares output sizes), then runs each
# workload against each server alternately (A B A B) for a number of rounds and prints, per
# server and workload, req/s, p50 and p99 latency, server CPU ms per request and peak RSS (the
# server's whole process tree: imgd's worker processes count), output bytes, and the imgd/peer
# ratios as min-median-max over the rounds, then the issue's targets. Compare figures of one
# run only.
#
#   bench/server.sh [--quick] [--rounds N] [--duration S] [--workloads W1,W2,...]
#                   [--mode isolated|in-process] [--charts DIR]
#
# --charts DIR: SVG charts of the run written there by bench/server-report.js (req/s and p99 per
# workload, peak RSS per process, good-put against offered load).
#
#   W1  2569067123_aca715a2ee_o.jpg (2725x2225) to 720 px wide JPEG q80, 16 connections
#   W2  alpha-premultiply-2048x1536-paper.png to 720 px wide WebP q80, 4 connections, twice the
#       duration (half a second of CPU per image)
#   W3  a 6000x4000 JPEG (generated here with imgd) to 720 px wide JPEG q80, 16 connections
#   W4  W1 on a second imgd with its result cache on and warm (the hit path); the peer does W1
#   W5  W1 to AVIF q80, 2 connections, four times the duration (one image takes seconds of CPU)
#   W6  mixed traffic: 90% W1, 10% the 6000x4000 JPEG to 2000 px wide JPEG q80, 32 connections
#       (bench/load.js mix: the small requests' latency apart, which wrk's Lua cannot give)
#   W7  thundering herd: 64 requests at once for one variant not cached yet, on the imgd with the
#       result cache (as W4); per round a new variant (q:40+2r, q:41+2r), one request alone first
#       for its time; the jobs imgd ran, from its /metrics; the peer has no cache: 64 jobs
#   OV  overload: W1 at 256 connections whose clients send again as soon as a 503 comes (wrk,
#       bench/wrk-overload.lua), /health polled every 100 ms meanwhile; good-put is the 2xx/s
#   floor: W1 through the libvips binding alone in one process (./imgd bench-convert, "binding
#          only"; bench/floor.c's C figure printed beside it), measured in every round.
#
# imgd runs with a 60 s deadline (IMGD_TIMEOUT, IMGD_QUEUE_TIMEOUT; defaults 10 and 5 s): on a
# shared machine one AVIF image can take longer than 10 s of wall time, and the peer has no
# deadline. --quick (CI): 1 round of 3 s after 2 s of warm-up, W1, W4 and W7, about a minute. Exit
# status: 1 when a server does not answer correctly (or a step fails), 3 when a target is missed
# (never with --quick: CI figures are too noisy), else 0. Any other IMGD_* variable in the
# environment reaches both imgd servers (e.g. IMGD_LIBVIPS_SYSTEM=off). Needs node and npm (the peer), wrk and vips (Debian
# packages wrk and libvips-tools, installed when missing and running as root).
source "$(dirname "$0")/lib.sh"
bench="$root/bench"

rounds=3 duration=20 warm=20 workloads=W1,W2,W3,W4,W5,W6,W7,OV mode=isolated quick=0 charts=""
floor_iterations=60 floor_warmup=20
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 rounds=1 duration=3 warm=2 workloads=W1,W4,W7 floor_iterations=10 floor_warmup=5 ;;
    --rounds) rounds="$2"; shift ;;
    --duration) duration="$2"; shift ;;
    --workloads) workloads="$2"; shift ;;
    --mode) mode="$2"; shift ;;
    --charts) charts="$2"; shift ;;
    -h|--help) sed -n '2,/^source/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done
case "$mode" in isolated|in-process) ;; *) echo "--mode is isolated or in-process" >&2; exit 2 ;; esac
IFS=, read -r -a wl <<< "$workloads"
for w in "${wl[@]}"; do
  case "$w" in W1|W2|W3|W4|W5|W6|W7|OV) ;; *) echo "unknown workload $w (W1-W7, OV)" >&2; exit 2 ;; esac
done
has() { [[ ",$workloads," == *",$1,"* ]]; }

say() { echo "bench: $*" >&2; }
die() { say "FAIL: $*"; exit 1; }

# Tools: wrk and vips from Debian; node and npm for the peer.
need=""
command -v wrk >/dev/null || need="$need wrk"
command -v vipsheader >/dev/null || need="$need libvips-tools"
if [ -n "$need" ]; then
  [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null || die "install$need (Debian packages)"
  say "installing$need with apt-get"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null 2>&1 ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null; }
fi
command -v node >/dev/null && command -v npm >/dev/null || die "the peer needs node and npm"

# The peer: its own server.js, run unchanged, with sharp installed beside this script (ignored by
# git) from the peer's package.json.
peer_src="$bench/peer-sharp"
peer_dir="$bench/.peer-sharp"
[ -f "$peer_src/server.js" ] || die "no peer at $peer_src"
if ! cmp -s "$peer_src/package.json" "$peer_dir/package.json" || [ ! -d "$peer_dir/node_modules/sharp" ]; then
  say "installing the peer's dependencies (npm)"
  mkdir -p "$peer_dir"
  cp "$peer_src/package.json" "$peer_dir/package.json"
  (cd "$peer_dir" && npm install --no-audit --no-fund --silent >/dev/null) || die "npm install failed"
fi

# imgd: build now if sources changed, so that no server start builds.
"$imgd" doctor >/dev/null 2>&1 || die "./imgd doctor failed"
libvips="$("$imgd" libvips)"

# The served folder: the two test images and the generated 6000x4000 JPEG (never committed).
mkdir -p "$work/images"
cp "$images/2569067123_aca715a2ee_o.jpg" "$images/alpha-premultiply-2048x1536-paper.png" "$work/images/"
if has W3 || has W6; then
  "$imgd" convert "$images/2569067123_aca715a2ee_o.jpg" "$work/images/generated-6000x4000.jpg" \
    --width 6000 --height 4000 --fit force --quality 90 --options el:1 >/dev/null 2>&1 ||
    die "could not generate the 6000x4000 JPEG"
  [ "$(vipsheader -f width "$work/images/generated-6000x4000.jpg")x$(vipsheader -f height "$work/images/generated-6000x4000.jpg")" = 6000x4000 ] ||
    die "the generated JPEG is not 6000x4000"
fi

# Per workload: source, imgd extension, peer format, loader that must read the answer, width,
# connections, duration multiplier. W6's URL is its large request (its small one is W1's).
declare -A src ext pfmt loader width conns mult
for w in W1 W4 W5 W7 OV; do src[$w]=2569067123_aca715a2ee_o.jpg ext[$w]=jpg pfmt[$w]=jpeg loader[$w]=jpegload width[$w]=720 conns[$w]=16 mult[$w]=1; done
src[W2]=alpha-premultiply-2048x1536-paper.png ext[W2]=webp pfmt[W2]=webp loader[W2]=webpload width[W2]=720 conns[W2]=4 mult[W2]=2
for w in W3 W6; do src[$w]=generated-6000x4000.jpg ext[$w]=jpg pfmt[$w]=jpeg loader[$w]=jpegload width[$w]=720 conns[$w]=16 mult[$w]=1; done
ext[W5]=avif pfmt[W5]=avif loader[W5]=heifload conns[W5]=2 mult[W5]=4
width[W6]=2000 conns[W6]=32 conns[OV]=256

# Servers: pids and ports; all stopped on exit, worker processes included.
declare -A pid port
pids_of_tree() {
  local p=$1
  echo "$p"
  for c in $(cat /proc/"$p"/task/*/children 2>/dev/null); do pids_of_tree "$c"; done
}
stop_servers() {
  local all=() s p
  for s in "${!pid[@]}"; do
    kill -0 "${pid[$s]}" 2>/dev/null && all+=($(pids_of_tree "${pid[$s]}"))
  done
  [ ${#all[@]} -gt 0 ] || return 0
  for s in "${!pid[@]}"; do kill -TERM "${pid[$s]}" 2>/dev/null || true; done
  for _ in $(seq 1 50); do
    local alive=0
    for p in "${all[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break
    sleep 0.2
  done
  for p in "${all[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
}
trap 'stop_servers; rm -rf "$work"' EXIT

free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 30000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}

start_imgd() { # name cache_bytes
  port[$1]="$(free_port)"
  IMGD_BIND="127.0.0.1:${port[$1]}" IMGD_LOCAL_ROOT="$work/images" IMGD_CACHE_MAX_BYTES="$2" \
    IMGD_WORKERS=2 IMGD_MODE="$mode" IMGD_LOG_LEVEL=WARN IMGD_KEY="" IMGD_SALT="" \
    IMGD_TIMEOUT=60 IMGD_QUEUE_TIMEOUT=60 IMGD_METRICS=public \
    "$imgd" serve > "$work/$1.log" 2>&1 &
  pid[$1]=$!
}
start_peer() {
  port[peer]="$(free_port)"
  NODE_PATH="$peer_dir/node_modules" node "$peer_src/server.js" --root "$work/images" \
    --port "${port[peer]}" > "$work/peer.log" 2>&1 &
  pid[peer]=$!
}
wait_ready() { # name path
  local t0=$SECONDS
  until curl -sf -o /dev/null "http://127.0.0.1:${port[$1]}$2"; do
    kill -0 "${pid[$1]}" 2>/dev/null || { tail -20 "$work/$1.log" >&2; die "$1 exited during start"; }
    [ $((SECONDS - t0)) -lt 300 ] || die "$1 not ready after 300 s"
    sleep 0.5
  done
  say "$1 ready in $((SECONDS - t0)) s (pid ${pid[$1]}, port ${port[$1]})"
}

url() { # server workload [quality]
  if [ "$1" = peer ]; then
    echo "http://127.0.0.1:${port[peer]}/resize?src=${src[$2]}&w=${width[$2]}&format=${pfmt[$2]}&q=${3:-80}"
  else
    echo "http://127.0.0.1:${port[$1]}/insecure/rs:fit:${width[$2]}:0/q:${3:-80}/plain/local:///${src[$2]}@${ext[$2]}"
  fi
}
imgd_for() { case "$1" in W4|W7) echo imgd-cache ;; *) echo imgd ;; esac; }

say "load average before start: $(cut -d' ' -f1-3 /proc/loadavg)"
start_imgd imgd 0
cached=0; { has W4 || has W7; } && cached=1
[ $cached = 1 ] && start_imgd imgd-cache 268435456
start_peer
wait_ready imgd /ready
[ $cached = 1 ] && wait_ready imgd-cache /ready
wait_ready peer /health

# Correctness: every answer is a whole image of the expected format, 720 px wide.
declare -A bytes
check() { # server workload
  local out="$work/check-$1-$2" code
  code="$(curl -s -o "$out" -w '%{http_code}' "$(url "$1" "$2")")"
  [ "$code" = 200 ] || die "$1 answered $2 with HTTP $code: $(head -c 300 "$out")"
  local got
  got="$(vipsheader -f vips-loader "$out" 2>/dev/null)" || die "$1's answer to $2 is not an image"
  [ "$got" = "${loader[$2]}" ] || die "$1's answer to $2 is read by $got, not ${loader[$2]}"
  local w
  w="$(vipsheader -f width "$out")"
  [ "$w" = "${width[$2]}" ] || die "$1's answer to $2 is $w px wide, not ${width[$2]}"
  vips avg "$out" >/dev/null 2>&1 || die "$1's answer to $2 does not decode whole"
  bytes[$1,$2]=$(stat -c %s "$out")
}
for w in "${wl[@]}"; do
  [ "$w" = W7 ] && continue # load.js herd compares the herd's bodies
  check "$(imgd_for "$w")" "$w"
  check peer "$w"
  say "$w answers: imgd ${bytes[$(imgd_for "$w"),$w]} bytes, peer ${bytes[peer,$w]} bytes ($(awk -v a="${bytes[$(imgd_for "$w"),$w]}" -v b="${bytes[peer,$w]}" 'BEGIN{printf "%.3f", a/b}')x)"
done

# One wrk run with the server's process tree sampled every 200 ms; appends a line to results.
results="$work/results.tsv"
: > "$results"
run() { # round server workload seconds [record]
  local r=$1 s=$2 w=$3 secs=$4 tag="$work/run-$1-$2-$3"
  local tpid p=${pid[$2]}
  rm -f "$tag.stop"
  CLK_TCK="$(getconf CLK_TCK)" node "$bench/proctree.js" "$p" 200 "$tag.stop" > "$tag.tree" &
  tpid=$!
  for _ in $(seq 1 100); do grep -q READY "$tag.tree" 2>/dev/null && break; sleep 0.1; done
  local ppid="" script="$bench/wrk-report.lua"
  if [ "$w" = OV ]; then # /health polled meanwhile; 503s and their Retry-After counted
    node "$bench/load.js" poll "http://127.0.0.1:$(port_of "$s")/health" 100 "$tag.stop" > "$tag.poll" &
    ppid=$!
    script="$bench/wrk-overload.lua"
  fi
  if [ "$w" = W6 ]; then
    node "$bench/load.js" mix "$(url "$s" W1)" "$(url "$s" W6)" 0.1 "${conns[$w]}" "$secs" > "$tag.wrk" 2>&1 || true
  else
    wrk -t2 -c"${conns[$w]}" -d"${secs}s" --timeout 120s --latency -s "$script" \
      "$(url "$s" "$w")" > "$tag.wrk" 2>&1 || true
  fi
  touch "$tag.stop"
  for q in $tpid $ppid; do
    for _ in $(seq 1 50); do kill -0 "$q" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$q" 2>/dev/null || true
    wait "$q" 2>/dev/null || true
  done
  kill -0 "$p" 2>/dev/null || { tail -20 "$work/$s.log" >&2; die "$s died during $w"; }
  grep -q '^WRK ' "$tag.wrk" || { cat "$tag.wrk" >&2; die "wrk failed on $s $w"; }
  grep -q '^TREE ' "$tag.tree" || die "no process sample for $s $w"
  [ "${5:-}" = record ] || return 0
  local line
  line="$(grep '^WRK ' "$tag.wrk") $(grep '^TREE ' "$tag.tree") $({ grep -h '^OVERLOAD \|^POLL ' "$tag.wrk" "$tag.poll" 2>/dev/null || true; } | tr '\n' ' ')"
  echo "round=$r server=$s workload=$w load=$(cut -d' ' -f1 /proc/loadavg) $line" >> "$results"
  awk -v l="$line" -v s="$s" -v w="$w" -v r="$r" 'BEGIN {
    n = split(l, kv, " "); for (i = 1; i <= n; i++) { split(kv[i], p, "="); v[p[1]] = p[2] }
    ok = v["requests"] - v["status"]; sec = v["duration_us"] / 1e6
    printf "bench: round %s %s %-10s %7.1f req/s  p50 %6.0f ms  p99 %6.0f ms  %6.1f CPU ms/req  peak RSS %5.0f MiB (%s)%s\n",
      r, w, s, ok / sec, v["p50_us"] / 1e3, v["p99_us"] / 1e3, ok ? v["cpu_ms"] / ok : 0,
      v["peak_rss_kb"] / 1024, v["peak_parts"],
      (v["status"] + v["timeout"] + v["connect"] + v["read"] + v["write"]) ? \
        sprintf("  ERRORS: %d non-2xx, %d timeouts, %d socket", v["status"], v["timeout"], v["connect"] + v["read"] + v["write"]) : ""
    if ("small_p99_us" in v) printf "bench:   W6 small p99 %.0f ms (%d requests), large p99 %.0f ms (%d)\n",
      v["small_p99_us"] / 1e3, v["small_requests"], v["large_p99_us"] / 1e3, v["large_requests"]
    if ("refused" in v) printf "bench:   OV %.0f 503/s (%d without Retry-After), /health p99 %.1f ms (%d polls, %d ok)\n",
      v["refused"] / sec, v["no_retry_after"], v["poll_p99_us"] / 1e3, v["polls"], v["poll_ok"]
  }' >&2
}
port_of() { echo "${port[$1]}"; }

# W7: one request alone for a new variant (its time), then a herd of 64 for another new one; the
# jobs imgd ran are the renders its /metrics counted meanwhile.
renders() { # server: renders so far (imgd), from /metrics
  curl -s "http://127.0.0.1:${port[$1]}/metrics" |
    awk '/^imgd_stage_duration_seconds_count\{stage="processing"\}/ {r=$2} /^imgd_coalesced_requests_total / {c=$2} END {printf "%d %d", r, c}'
}
herd() { # round server [record]
  local r=$1 s=$2 single line before after jobs=-1 coalesced=-1
  single="$(node "$bench/load.js" herd "$(url "$s" W7 $((40 + 2 * r)))" 1 | sed -n 's/.* p50_us=\([0-9]*\).*/\1/p')"
  [ "$s" = peer ] || before="$(renders "$s")"
  line="$(node "$bench/load.js" herd "$(url "$s" W7 $((41 + 2 * r)))" 64)"
  if [ "$s" != peer ]; then
    after="$(renders "$s")"
    jobs=$(( ${after% *} - ${before% *} )) coalesced=$(( ${after#* } - ${before#* } ))
  fi
  [ "${3:-}" = record ] || return 0
  echo "round=$r server=$s workload=W7 load=$(cut -d' ' -f1 /proc/loadavg) $line single_us=$single jobs=$jobs coalesced=$coalesced" >> "$results"
  say "round $r W7 $s: $line, one request alone $((single / 1000)) ms, jobs $jobs, coalesced $coalesced"
}

# The floor: W1 through the binding alone, in one process, between rounds (servers idle).
floors="$work/floors.txt"
: > "$floors"
floor_bin=""
if has W1 && command -v gcc >/dev/null; then
  gcc -O2 -o "$work/floor" "$bench/floor.c" -ldl && floor_bin="$work/floor"
fi
floor() { # round
  has W1 || return 0
  local line shrink c=""
  line="$("$imgd" bench-convert --image "$work/images/${src[W1]}" --iterations "$floor_iterations" \
    --warmup "$floor_warmup" 2>/dev/null | grep '^libvips')" || die "bench-convert failed"
  shrink="$(sed -n 's/.*shrink-on-load \([0-9]*\).*/\1/p' <<< "$line")"
  [ -n "$floor_bin" ] && c="$("$floor_bin" "$libvips" "$work/images/${src[W1]}" "$floor_iterations" "$shrink" | cut -d' ' -f2)"
  echo "round=$1 $(sed -n 's/.*imgd pipeline \([0-9.]*\) ms.*binding only \([0-9.]*\) ms.*/pipeline=\1 binding=\2/p' <<< "$line") c=${c:-n/a}" >> "$floors"
  say "round $1 floor: $(tail -1 "$floors")"
}

# Warm-up (not recorded): JIT, caches, and W4's result cache.
for w in "${wl[@]}"; do
  if [ "$w" = W7 ]; then herd 0 imgd-cache; herd 0 peer; continue; fi
  run 0 "$(imgd_for "$w")" "$w" "$warm"
  run 0 peer "$w" "$warm"
done
for r in $(seq 1 "$rounds"); do
  floor "$r"
  for w in "${wl[@]}"; do
    if [ "$w" = W7 ]; then herd "$r" imgd-cache record; herd "$r" peer record; continue; fi
    run "$r" "$(imgd_for "$w")" "$w" $((duration * ${mult[$w]})) record
    run "$r" peer "$w" $((duration * ${mult[$w]})) record
  done
done
if has W4; then
  hits="$(curl -s "http://127.0.0.1:${port[imgd-cache]}/metrics" | awk '/^imgd_cache_requests_total\{result="hit"\}/ {h=$2} /^imgd_cache_requests_total\{result="miss"\}/ {m=$2} END {printf "%d hits, %d misses", h, m}')"
  say "W4 result cache: $hits"
fi

# Meta and the tables.
{
  echo "date=$(date -u +%F)"
  echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "mode=$mode"
  echo "rounds=$rounds duration=$duration warm=$warm"
  echo "imgd=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "libvips=$(basename "$libvips")"
  echo "peer=$(head -1 "$work/peer.log" | sed 's/.*sharp=/sharp /; s/ libvips=/, libvips /; s/ concurrency=/, sharp.concurrency /')"
  echo "node=$(node --version)"
  echo "java=$("$imgd" doctor 2>/dev/null | sed -n 's/^java: *\([^ ]*\).*/\1/p')"
  echo "wrk=$(wrk -v 2>&1 | head -1 | cut -d' ' -f2)"
  echo "cpus=$(nproc)"
  for w in "${wl[@]}"; do [ "$w" = W7 ] || echo "bytes $w ${bytes[$(imgd_for "$w"),$w]} ${bytes[peer,$w]}"; done
  [ "${hits:-}" ] && echo "w4cache=$hits"
} > "$work/meta.txt"
node "$bench/server-report.js" "$results" "$floors" "$work/meta.txt" "$quick" ${charts:+"$(realpath -m "$charts")"}
