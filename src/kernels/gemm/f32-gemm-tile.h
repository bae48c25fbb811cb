// The register tile of the packed float GEMM, shared by the SIMD128 build of the engine and
// the relaxed-SIMD kernel module (kernels/relaxed/): kRows rows of a panel ([k][kRows], see
// f32-gemm-minmax-wasmsimd.cc) times one 8-channel weight block, two f32x4 accumulators per
// row. The multiply-add is a template argument: SIMD128 mul + add (two roundings) or
// f32x4.relaxed_madd (fused where the CPU has FMA, one rounding).
//
// 8 accumulators + 2 weight vectors + 1 broadcast + 1 product keep V8's whole k loop in
// x86-64's 15 allocatable XMM registers (6x8 needs 16 and spills: measured ~35% slower
// under V8 11).
//
// Everything here lives in registers: no local array reaches memory, which the relaxed
// module relies on (it has no stack of its own, kernels/relaxed/microkernels.h).
#pragma once

#include <cstddef>

#include "kernels/kernels.h"
#include "kernels/simd-partial.h"
#include "kernels/simd.h"

namespace mnv2::gemm {

// SIMD128: round after the multiply, round after the add (bit for bit the reference).
struct MulAdd {
  static inline v128_t madd(v128_t a, v128_t b, v128_t acc) {
    return wasm_f32x4_add(acc, wasm_f32x4_mul(a, b));
  }
};

// The contract of one tile: c[kRows][nr] = clamp(panel . w + bias, vmin, vmax)
// (+ residual after the clamp when residual is not null); w is one packed 8-channel block
// (bias[8], then k rows of w[8]); strides in floats.
using tile_fn = void(size_t nr, size_t k, const float* panel, const float* w, float* c,
                     size_t c_stride, const float* residual, size_t residual_stride,
                     v128_t vmin, v128_t vmax);

inline void store_row(float* c, const float* residual, v128_t lo, v128_t hi, size_t nr) {
  if (nr == kGemmChannelBlock) {
    if (residual != nullptr) {
      lo = wasm_f32x4_add(lo, wasm_v128_load(residual));
      hi = wasm_f32x4_add(hi, wasm_v128_load(residual + 4));
    }
    wasm_v128_store(c, lo);
    wasm_v128_store(c + 4, hi);
    return;
  }
  if (residual != nullptr) {
    lo = wasm_f32x4_add(lo, load_f32_partial(residual, nr < 4 ? nr : 4));
    if (nr > 4) hi = wasm_f32x4_add(hi, load_f32_partial(residual + 4, nr - 4));
  }
  store_f32x8_partial(c, lo, hi, nr);
}

template <size_t kRows, typename Op>
inline void tile(size_t nr, size_t k, const float* panel, const float* w, float* c,
                 size_t c_stride, const float* residual, size_t residual_stride, v128_t vmin,
                 v128_t vmax) {
  v128_t lo[kRows], hi[kRows];
  lo[0] = wasm_v128_load(w);
  hi[0] = wasm_v128_load(w + 4);
  for (size_t r = 1; r < kRows; r++) lo[r] = lo[0], hi[r] = hi[0];
  w += kGemmChannelBlock;

  for (size_t kk = k; kk != 0; kk--) {
    const v128_t wlo = wasm_v128_load(w);
    const v128_t whi = wasm_v128_load(w + 4);
    w += kGemmChannelBlock;
    for (size_t r = 0; r < kRows; r++) {
      const v128_t va = wasm_v128_load32_splat(panel + r);
      lo[r] = Op::madd(va, wlo, lo[r]);
      hi[r] = Op::madd(va, whi, hi[r]);
    }
    panel += kRows;
  }

  for (size_t r = 0; r < kRows; r++) {
    // pmax(x, lo) = x < lo ? lo : x and pmin(x, hi) = hi < x ? hi : x: exactly the
    // reference's std::max / std::min, so NaN and infinite bounds behave the same (one
    // instruction each on x86, where IEEE min/max take several).
    const v128_t out_lo = wasm_f32x4_pmin(wasm_f32x4_pmax(lo[r], vmin), vmax);
    const v128_t out_hi = wasm_f32x4_pmin(wasm_f32x4_pmax(hi[r], vmin), vmax);
    store_row(c + r * c_stride, residual != nullptr ? residual + r * residual_stride : nullptr,
              out_lo, out_hi, nr);
  }
}

// The tiles of one build, indexed by their number of rows (1..4; entry 0 unused).
constexpr size_t kTileRows = 4;
struct Tiles {
  tile_fn* by_rows[kTileRows + 1];
};

// c[m][n] = clamp(a . w + bias) (+ residual) with every tile taken from `tiles`: the
// gemm_fn contract of kernels.h (f32-gemm-minmax-wasmsimd.cc).
void gemm(const Tiles& tiles, size_t m, size_t k, size_t n, const float* a, size_t a_stride,
          const float* packed, float* c, size_t c_stride, const float* residual,
          size_t residual_stride, float min, float max);

}  // namespace mnv2::gemm
