// The replaceable full 4x8 tile of the SIMD128 GEMM (f32-gemm-minmax-wasmsimd.cc).
//
// c[4][8] = clamp(panel . w + bias, vmin, vmax) (+ residual[4][8] when residual is not null),
// panel: 4 rows of `a` packed [k][4]; w: one packed 8-channel weight block (bias[8], then k
// rows of w[8]); strides in floats. gemm_full_tile points at the SIMD128 version; in a
// WebAssembly build its value is a function-table slot that JavaScript may fill with a
// faster implementation of the same contract (the relaxed-SIMD experiment, bench/relaxed/,
// whose fused multiply-add rounds once per product-sum: results then differ from the
// reference by rounding, not bit for bit).
#pragma once

#include <cstddef>

#include "kernels/simd.h"

namespace mnv2 {

using gemm_full_tile_fn = void(size_t k, const float* panel, const float* w, float* c,
                               size_t c_stride, const float* residual, size_t residual_stride,
                               v128_t vmin, v128_t vmax);

void f32_gemm_full_tile__wasmsimd(size_t k, const float* panel, const float* w, float* c,
                                  size_t c_stride, const float* residual,
                                  size_t residual_stride, v128_t vmin, v128_t vmax);

// Not const on purpose: the compiler must call through it, never inline its target.
extern gemm_full_tile_fn* gemm_full_tile;

}  // namespace mnv2
