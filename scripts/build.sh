#!/usr/bin/env bash
# Builds everything: the native converter (and tests), the weight file, the WASM module in
# dist/ and the WASM test binary. Incremental: a second run only rebuilds what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

cmake -S . -B build/native -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/native -j"$JOBS"

bash scripts/fetch-weights.sh

emcmake cmake -S . -B build/wasm -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/wasm -j"$JOBS"
echo "build: ok (dist/mobilenetv2.mjs, dist/mobilenetv2.wasm)"
