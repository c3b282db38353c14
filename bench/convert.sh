#!/usr/bin/env bash
# In-process convert benchmark on each libvips build: imgd's pipeline and bare binding (Java),
# the same calls from C (floor.c), and vipsthumbnail where the build ships it. Medians of process
# CPU ms per image; compare figures taken in the same run only.
#
#   bench/convert.sh [--quick]
source "$(dirname "$0")/lib.sh"
image="$images/2569067123_aca715a2ee_o.jpg"
iterations=100; warmup=20
[ "${1:-}" = --quick ] && { iterations=20; warmup=5; }

gcc -O2 -o "$work/floor" "$root/bench/floor.c" -ldl

builds=("$("$imgd" libvips)")
system="$(/sbin/ldconfig -p | awk '/libvips\.so\.42 .*x86-64/ && !found {print $NF; found=1}')"
[ -n "$system" ] && [ "$system" != "${builds[0]}" ] && builds+=("$system")

echo "image: $(basename "$image"), to 720 px wide JPEG q80, lanczos3; $(nproc) cores; $(date -u +%F)"
for lib in "${builds[@]}"; do
  echo "== $lib"
  IMGD_LIBVIPS="$lib" "$imgd" bench-convert --image "$image" --iterations "$iterations" --warmup "$warmup"
  read -r fmin fmed fmax fbytes < <("$work/floor" "$lib" "$image" "$iterations" 2)
  echo "C floor (jpegload shrink=2, resize, jpegsave): median $fmed ms (min $fmin, max $fmax), $fbytes bytes"
  if [ "$lib" = "$system" ] && command -v vipsthumbnail >/dev/null; then
    mkdir -p "$work/in" "$work/out"
    for i in $(seq 1 "$iterations"); do ln -sf "$image" "$work/in/$i.jpg"; done
    TIMEFORMAT="%U %S"
    { time vipsthumbnail -s 720x -o "$work/out/%s.jpg[Q=80,optimize_coding]" "$work/in"/*.jpg 2>/dev/null; } 2> "$work/time"
    read -r user sys < "$work/time"
    awk -v u="$user" -v s="$sys" -v n="$iterations" \
      'BEGIN { printf "vipsthumbnail: %.2f ms CPU per image (mean, process start included)\n", (u + s) * 1000 / n }'
  fi
done
