# Shared prologue of the bench scripts; source it first:
#   source "$(dirname "$0")/lib.sh"
# Sets root (the checkout), imgd (the launcher, which finds JDK 25, builds and resolves libvips),
# images (the test images, test-images/) and work (a temporary directory removed on exit).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
imgd="$root/imgd"
images="$root/test-images"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# A fresh imgd on a random loopback port serving W1's source (result cache off, warnings only;
# the environment passes through), stopped on exit: sets pid, port and w1 (W1's URL).
serve_w1() {
  mkdir -p "$work/images"
  cp "$images/2569067123_aca715a2ee_o.jpg" "$work/images/w1.jpg"
  port=$((20000 + RANDOM % 30000))
  IMGD_BIND="127.0.0.1:$port" IMGD_LOCAL_ROOT="$work/images" IMGD_CACHE_MAX_BYTES=0 \
    IMGD_WORKERS="${IMGD_WORKERS:-2}" \
    IMGD_LOG_LEVEL=WARN IMGD_TIMEOUT="${IMGD_TIMEOUT:-120}" \
    IMGD_QUEUE_TIMEOUT="${IMGD_QUEUE_TIMEOUT:-120}" "$imgd" serve > "$work/log" 2>&1 &
  pid=$!
  trap 'kill -TERM "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
  until curl -sf -o /dev/null "http://127.0.0.1:$port/ready"; do
    kill -0 "$pid" 2>/dev/null || { tail -5 "$work/log"; exit 1; }
    sleep 0.3
  done
  w1="http://127.0.0.1:$port/insecure/rs:fit:720:0/q:80/plain/local:///w1.jpg@jpg"
}

# A process and its descendants, one pid a line.
proc_tree() {
  echo "$1"
  for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do proc_tree "$c"; done
}
