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

// SIMDe has no relaxed integer dot product. This is the one behaviour of it the engine relies
// on (and checks before use, q8_usdot_exact): a's bytes signed times b's bytes unsigned, four
// per lane, added to c with wrapping int32 arithmetic (x86 AVX-VNNI's vpdpbusd).
inline v128_t wasm_i32x4_relaxed_dot_i8x16_i7x16_add(v128_t a, v128_t b, v128_t c) {
  int8_t as[16];
  uint8_t bs[16];
  uint32_t cs[4];
  wasm_v128_store(as, a);
  wasm_v128_store(bs, b);
  wasm_v128_store(cs, c);
  for (int lane = 0; lane < 4; lane++) {
    for (int j = 0; j < 4; j++) {
      cs[lane] += static_cast<uint32_t>(int32_t{as[4 * lane + j]} * int32_t{bs[4 * lane + j]});
    }
  }
  return wasm_v128_load(cs);
}
#endif
