#!/usr/bin/env bash
# Builds bench/engine-bench.cc with the engine (src/core, kernels, model, api) into
# build/engine-bench/ and runs it under Node: fastest per-layer times of the whole classifier.
# Usage: bash bench/engine-bench.sh [weights.mnv2] [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
out=build/engine-bench
mkdir -p "$out"
echo '{"type": "commonjs"}' > "$out/package.json"
mapfile -t sources < <(find src/core src/kernels src/model src/api -name '*.cc' 2>/dev/null | sort)
em++ -std=c++17 -O3 -msimd128 -fno-exceptions -Isrc bench/engine-bench.cc "${sources[@]}" \
  -sENVIRONMENT=node -sSINGLE_FILE=1 -sNODERAWFS=1 -sALLOW_MEMORY_GROWTH=1 -o "$out/engine-bench.js"
node "$out/engine-bench.js" "${1:-weights/mobilenet_v2_1.0_224.mnv2}" "${2:-8}"
