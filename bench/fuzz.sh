#!/usr/bin/env bash
# Fuzzes every Jazzer target in fuzzing mode for a given time each, then prints per target the
# executions, the crashes found and the time taken. A crash fails the target's test and leaves
# the crashing input in the target's Inputs directory under src/test/resources, where the normal
# test run replays it from then on (commit it with the fix). The growing corpus stays in
# imgd-core/.cifuzz-corpus (not committed). Exits 1 if any target found a crash.
#
#   bench/fuzz.sh [SECONDS_PER_TARGET] [Class#method ...]   (default 60 s, every target)
source "$(dirname "$0")/lib.sh"
seconds="${1:-60}"
shift || true
targets=("$@")
[ "${#targets[@]}" -gt 0 ] || targets=(
  ProbeFuzzTest#probe
  ProbeMetadataFuzzTest#metadata
  OptionsParserFuzzTest#parse
  OptionsParserFuzzTest#parsePath
  SignaturesFuzzTest#verify
)

# The module a fuzz test lives in.
module_of() { case "$1" in Signatures*) echo imgd-server ;; *) echo imgd-core ;; esac; }

crashes() {
  find "$root"/imgd-core/src/test/resources "$root"/imgd-server/src/test/resources \
    -name 'crash-*' -newer "$1" 2>/dev/null | wc -l
}

summary=()
failed=0
for target in "${targets[@]}"; do
  class="${target%%#*}"
  echo "== $target: fuzzing for ${seconds}s" >&2
  touch "$work/start"
  start=$(date +%s)
  status=0
  JAZZER_FUZZ=1 "$imgd" mvn -Dspotless.check.skip=true test -pl "$(module_of "$class")" -am \
    -Dtest="$class#${target#*#}" -Dsurefire.failIfNoSpecifiedTests=false \
    -Djazzer.max_duration="${seconds}s" >"$work/$class.log" 2>&1 || status=$?
  elapsed=$(($(date +%s) - start))
  # libFuzzer's last words: "Done N runs in S second(s)"; a crash ends the run before them.
  runs="$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1 \2/p' "$work/$class.log" | tail -1)"
  found="$(crashes "$work/start")"
  if [ "$status" != 0 ] && [ "$found" = 0 ]; then
    found="?" # the test failed without leaving an input: show the log
  fi
  if [ "$status" != 0 ]; then
    failed=1
    grep -E '== Java Exception|Caused by|at dev\.imgd|ERROR\]|crash-' "$work/$class.log" | head -20 >&2
  fi
  summary+=("$(printf '%-34s %12s %9s %7s %7s' "$target" "${runs% *}" "${runs#* }" "$found" "$elapsed")")
done

printf '%-34s %12s %9s %7s %7s\n' target executions fuzz-s crashes wall-s
printf '%s\n' "${summary[@]}"
exit "$failed"
