#!/usr/bin/env bash
# Builds a kernel micro-benchmark with the engine's kernels into build/<name>/ and runs it
# under Node:
#   bash bench/kernel-bench.sh [float]  bench/kernel-bench.cc: per-kernel GMAC/s on MobileNetV2's
#                                       shapes and % of the SIMD128 peak
#   bash bench/kernel-bench.sh int8     bench/q8-kernel-bench.cc: per-layer ms and GMAC/s of the
#                                       int8 kernels on MobileNetV2 1.0/224's shapes
# Further arguments go to the benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."
kind=float
if [[ "${1:-}" == float || "${1:-}" == int8 ]]; then kind=$1; shift; fi
if [[ $kind == int8 ]]; then
  name=q8-kernel-bench
  kernels=(src/kernels/select-q8.cc src/kernels/q8/*.cc)
else
  name=kernel-bench
  kernels=(src/kernels/*.cc src/kernels/*/*.cc)
fi
source scripts/env.sh
out=build/$name
mkdir -p "$out"
echo '{"type": "commonjs"}' > "$out/package.json"
em++ -std=c++17 -O3 -msimd128 -fno-exceptions -Isrc "bench/$name.cc" \
  "${kernels[@]}" src/model/architecture.cc \
  -sENVIRONMENT=node -sSINGLE_FILE=1 -sALLOW_MEMORY_GROWTH=1 -o "$out/$name.js"
node "$out/$name.js" "$@"
