#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what is missing, builds, then runs
#   1. the C++ tests natively under AddressSanitizer + UndefinedBehaviorSanitizer,
#   2. the same C++ tests compiled to WASM, under Node,
#   3. a check that the shipped module really contains SIMD128 f32x4 arithmetic,
#   4. the Node tests (API, CLI, real photos against the reference results).
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

echo "== C++ tests, WASM (Node)"
node build/wasm/mnv2_tests.js

echo "== SIMD128 in the shipped module"
simd_ops=$(wasm-objdump -d dist/mobilenetv2.wasm | grep -cE 'f32x4\.(mul|add|pmax|pmin|max|min)')
echo "f32x4 arithmetic instructions in dist/mobilenetv2.wasm: $simd_ops"
[ "$simd_ops" -gt 100 ] || { echo "expected SIMD128 kernels in the module"; exit 1; }

echo "== Node tests"
node --test tests/node/
