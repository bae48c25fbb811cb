// The readable definition of the packed GEMM: one output at a time, bias first, then the
// products in k order. The SIMD twin keeps that same order per output so both agree bit for
// bit on finite data.
#include <algorithm>

#include "kernels/kernels.h"

namespace mnv2 {

void f32_gemm_minmax__ref(size_t m, size_t k, size_t n, const float* a, size_t a_stride,
                          const float* packed, float* c, size_t c_stride, const float* residual,
                          size_t residual_stride, float min, float max) {
  for (size_t i = 0; i < m; i++) {
    for (size_t j = 0; j < n; j++) {
      const float* block = packed + j / kGemmChannelBlock * kGemmChannelBlock * (1 + k);
      const size_t lane = j % kGemmChannelBlock;
      float acc = block[lane];
      for (size_t kk = 0; kk < k; kk++) {
        acc += a[i * a_stride + kk] * block[(1 + kk) * kGemmChannelBlock + lane];
      }
      float out = std::min(std::max(acc, min), max);
      if (residual != nullptr) out += residual[i * residual_stride + j];
      c[i * c_stride + j] = out;
    }
  }
}

}  // namespace mnv2
