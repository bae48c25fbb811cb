// The packed GEMM with relaxed-SIMD tiles: the SIMD128 driver (f32-gemm-minmax-wasmsimd.cc)
// over the tiles of kernels/relaxed/module/f32-gemm-tiles-wasmrelaxedsimd.cc (fused
// multiply-add). Needs relaxed_kernels_installed() (kernels/relaxed/microkernels.h).
#include "kernels/kernels.h"
#include "kernels/relaxed/microkernels.h"

namespace mnv2 {

void f32_gemm_minmax__wasmrelaxedsimd(size_t m, size_t k, size_t n, const float* a,
                                      size_t a_stride, const float* packed, float* c,
                                      size_t c_stride, const float* residual,
                                      size_t residual_stride, float min, float max) {
  const RelaxedMicrokernels& relaxed = relaxed_microkernels();
  const gemm::Tiles tiles = {{nullptr, relaxed.f32_gemm_tile1x8__wasmrelaxedsimd,
                              relaxed.f32_gemm_tile2x8__wasmrelaxedsimd,
                              relaxed.f32_gemm_tile3x8__wasmrelaxedsimd,
                              relaxed.f32_gemm_tile4x8__wasmrelaxedsimd}};
  gemm::gemm(tiles, m, k, n, a, a_stride, packed, c, c_stride, residual, residual_stride, min,
             max);
}

}  // namespace mnv2
