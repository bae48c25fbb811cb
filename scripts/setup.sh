#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks to build and test the project, then the npm
# dependencies. Idempotent: when everything is present it only checks and returns.
set -euo pipefail
cd "$(dirname "$0")/.."

# emscripten: the WASM toolchain; doctest-dev: C++ tests; libsimde-dev: SIMD128 intrinsics in
# native builds; flatbuffers: reading .tflite files; wabt: wasm-objdump for the SIMD check;
# clang + libclang-rt: sanitizers and libFuzzer; cmake: the build; chromium (+ a font, since
# --no-install-recommends leaves it none): the browser tests, driven by npm's playwright-core;
# libjpeg-turbo-progs: djpeg, for the int8 reference test to decode JPEGs like PIL did;
# clang-19 + lld-19: the relaxed-SIMD kernel module (Emscripten 3.1.6 cannot emit it).
# xz-utils: the committed fuzz corpora (tests/fuzz/corpus/*.tar.xz).
PACKAGES=(cmake g++ clang libclang-rt-14-dev emscripten doctest-dev libsimde-dev
  flatbuffers-compiler libflatbuffers-dev wabt nodejs npm curl ca-certificates
  chromium fonts-liberation libjpeg-turbo-progs clang-19 lld-19 xz-utils)

missing=()
for package in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
# A machine may have Node and npm from elsewhere (not Debian's): keep those.
if command -v node >/dev/null && command -v npm >/dev/null; then
  missing=("${missing[@]/nodejs}"); missing=("${missing[@]/npm}")
fi
read -r -a missing <<<"${missing[*]}"
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm ci only when the lockfile changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
echo "setup: ok"
