// The relaxed-SIMD integer GEMM's micro-kernel contract (its definition lives in the relaxed
// kernel module, kernels/relaxed/module/; the driver is qs8-gemm-minmax-wasmrelaxedsimd.cc).
//
// One call computes the int32 accumulators of `rows` rows against one packed block of 16
// output channels in the kU8Quads layout (kernels-q8.h):
//   acc[r * 16 + j] = bias[j] + row_offset[r] + sum_kk panel[r * stride + kk] * w[j][kk]
// over kk < 4 * quads, with panel bytes as int8 and packed weight bytes as uint8, in wrapping
// int32 arithmetic. The driver sets row_offset[r] = -z * (sum of row r's inputs), which takes
// the layout's weight offset z back out. Nothing else: requantization stays in the driver.
#pragma once

#include <cstddef>
#include <cstdint>

namespace mnv2::q8 {

using usdot_rows_fn = void(size_t rows, size_t quads, const int8_t* panel, size_t stride,
                           const int32_t* row_offset, const int32_t* bias,
                           const int32_t* weights, int32_t* acc);

}  // namespace mnv2::q8
