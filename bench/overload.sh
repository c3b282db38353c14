#!/usr/bin/env bash
# Issue 5, item 5: a fresh server at 4x its measured capacity, large and small images, cache off,
# /health polled every 100 ms (docs/reliability.md). Options: ./imgd overload --help.
#
#   bench/overload.sh [--seconds 60] [--factor 4]
set -euo pipefail
cd "$(dirname "$0")/.."
exec ./imgd overload "$@"
