#!/usr/bin/env bash
# Builds bench/q8-kernel-bench.cc with the integer kernels into build/q8-kernel-bench/ and runs
# it under Node: per-layer ms and GMAC/s of the int8 kernels on MobileNetV2 1.0/224's shapes.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
out=build/q8-kernel-bench
mkdir -p "$out"
echo '{"type": "commonjs"}' > "$out/package.json"
em++ -std=c++17 -O3 -msimd128 -fno-exceptions -Isrc bench/q8-kernel-bench.cc \
  src/kernels/select-q8.cc src/kernels/q8/*.cc src/model/architecture.cc \
  -sENVIRONMENT=node -sSINGLE_FILE=1 -sALLOW_MEMORY_GROWTH=1 -o "$out/q8-kernel-bench.js"
node "$out/q8-kernel-bench.js" "$@"
