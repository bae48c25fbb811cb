#!/usr/bin/env bash
# Builds the relaxed-SIMD experiment module (gemm-relaxed.cc) into build/relaxed/ with
# Debian's clang-19 and wasm-ld-19 (apt-get install clang-19 lld-19). wasm-ld is called
# directly: clang's driver would run the old wasm-opt found in PATH (binaryen 108, from
# Emscripten), which cannot parse the final relaxed-SIMD opcodes.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=build/relaxed
mkdir -p "$out"
for tool in clang-19 wasm-ld-19; do
  command -v "$tool" >/dev/null || { echo "relaxed: $tool missing (apt-get install clang-19 lld-19)" >&2; exit 2; }
done
clang-19 --target=wasm32 -O3 -msimd128 -mrelaxed-simd -ffreestanding -fno-exceptions \
  -fno-builtin -std=c++17 -c bench/relaxed/gemm-relaxed.cc -o "$out/gemm-relaxed.o"
# No entry point, the engine's memory imported, nothing else: --no-stack-first and a zero
# stack keep wasm-ld from reserving stack space in memory that is not this module's.
wasm-ld-19 --no-entry --import-memory -z stack-size=0 --strip-all --export-dynamic \
  "$out/gemm-relaxed.o" -o "$out/gemm-relaxed.wasm"
echo "$out/gemm-relaxed.wasm"
