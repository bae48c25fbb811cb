#!/usr/bin/env bash
# Builds bench/kernel-bench.cc with the engine's kernels into build/kernel-bench/ and runs it
# under Node: per-kernel GMAC/s on MobileNetV2's shapes and % of the SIMD128 peak.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
out=build/kernel-bench
mkdir -p "$out"
echo '{"type": "commonjs"}' > "$out/package.json"
em++ -std=c++17 -O3 -msimd128 -fno-exceptions -Isrc bench/kernel-bench.cc \
  src/kernels/*.cc src/kernels/*/*.cc src/model/architecture.cc \
  -sENVIRONMENT=node -sSINGLE_FILE=1 -sALLOW_MEMORY_GROWTH=1 -o "$out/kernel-bench.js"
node "$out/kernel-bench.js" "$@"
