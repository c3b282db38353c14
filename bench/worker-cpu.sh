#!/usr/bin/env bash
# What the workers spend per job (issue 17): a fresh server (2 workers and the spare, result cache
# off), 10 jobs to warm up, then N jobs two at a time, each a new curl, and the CPU of the worker
# processes over them, read from /proc; then each worker's RSS and its young and full collections
# (jstat). W1's source by default; --large: W3's, a 6000x4000 JPEG made here; to WIDTH px (720 as
# W1 and W3; 2000 is W6's large request). Compare builds or settings by alternating them in one
# session.
#
#   bench/worker-cpu.sh [--large] [N=100] [WIDTH=720]
source "$(dirname "$0")/lib.sh"
name=w1.jpg
if [ "${1:-}" = --large ]; then
  shift
  mkdir -p "$work/images"
  "$imgd" convert "$images/2569067123_aca715a2ee_o.jpg" "$work/images/large.jpg" \
    --width 6000 --height 4000 --fit force --quality 90 --options el:1 > /dev/null
  name=large.jpg
fi
jobs="${1:-100}" width="${2:-720}"
IMGD_TIMEOUT=60 IMGD_QUEUE_TIMEOUT=60 serve_w1
url="${w1%/w1.jpg@jpg}/$name@jpg"
url="${url/rs:fit:720:0/rs:fit:$width:0}"
run() { seq "$1" | xargs -P 2 -I{} curl -sf -o /dev/null "$url"; }
workers() { proc_tree "$pid" | tail -n +2 | while read -r p; do
  grep -q WorkerMain /proc/"$p"/cmdline 2>/dev/null && echo "$p"; done; }
ticks() { for p in $(workers); do awk '{print $14 + $15}' /proc/"$p"/stat; done | awk '{s += $1} END {print s + 0}'; }
run 10
t0="$(ticks)"
run "$jobs"
t1="$(ticks)"
awk -v t="$((t1 - t0))" -v n="$jobs" -v hz="$(getconf CLK_TCK)" \
  'BEGIN {printf "workers: %.1f CPU ms per job over %d jobs\n", t * 1000 / hz / n, n}'
for p in $(workers); do
  jstat="$(dirname "$(readlink -f /proc/"$p"/exe)")/jstat" # the worker's own JDK
  gc="$("$jstat" -gcutil "$p" | tail -1 | awk '{print "young GCs " $7 ", full GCs " $9}')"
  echo "worker $p: RSS $(awk '/VmRSS/ {print int($2 / 1024)}' /proc/"$p"/status) MiB, $gc"
done
