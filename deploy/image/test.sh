#!/usr/bin/env bash
# The image's test, without a container engine: unpack the OCI layout `./imgd image` wrote (umoci)
# and run it as a runtime would: the root file system in its own pid, mount, network, UTS and IPC
# namespaces (the network: loopback only), chrooted, as the image's user, with its entry point,
# environment and working folder. Then /health answers, the image's own health check passes, and
# images are converted by both libvips builds (JPEG to WebP by 8.18, HEIC to JPEG by Debian's 8.14,
# a POSTed PNG). Also checked: the config (non-root user, port, health check, labels) and that no
# compiler, Maven, apt lists or caches, or manual pages are inside.
#
#   deploy/image/test.sh LAYOUT [TAG]      (./imgd image --test builds, then runs this)
#
# Needs root (the unpacked files keep their owners), unshare, chroot, ip, curl, jq, umoci, skopeo.
set -euo pipefail

layout="$1"
tag="${2:-}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
say() { echo "image test: $*" >&2; }
fail() { say "FAILED: $*"; exit 1; }
[ "$(id -u)" = 0 ] || fail "needs root: the unpacked root file system keeps its files' owners"
[ -n "$tag" ] || tag="$(jq -r '.manifests[0].annotations["org.opencontainers.image.ref.name"]' "$layout/index.json")"
started=$(date +%s)

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The config as a registry would serve it (raw: the parsed form drops Docker's Healthcheck).
config="$(skopeo inspect --config --raw "oci:$layout:$tag")"
c() { jq -r "$1" <<<"$config"; }
version="$(sed -n '0,/<version>/s:.*<version>\(.*\)</version>.*:\1:p' "$root/pom.xml")"
[[ "$(c .config.User)" =~ ^[1-9][0-9]*:[1-9][0-9]*$ ]] || fail "the image's user is $(c .config.User), not a fixed non-root uid:gid"
[ "$(c '.config.ExposedPorts | keys | join(",")')" = 8080/tcp ] || fail "the exposed ports are $(c .config.ExposedPorts)"
[ "$(c '.config.Healthcheck.Test[0]')" = CMD ] || fail "no health check in the config"
[ "$(c '.config.Labels["org.opencontainers.image.version"]')" = "$version" ] || fail "the version label is not $version"
[ "$(c '.config.Labels["org.opencontainers.image.licenses"]')" = Apache-2.0 ] || fail "no licences label"
layer_bytes="$(skopeo inspect --raw "oci:$layout:$tag" | jq '[.layers[].size] | add')"

umoci unpack --image "$layout:$tag" "$work/bundle" >/dev/null
rootfs="$work/bundle/rootfs"
spec="$work/bundle/config.json"
unpacked_mib="$(du -sm "$rootfs" | cut -f1)"
say "image $layout:$tag: layer $((layer_bytes >> 20)) MiB compressed, $unpacked_mib MiB unpacked"

# What must not be inside.
for banned in usr/bin/gcc usr/bin/cc usr/bin/javac usr/bin/mvn usr/share/maven usr/bin/apt-get opt/imgd/java/bin/javac opt/imgd/java/include; do
  [ ! -e "$rootfs/$banned" ] || fail "/$banned is in the image"
done
leftovers="$(cd "$rootfs" && find var/lib/apt/lists var/cache/apt usr/share/man usr/share/doc -type f \
  ! -name lock ! -name copyright 2>/dev/null | head -5)"
[ -z "$leftovers" ] || fail "apt lists, caches or manual pages in the image: $leftovers"

# The request's images, in the image's local root (IMGD_LOCAL_ROOT=/images).
mkdir -p "$rootfs/proc" "$rootfs/dev" "$rootfs/tmp"
cp "$root/test-images/Landscape_1.jpg" "$root/test-images/landscape-1.heic" "$rootfs/images/"
chmod 644 "$rootfs/images"/*

mapfile -t env < <(jq -r '.process.env[]' "$spec")
# A setting from the environment, as a runtime passes one: the HEIC pool starts its first worker
# on its first job, which takes more than the default 10 s on a loaded machine.
env+=(IMGD_TIMEOUT=60)
mapfile -t args < <(jq -r '.process.args[]' "$spec")
user="$(jq -r '"\(.process.user.uid):\(.process.user.gid)"' "$spec")"
cwd="$(jq -r .process.cwd "$spec")"
[ "$user" = "$(c .config.User)" ] || fail "umoci's runtime user $user is not the config's"

# Inside the namespaces: a fresh /proc (--mount-proc), the host's /dev, a /tmp of its own, loopback
# up; the server chrooted as the image's user; the checks from the same network namespace.
inside() {
  ip link set lo up
  [ "$(ip -o link show | wc -l)" = 1 ] || fail "the network namespace has more than loopback"
  mount --rbind /dev "$rootfs/dev"
  mount -t tmpfs -o mode=1777 tmpfs "$rootfs/tmp"
  in_image() { chroot --userspec="$user" "$rootfs" /usr/bin/env -i -C "$cwd" "${env[@]}" "$@"; }
  in_image "${args[@]}" >"$work/server.log" 2>&1 &
  local server=$!
  local deadline=$((SECONDS + 120))
  until curl -fsS -o /dev/null http://127.0.0.1:8080/health 2>/dev/null; do
    kill -0 "$server" 2>/dev/null || { tail -20 "$work/server.log" >&2; fail "the server stopped"; }
    [ $SECONDS -lt $deadline ] || { tail -20 "$work/server.log" >&2; fail "no /health within 120 s"; }
    sleep 0.5
  done
  say "/health answers after $(($(date +%s) - started)) s since the test began"
  # Every java process (the server and its workers) runs as the image's user.
  local uids
  uids="$(for s in "$rootfs"/proc/[0-9]*/status; do
    awk '/^Name:/ {n = $2} /^Uid:/ && n == "java" {print $2}' "$s" 2>/dev/null || true
  done | sort -u)"
  [ "$uids" = "${user%%:*}" ] || fail "java runs as uid ${uids:-none}, not as ${user%%:*}"
  in_image /opt/imgd/bin/healthcheck || fail "the image's health check fails on a running server"

  convert() { # URL-or-POST expected-type magic-hex-prefix
    local what="$1" type="$2" magic="$3" got
    if [ "$what" = POST ]; then
      got="$(curl -sS -o "$work/out" -w '%{http_code} %{content_type}' --data-binary "@$root/test-images/imgproxy-test1.png" \
        'http://127.0.0.1:8080/process?rs:fit:120:0/f:png')"
    else
      got="$(curl -sS -o "$work/out" -w '%{http_code} %{content_type}' "http://127.0.0.1:8080/insecure/$what")"
    fi
    [ "$got" = "200 $type" ] || { tail -5 "$work/server.log" >&2; fail "$what answered $got: $(head -c 300 "$work/out")"; }
    [[ "$(head -c 4 "$work/out" | od -An -tx1 | tr -d ' \n')" == "$magic"* ]] || fail "$what is not a $type"
    say "converted: $what -> $type, $(stat -c %s "$work/out") bytes"
  }
  convert 'rs:fit:300:0/plain/local:///Landscape_1.jpg@webp' image/webp 52494646
  convert 'rs:fit:300:0/plain/local:///landscape-1.heic@jpg' image/jpeg ffd8ff
  convert POST image/png 89504e47
  # The end of the namespace's first process stops the rest.
}
export -f inside say fail
export work rootfs user cwd started root
# Arrays do not cross into the namespace's shell: pass them as NUL-separated files.
printf '%s\0' "${env[@]}" >"$work/env"
printf '%s\0' "${args[@]}" >"$work/args"
# No user namespace: as root it adds nothing here (the server runs as the image's uid either way),
# and util-linux maps a uid range only through newuidmap and /etc/subuid.
unshare --pid --fork --mount --net --uts --ipc --kill-child \
  --mount-proc="$rootfs/proc" bash -c '
    set -euo pipefail
    mapfile -d "" -t env <"$work/env"
    mapfile -d "" -t args <"$work/args"
    inside'
say "passed in $(($(date +%s) - started)) s (non-root user $user, loopback only)"
