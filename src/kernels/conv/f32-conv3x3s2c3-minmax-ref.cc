// The readable definition of the stem convolution (3x3, stride 2, 3 input channels): one
// output value at a time, bias first, then the taps in (ky, kx, ci) order, skipping taps that
// fall into the zero padding. The SIMD twin adds in the same order.
#include <algorithm>
#include <cstddef>

#include "kernels/kernels.h"

namespace mnv2 {

void f32_conv3x3s2c3_minmax__ref(const float* input, size_t in_h, size_t in_w, size_t pad_top,
                                 size_t pad_left, const float* packed, size_t out_c, float* output,
                                 size_t out_w, size_t out_row_begin, size_t out_row_end, float min,
                                 float max) {
  constexpr ptrdiff_t kStride = 2;
  constexpr size_t kBlockFloats = kGemmChannelBlock * (1 + 27);
  for (size_t oy = out_row_begin; oy < out_row_end; oy++) {
    for (size_t ox = 0; ox < out_w; ox++) {
      for (size_t j = 0; j < out_c; j++) {
        const float* w = packed + j / kGemmChannelBlock * kBlockFloats + j % kGemmChannelBlock;
        float acc = w[0];
        for (ptrdiff_t ky = 0; ky < 3; ky++) {
          const ptrdiff_t iy = ptrdiff_t(oy) * kStride - ptrdiff_t(pad_top) + ky;
          if (iy < 0 || iy >= ptrdiff_t(in_h)) continue;
          for (ptrdiff_t kx = 0; kx < 3; kx++) {
            const ptrdiff_t ix = ptrdiff_t(ox) * kStride - ptrdiff_t(pad_left) + kx;
            if (ix < 0 || ix >= ptrdiff_t(in_w)) continue;
            const float* pixel = input + (size_t(iy) * in_w + size_t(ix)) * 3;
            for (size_t ci = 0; ci < 3; ci++) {
              const size_t tap = size_t(ky * 3 + kx) * 3 + ci;
              acc += pixel[ci] * w[(1 + tap) * kGemmChannelBlock];
            }
          }
        }
        *output++ = std::min(std::max(acc, min), max);
      }
    }
  }
}

}  // namespace mnv2
