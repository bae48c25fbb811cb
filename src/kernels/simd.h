// The one include for SIMD128 intrinsics: the real header under Emscripten, SIMDe's portable
// implementation of the same API in native builds (tests, sanitizers, fuzzing).
#pragma once

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#else
#define SIMDE_ENABLE_NATIVE_ALIASES
#include <simde/wasm/simd128.h>
#endif
