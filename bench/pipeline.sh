#!/usr/bin/env bash
# Pipeline benchmark (issue 3): peak memory of a 24 MP JPEG to 300 px vs to 3000 px (FM-03), and
# CPU ms per image for three workloads, each with the plan's memory estimate next to the measured
# peak. Every memory figure comes from a fresh process. Compare figures of one run only.
#
#   bench/pipeline.sh [--quick]
source "$(dirname "$0")/lib.sh"
iterations=50; warmup=10
[ "${1:-}" = --quick ] && { iterations=10; warmup=3; }

# A 24 MP JPEG made from the benchmark photo (generated, never committed).
"$imgd" convert "$images/2569067123_aca715a2ee_o.jpg" "$work/24mp.jpg" \
  --width 6000 --height 4000 --fit force --quality 90 --options el:1 >/dev/null

echo "== memory (fresh process per line; $(date -u +%F), libvips $("$imgd" libvips | xargs basename))"
for job in "$work/24mp.jpg|w:300/f:jpg" "$work/24mp.jpg|w:3000/f:jpg" \
  "$images/2569067123_aca715a2ee_o.jpg|w:720/q:80/f:jpg" \
  "$images/alpha-premultiply-2048x1536-paper.png|w:720/q:80/f:webp" \
  "$images/2569067123_aca715a2ee_o.jpg|w:720/f:avif" "$images/animated-loop-3.gif|w:200/f:gif"; do
  # glibc with small mmap threshold and no trim pad: freed memory leaves RSS at once.
  IMGD_ALLOCATOR=glibc MALLOC_MMAP_THRESHOLD_=65536 MALLOC_TRIM_THRESHOLD_=0 MALLOC_TOP_PAD_=0 \
    "$imgd" bench-memory "${job%%|*}" --options "${job#*|}"
done

echo "== CPU per image (median of 5 batch means)"
for job in "$images/2569067123_aca715a2ee_o.jpg|w:720/q:80/f:jpg" \
  "$images/alpha-premultiply-2048x1536-paper.png|w:720/q:80/f:webp" \
  "$images/2569067123_aca715a2ee_o.jpg|w:720/f:avif"; do
  echo -n "$(basename "${job%%|*}") ${job#*|}: "
  "$imgd" bench-convert --image "${job%%|*}" --options "${job#*|}" \
    --iterations "$iterations" --warmup "$warmup" | sed 's/; binding only.*;/;/'
done
