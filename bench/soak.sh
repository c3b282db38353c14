#!/usr/bin/env bash
# Issue 5, item 6: mixed good, bad and hostile traffic against a fresh server, sampling RSS,
# libvips memory, file descriptors and threads (docs/reliability.md). Options: ./imgd soak --help.
#
#   bench/soak.sh [--minutes 20]
set -euo pipefail
cd "$(dirname "$0")/.."
exec ./imgd soak "$@"
