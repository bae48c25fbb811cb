#!/usr/bin/env bash
# Fuzzes the engine's untrusted-input entry points with libFuzzer under ASan + UBSan:
#   fuzz-weight-file    .mnv2 classifier files: loader, float and int8 construction, inference
#   fuzz-detector-file  .mnv2 detector files: loader, both SSDLite engines, detection + NMS
#   fuzz-postprocess    anchors, box decoding, IoU, NMS and the detector's parameter vectors
#                       with hostile numbers (NaN, infinities, huge counts)
#   fuzz-tflite-reader  the TFLite reader and both converters
#   fuzz-preprocess     classify/detect arguments and the preprocessor
#   fuzz-head           the custom-classes head's C++ side: examples, training, saved
#                       softmax parameters and predictions with hostile numbers (its JSON is
#                       parsed in JavaScript: tests/node/property-head.test.js)
#
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]     (default 60 s each, every target)
#        scripts/fuzz.sh --save-corpus [TARGET...]
#   FUZZ_JOBS=N   targets running at once (default 2: one per core of a CI machine)
#   FUZZ_RUNS=N   each target stops after N executions instead (SECONDS then caps its time):
#                 CI runs FUZZ_RUNS=100000, the long campaign FUZZ_RUNS=1000000
#
# Builds build/fuzz with clang (-DMNV2_FUZZ=ON), regenerates the seed corpora from code
# (mnv2-test-data seeds: no model file is copied), adds the committed corpus
# (tests/fuzz/corpus/<target>.tar.xz: what earlier campaigns found, so a run starts where
# they ended), then runs each target for SECONDS. New interesting inputs accumulate in
# build/fuzz/corpus/<target>, so later runs start further on. A crash, sanitizer report, leak,
# timeout (> 10 s for one input) or out-of-memory (> 2 GB) saves the input in
# build/fuzz/artifacts/<target>/ and makes this script fail. Reproduce one with:
#   build/fuzz/<target> build/fuzz/artifacts/<target>/crash-...
# The weight-file targets' inputs are complete .mnv2 files (checksum included), which the CLI
# and the JS API load as they are.
#
# --save-corpus minimizes (libFuzzer -merge=1) the committed corpus plus build/fuzz/corpus into
# tests/fuzz/corpus/<target>.tar.xz: inputs our code generated from our own seeds, no model
# bytes. Near-identical model files compress well together, so a few hundred KB at most.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

all_targets=(fuzz-weight-file fuzz-detector-file fuzz-postprocess fuzz-tflite-reader fuzz-preprocess
  fuzz-head)
save_corpus=0
if [[ "${1:-}" == --save-corpus ]]; then
  save_corpus=1
  shift
  seconds=0
else
  seconds="${1:-60}"
  shift || true
  [[ "$seconds" =~ ^[0-9]+$ ]] || { echo "fuzz: SECONDS must be a whole number, got '$seconds'" >&2; exit 2; }
fi
targets=("$@")
((${#targets[@]})) || targets=("${all_targets[@]}")
jobs="${FUZZ_JOBS:-2}"
runs="${FUZZ_RUNS:--1}"
[[ "$runs" =~ ^-?[0-9]+$ ]] || { echo "fuzz: FUZZ_RUNS must be a whole number, got '$runs'" >&2; exit 2; }

build=build/fuzz
committed=tests/fuzz/corpus
# Smaller than ASan's defaults: a 16 MB quarantine still catches a use after free within one
# input, and 8 frames per allocation stack still name the caller; the defaults (256 MB, 30)
# made page faults and stack unwinding a third of each unit's time on the model targets.
export ASAN_OPTIONS="${ASAN_OPTIONS:-quarantine_size_mb=16:malloc_context_size=8}"

seeds_of() {  # target -> its seed folder
  case "$1" in
    fuzz-weight-file) echo "$build/seeds/weight-file" ;;
    fuzz-detector-file) echo "$build/seeds/detector-file" ;;
    fuzz-postprocess) echo "$build/seeds/postprocess" ;;
    fuzz-tflite-reader) echo "$build/seeds/tflite" ;;
    fuzz-preprocess) echo "$build/seeds/preprocess" ;;
    fuzz-head) echo "$build/seeds/head" ;;
    *) echo "fuzz: unknown target $1" >&2; exit 2 ;;
  esac
}
for target in "${targets[@]}"; do seeds_of "$target" >/dev/null; done

cmake -S . -B "$build" -DCMAKE_CXX_COMPILER=clang++ -DMNV2_FUZZ=ON \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$JOBS" --target mnv2-test-data "${targets[@]}"
"$build/mnv2-test-data" seeds "$build/seeds"
mkdir -p "$build/logs"

unpack_committed() {  # target -> the committed corpus in $build/committed/<target>
  local out="$build/committed/$1"
  rm -rf "$out"
  mkdir -p "$out"
  if [[ -f "$committed/$1.tar.xz" ]]; then tar -xJf "$committed/$1.tar.xz" -C "$out"; fi
}

if ((save_corpus)); then
  for target in "${targets[@]}"; do
    unpack_committed "$target"
    merged="$build/merged/$target"
    rm -rf "$merged"
    mkdir -p "$merged" "$build/corpus/$target"
    "$build/$target" -merge=1 "$merged" "$build/committed/$target" "$build/corpus/$target" \
      "$(seeds_of "$target")" -timeout=10 -rss_limit_mb=2048 >"$build/logs/$target.merge.log" 2>&1 ||
      { tail -n 20 "$build/logs/$target.merge.log"; exit 1; }
    mkdir -p "$committed"
    # Sorted names, no dates or owners: the same corpus always gives the same bytes.
    tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$merged" -cf - . |
      xz -9e >"$committed/$target.tar.xz"
    printf 'fuzz: %-20s %s inputs (%s KB) -> %s (%s KB)\n' "$target" \
      "$(find "$merged" -type f | wc -l)" "$(du -sk "$merged" | cut -f1)" \
      "$committed/$target.tar.xz" "$(( $(stat -c %s "$committed/$target.tar.xz") / 1024 ))"
  done
  exit 0
fi

touch "$build/logs/started"  # crash inputs newer than this are this run's findings

run_target() {  # target: runs it, leaves its log in $build/logs/<target>.log
  local target="$1" corpus="$build/corpus/$1" artifacts="$build/artifacts/$1/"
  mkdir -p "$corpus" "$artifacts"
  unpack_committed "$target"
  # Leak checking stays on (ASan's default); -timeout flags hangs, -rss_limit_mb runaway memory.
  # -reload=0: nothing else writes the corpus folder, so rereading it is wasted time.
  "$build/$target" "$corpus" "$build/committed/$target" "$(seeds_of "$target")" \
    -max_total_time="$seconds" -runs="$runs" -timeout=10 -rss_limit_mb=2048 -reload=0 \
    -print_final_stats=1 -artifact_prefix="$artifacts" >"$build/logs/$target.log" 2>&1
}

summarize() {  # target status
  local log="$build/logs/$1.log" execs rate done found
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  done=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | grep -oE 'cov: [0-9]+ ft: [0-9]+' || echo "cov: ? ft: ?")
  found=$(find "$build/artifacts/$1" -type f -newer "$build/logs/started" | wc -l)
  local short=""
  if ((runs > 0)) && [[ "$execs" =~ ^[0-9]+$ ]] && ((execs < runs)); then
    short="  (the $seconds s cap came before $runs executions)"
  fi
  printf 'fuzz: %-20s %s executions (%s/s)  %s  corpus %s inputs  new crash inputs: %s  (exit %s)%s\n' \
    "$1" "$execs" "$rate" "$done" "$(find "$build/corpus/$1" -type f | wc -l)" "$found" "$2" "$short"
  if [[ "$2" != 0 ]]; then
    echo "---- $log (last 40 lines)"
    tail -n 40 "$log"
  fi
}

# A queue of targets, FUZZ_JOBS at a time.
declare -A status target_of
queue=("${targets[@]}")
active=0
while ((${#queue[@]} || active)); do
  while ((${#queue[@]} && active < jobs)); do
    run_target "${queue[0]}" &
    target_of[$!]="${queue[0]}"
    queue=("${queue[@]:1}")
    active=$((active + 1))
  done
  finished=""
  if wait -n -p finished; then code=0; else code=$?; fi
  status[${target_of[$finished]}]=$code
  active=$((active - 1))
done

failed=0
for target in "${targets[@]}"; do
  summarize "$target" "${status[$target]}"
  [[ "${status[$target]}" == 0 ]] || failed=1
done
exit "$failed"
