#!/usr/bin/env bash
# Fuzzes the engine's untrusted-input entry points with libFuzzer under ASan + UBSan:
#   fuzz-weight-file    the .mnv2 loader, network construction, one inference
#   fuzz-tflite-reader  the TFLite reader and both converters
#   fuzz-preprocess     classify/embed arguments and the preprocessor
#
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]     (default 60 s each, every target)
#   FUZZ_PARALLEL=1   run the targets at the same time instead of one after another
#
# Builds build/fuzz with clang (-DMNV2_FUZZ=ON), regenerates the seed corpora from code
# (mnv2-test-data seeds: no model file is copied), then runs each target for SECONDS. New
# interesting inputs accumulate in build/fuzz/corpus/<target>, so later runs start further
# on. A crash, sanitizer report, leak, timeout (> 10 s for one input) or out-of-memory
# (> 2 GB) saves the input in build/fuzz/artifacts/<target>/ and makes this script fail.
# Reproduce one with: build/fuzz/<target> build/fuzz/artifacts/<target>/crash-...
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

seconds="${1:-60}"
shift || true
targets=("$@")
((${#targets[@]})) || targets=(fuzz-weight-file fuzz-tflite-reader fuzz-preprocess)
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "fuzz: SECONDS must be a whole number, got '$seconds'" >&2; exit 2; }

build=build/fuzz
cmake -S . -B "$build" -DCMAKE_CXX_COMPILER=clang++ -DMNV2_FUZZ=ON \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$JOBS" --target mnv2-test-data "${targets[@]}"
"$build/mnv2-test-data" seeds "$build/seeds"
mkdir -p "$build/logs"
touch "$build/logs/started"  # crash inputs newer than this are this run's findings

seeds_of() {  # target -> its seed folder
  case "$1" in
    fuzz-weight-file) echo "$build/seeds/weight-file" ;;
    fuzz-tflite-reader) echo "$build/seeds/tflite" ;;
    fuzz-preprocess) echo "$build/seeds/preprocess" ;;
    *) echo "fuzz: unknown target $1" >&2; exit 2 ;;
  esac
}

run_target() {  # target: runs it, leaves its log in $build/logs/<target>.log
  local target="$1" corpus="$build/corpus/$1" artifacts="$build/artifacts/$1/"
  mkdir -p "$corpus" "$artifacts" "$build/logs"
  # Leak checking stays on (ASan's default); -timeout flags hangs, -rss_limit_mb runaway memory.
  "$build/$target" "$corpus" "$(seeds_of "$target")" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$artifacts" >"$build/logs/$target.log" 2>&1
}

summarize() {  # target status
  local log="$build/logs/$1.log" execs found
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  found=$(find "$build/artifacts/$1" -type f -newer "$build/logs/started" | wc -l)
  printf 'fuzz: %-20s %s s  %s executions  corpus %s inputs  new crash inputs: %s  (exit %s)\n' \
    "$1" "$seconds" "$execs" "$(find "$build/corpus/$1" -type f | wc -l)" "$found" "$2"
  if [[ "$2" != 0 ]]; then
    echo "---- $log (last 40 lines)"
    tail -n 40 "$log"
  fi
}

failed=0
declare -A status
if [[ "${FUZZ_PARALLEL:-0}" == 1 ]]; then
  declare -A pids
  for target in "${targets[@]}"; do
    run_target "$target" &
    pids[$target]=$!
  done
  for target in "${targets[@]}"; do
    if wait "${pids[$target]}"; then status[$target]=0; else status[$target]=$?; fi
  done
else
  for target in "${targets[@]}"; do
    if run_target "$target"; then status[$target]=0; else status[$target]=$?; fi
  done
fi
for target in "${targets[@]}"; do
  summarize "$target" "${status[$target]}"
  [[ "${status[$target]}" == 0 ]] || failed=1
done
exit "$failed"
