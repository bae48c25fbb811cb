// The one include for SIMD128 intrinsics: the real header under Emscripten, SIMDe's portable
// implementation of the same API in native builds (tests, sanitizers, fuzzing), including
// the relaxed-SIMD intrinsics the relaxed kernel module uses (kernels/relaxed/).
#pragma once

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#else
#define SIMDE_ENABLE_NATIVE_ALIASES
#include <simde/wasm/relaxed-simd.h>
#include <simde/wasm/simd128.h>

// SIMDe implements relaxed SIMD under its pre-standard names: fma(a, b, c) = a + b * c is the
// final relaxed_madd(b, c, a) (here unfused: SSE4.1 has no FMA).
inline v128_t wasm_f32x4_relaxed_madd(v128_t a, v128_t b, v128_t c) {
  return simde_wasm_f32x4_fma(c, a, b);
}
#endif
