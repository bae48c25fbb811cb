// The integer GEMM's micro-kernel on i32x4.relaxed_dot_i8x16_i7x16_add_s (contract in
// kernels/q8/qs8-gemm-usdot.h): 16 multiply-adds per instruction, accumulate included, where
// the SIMD128 kernel's i32x4.dot_i16x8_s does 8 and needs an add. A tile is 2 rows by the
// block's 16 channels: per 4 inputs, 4 weight vectors (channels 4v..4v+3, 4 bytes each), one
// 32-bit splat of each row's 4 inputs, and 8 dot-adds into 8 accumulators.
//
// Exact only where the engine multiplies the second operand's bytes as unsigned and the
// first's as signed, with no intermediate saturation (q8_usdot_exact checks this micro-kernel
// itself before it is chosen): the weights (offset into [0, 255]) go second, the inputs first.
#include "kernels/q8/qs8-gemm-usdot.h"
#include "kernels/relaxed/microkernels.h"
#include "kernels/simd.h"

namespace mnv2 {
namespace {

constexpr size_t kBlock = 16;

template <size_t kRows>
inline void tile(size_t quads, const int8_t* x0, const int8_t* x1, const int32_t* row_offset,
                 const int32_t* bias, const int32_t* w, int32_t* acc) {
  v128_t acc0[4], acc1[4];
  const v128_t offset0 = wasm_i32x4_splat(row_offset[0]);
  const v128_t offset1 = wasm_i32x4_splat(row_offset[kRows - 1]);
  for (size_t v = 0; v < 4; v++) {
    const v128_t b = wasm_v128_load(bias + 4 * v);
    acc0[v] = wasm_i32x4_add(b, offset0);
    acc1[v] = wasm_i32x4_add(b, offset1);
  }
  for (; quads != 0; quads--) {
    v128_t wv[4];
    for (size_t v = 0; v < 4; v++) wv[v] = wasm_v128_load(w + 4 * v);
    w += kBlock;
    const v128_t in0 = wasm_v128_load32_splat(x0);
    const v128_t in1 = wasm_v128_load32_splat(x1);
    x0 += 4, x1 += 4;
    for (size_t v = 0; v < 4; v++) {
      acc0[v] = wasm_i32x4_relaxed_dot_i8x16_i7x16_add(in0, wv[v], acc0[v]);
      if constexpr (kRows == 2) acc1[v] = wasm_i32x4_relaxed_dot_i8x16_i7x16_add(in1, wv[v], acc1[v]);
    }
  }
  for (size_t v = 0; v < 4; v++) wasm_v128_store(acc + 4 * v, acc0[v]);
  if constexpr (kRows == 2) {
    for (size_t v = 0; v < 4; v++) wasm_v128_store(acc + kBlock + 4 * v, acc1[v]);
  }
}

}  // namespace

MNV2_RELAXED_EXPORT(qs8_gemm_usdot_rows16__wasmrelaxedsimd)
void qs8_gemm_usdot_rows16__wasmrelaxedsimd(size_t rows, size_t quads, const int8_t* panel,
                                            size_t stride, const int32_t* row_offset,
                                            const int32_t* bias, const int32_t* weights,
                                            int32_t* acc) {
  for (; rows >= 2; rows -= 2) {
    tile<2>(quads, panel, panel + stride, row_offset, bias, weights, acc);
    panel += 2 * stride, row_offset += 2, acc += 2 * kBlock;
  }
  if (rows == 1) tile<1>(quads, panel, panel, row_offset, bias, weights, acc);
}

}  // namespace mnv2
