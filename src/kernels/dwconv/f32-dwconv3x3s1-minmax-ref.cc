// The readable definition of the depthwise 3x3, stride 1: one output value at a time, bias
// first, then the taps in (ky, kx) order, skipping taps that fall into the zero padding. The
// SIMD twin adds in the same order.
#include <algorithm>
#include <cstddef>

#include "kernels/kernels.h"

namespace mnv2 {

void f32_dwconv3x3s1_minmax__ref(const float* const* input_rows, size_t in_h, size_t in_w,
                                 size_t channels, size_t pad_top, size_t pad_left,
                                 const float* packed, float* output, size_t out_w,
                                 size_t out_row_begin, size_t out_row_end, float min, float max) {
  constexpr ptrdiff_t kStride = 1;
  const size_t cp = round_up(channels, kDwChannelBlock);
  for (size_t oy = out_row_begin; oy < out_row_end; oy++) {
    for (size_t ox = 0; ox < out_w; ox++) {
      for (size_t c = 0; c < channels; c++) {
        float acc = packed[c];
        for (ptrdiff_t ky = 0; ky < 3; ky++) {
          const ptrdiff_t iy = ptrdiff_t(oy) * kStride - ptrdiff_t(pad_top) + ky;
          if (iy < 0 || iy >= ptrdiff_t(in_h)) continue;
          for (ptrdiff_t kx = 0; kx < 3; kx++) {
            const ptrdiff_t ix = ptrdiff_t(ox) * kStride - ptrdiff_t(pad_left) + kx;
            if (ix < 0 || ix >= ptrdiff_t(in_w)) continue;
            acc += input_rows[iy][size_t(ix) * channels + c] * packed[(1 + ky * 3 + kx) * cp + c];
          }
        }
        *output++ = std::min(std::max(acc, min), max);
      }
    }
  }
}

}  // namespace mnv2
