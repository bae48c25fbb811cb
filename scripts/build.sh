#!/usr/bin/env bash
# Builds what the package and the tests need: the native TFLite converter and the weight
# files (scripts/fetch-weights.sh), then the WASM modules in dist/ (single-threaded, and the
# pthreads builds for browsers and Node) and the WASM test binary. The native test binaries
# are built by scripts/test.sh with sanitizers. Incremental: a second run only rebuilds what
# changed.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

bash scripts/fetch-weights.sh

emcmake cmake -S . -B build/wasm -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/wasm -j"$JOBS"
echo "build: ok (dist/mobilenetv2.mjs, dist/mobilenetv2-threads.mjs, dist/node-threads/)"
