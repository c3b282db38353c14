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
