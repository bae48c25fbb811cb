// The float GEMM's register tiles (kernels/gemm/f32-gemm-tile.h) with f32x4.relaxed_madd:
// one fused multiply-add where the CPU has FMA (x86 with FMA3, every 64-bit Arm), else the
// SIMD128 mul + add. Fused, each product-sum rounds once instead of twice, so results differ
// from the reference in the last bits, and from machine to machine. Every tile height uses
// the same operation, so an output does not depend on which tile computed it (fused and
// layer-by-layer execution split rows differently and stay bit-identical).
//
// Measured on the engine's 4x8 tile under V8 (Node 20, x86 with FMA): ~18 -> ~25 GMAC/s.
#include "kernels/relaxed/microkernels.h"

namespace mnv2 {
namespace {

struct RelaxedMadd {
  static inline v128_t madd(v128_t a, v128_t b, v128_t acc) {
    return wasm_f32x4_relaxed_madd(a, b, acc);
  }
};

}  // namespace

#define MNV2_TILE(rows)                                                                     \
  MNV2_RELAXED_EXPORT(f32_gemm_tile##rows##x8__wasmrelaxedsimd)                             \
  void f32_gemm_tile##rows##x8__wasmrelaxedsimd(                                            \
      size_t nr, size_t k, const float* panel, const float* w, float* c, size_t c_stride,   \
      const float* residual, size_t residual_stride, v128_t vmin, v128_t vmax) {            \
    gemm::tile<rows, RelaxedMadd>(nr, k, panel, w, c, c_stride, residual, residual_stride, \
                                  vmin, vmax);                                              \
  }
MNV2_TILE(1)
MNV2_TILE(2)
MNV2_TILE(3)
MNV2_TILE(4)
#undef MNV2_TILE

}  // namespace mnv2
