// Weight packing, run once at load time. Both twins of a family read these layouts, so the
// padding written here (zeros past the last channel) is what lets the SIMD twins load full
// vectors of weights without tail cases.
#include <cstring>

#include "kernels/kernels.h"

namespace mnv2 {

size_t gemm_packed_size(size_t k, size_t n) { return round_up(n, kGemmChannelBlock) * (1 + k); }

void gemm_pack(size_t k, size_t n, const float* weights, const float* bias, float* packed) {
  for (size_t block = 0; block < n; block += kGemmChannelBlock) {
    for (size_t j = 0; j < kGemmChannelBlock; j++) {
      *packed++ = block + j < n ? bias[block + j] : 0.0f;
    }
    for (size_t kk = 0; kk < k; kk++) {
      for (size_t j = 0; j < kGemmChannelBlock; j++) {
        *packed++ = block + j < n ? weights[(block + j) * k + kk] : 0.0f;
      }
    }
  }
}

size_t dwconv3x3_packed_size(size_t channels) {
  return round_up(channels, kDwChannelBlock) * (1 + 9);
}

void dwconv3x3_pack(size_t channels, const float* weights, const float* bias, float* packed) {
  const size_t cp = round_up(channels, kDwChannelBlock);
  std::memset(packed, 0, dwconv3x3_packed_size(channels) * sizeof(float));
  std::memcpy(packed, bias, channels * sizeof(float));
  for (size_t tap = 0; tap < 9; tap++) {
    std::memcpy(packed + (1 + tap) * cp, weights + tap * channels, channels * sizeof(float));
  }
}

size_t conv3x3c3_packed_size(size_t n) { return round_up(n, kGemmChannelBlock) * (1 + 27); }

void conv3x3c3_pack(size_t n, const float* weights, const float* bias, float* packed) {
  // OHWI with H=W=3, I=3 is already [n][27] in (ky*3+kx)*3+ci order: the GEMM layout with
  // k = 27.
  gemm_pack(27, n, weights, bias, packed);
}

}  // namespace mnv2
