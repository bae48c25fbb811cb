// Fully connected on one input row: the GEMM definition with m = 1 and no residual.
#include <algorithm>

#include "kernels/kernels.h"

namespace mnv2 {

void f32_fc_minmax__ref(size_t k, size_t n, const float* input, const float* packed, float* output,
                        float min, float max) {
  for (size_t j = 0; j < n; j++) {
    const float* block = packed + j / kGemmChannelBlock * kGemmChannelBlock * (1 + k);
    const size_t lane = j % kGemmChannelBlock;
    float acc = block[lane];
    for (size_t kk = 0; kk < k; kk++) {
      acc += input[kk] * block[(1 + kk) * kGemmChannelBlock + lane];
    }
    output[j] = std::min(std::max(acc, min), max);
  }
}

}  // namespace mnv2
