#!/usr/bin/env bash
# Issue 5, item 1: every file of the hostile corpus sent to a fresh server over HTTP, with the pass
# criteria checked (docs/reliability.md). Options go to the command: ./imgd hostile --help.
#
#   bench/hostile.sh [--sample N] [--timeout S] [--report FILE]
set -euo pipefail
cd "$(dirname "$0")/.."
exec ./imgd hostile "$@"
