#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what is missing, builds, then runs
#   1. the C++ tests natively under AddressSanitizer + UndefinedBehaviorSanitizer, then
#      100,000 executions of each libFuzzer target, two at a time (scripts/fuzz.sh; a crash,
#      leak, timeout or out-of-memory fails the run),
#   2. the same C++ tests compiled to WASM, under Node with relaxed SIMD enabled (the relaxed
#      kernel module is tested there too),
#   3. a check that the shipped module really contains SIMD128 f32x4 arithmetic,
#   4. the Node tests (API, CLI, real photos against the reference results, hostile inputs,
#      determinism, a 10,000-call soak), and a 3-run smoke of the peer benchmark
#      (scripts/bench-peers.mjs: works, the three float engines agree on every top-1, the two
#      int8 engines agree up to a swap of their top two classes, and ORT's int8 graph ran
#      integer convolutions only),
#   5. the browser tests: the demo page and the API in Debian's Chromium (playwright-core),
#      under a strict Content-Security-Policy too,
#      screenshots in test-artifacts/, and a 3-run smoke of the browser peer benchmark
#      (scripts/bench-browser.mjs: ours, LiteRT.js and tfjs-backend-wasm all start, run and
#      agree on every shared photo; no timing checks, no file written),
#   6. the package tests: the .d.ts against tsc, and the npm-packed tarball installed into a
#      new project, used from Node and built into a Vite app that runs in Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
source scripts/env.sh

echo "== C++ tests, native, ASan + UBSan"
cmake -S . -B build/native-asan -DMNV2_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/native-asan -j"$JOBS" --target mnv2_tests
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ./build/native-asan/mnv2_tests

echo "== Fuzzing: libFuzzer + ASan + UBSan, 100,000 executions per target (at most 360 s each)"
FUZZ_RUNS=100000 bash scripts/fuzz.sh 360

echo "== C++ tests, WASM (Node, relaxed SIMD on)"
node --experimental-wasm-relaxed-simd build/wasm/mnv2_tests.js

echo "== SIMD128 in the shipped module"
simd_ops=$(wasm-objdump -d dist/mobilenetv2.wasm | grep -cE 'f32x4\.(mul|add|pmax|pmin|max|min)')
echo "f32x4 arithmetic instructions in dist/mobilenetv2.wasm: $simd_ops"
[ "$simd_ops" -gt 100 ] || { echo "expected SIMD128 kernels in the module"; exit 1; }

# Each suite gets a time limit far above its usual time (5, 3, 1 min here): a model that hangs
# blocks its process's event loop, so only something outside it can end the run with a failure.
echo "== Node tests"
timeout 1500 node --test tests/node/

echo "== Peer benchmark smoke (ours vs tfjs-backend-wasm vs onnxruntime-web, float and int8: runs, same top-1s, ORT int8 on integer kernels; no timing checks)"
node scripts/bench-peers.mjs --runs 3 --warmup-ms 300 --no-write --no-relaxed

echo "== Browser tests (Chromium)"
timeout 900 node --test tests/browser/

echo "== Browser peer benchmark smoke (ours vs LiteRT.js vs tfjs-backend-wasm in Chromium: every engine starts, runs and agrees on every photo; no timing checks)"
node scripts/bench-browser.mjs --runs 3 --warmup-ms 300 --no-write --no-profile

echo "== Package tests (types, npm pack, Vite)"
timeout 600 node --test tests/package/
