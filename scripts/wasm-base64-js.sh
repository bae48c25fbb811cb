#!/usr/bin/env bash
# wasm-base64-js.sh VAR IN.wasm OUT.js: writes `var VAR = "<base64 of IN.wasm>";`, a pre-js
# that embeds a small WebAssembly module into Emscripten's JavaScript (the relaxed-SIMD
# kernel module, see CMakeLists.txt).
set -euo pipefail
printf 'var %s = "%s";\n' "$1" "$(base64 -w0 "$2")" > "$3"
