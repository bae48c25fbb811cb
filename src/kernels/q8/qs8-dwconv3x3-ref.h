// The scalar depthwise 3x3 definition shared by the stride-1 and stride-2 references.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/kernels.h"
#include "kernels/kernels-q8.h"
#include "kernels/q8/packed.h"

namespace mnv2::q8 {

// acc = bias + sum over the taps inside the input of (q - zp_in) * w, requantized. Taps in the
// padding are skipped: a padded input is real zero, i.e. q = zp_in, which contributes nothing.
inline void dwconv3x3_reference(size_t stride, const int8_t* const* input_rows, size_t in_h,
                                size_t in_w, size_t channels, size_t pad_top, size_t pad_left,
                                const int32_t* packed, int8_t* output, size_t out_w,
                                size_t out_row_begin, size_t out_row_end,
                                const Q8Output& requant_output) {
  const size_t cp = round_up(channels, kQ8DwBlock);
  const int32_t input_zero_point = packed[2];
  const int32_t* arrays = packed + kQ8HeaderWords;
  const int32_t* taps = arrays + (kQ8ArrayWords + 1) * cp;
  for (size_t oy = out_row_begin; oy < out_row_end; oy++) {
    for (size_t ox = 0; ox < out_w; ox++) {
      for (size_t c = 0; c < channels; c++) {
        int32_t acc = arrays[kQ8Bias * cp + c];
        for (size_t ky = 0; ky < 3; ky++) {
          const ptrdiff_t iy = ptrdiff_t(oy * stride + ky) - ptrdiff_t(pad_top);
          if (iy < 0 || iy >= ptrdiff_t(in_h)) continue;
          for (size_t kx = 0; kx < 3; kx++) {
            const ptrdiff_t ix = ptrdiff_t(ox * stride + kx) - ptrdiff_t(pad_left);
            if (ix < 0 || ix >= ptrdiff_t(in_w)) continue;
            const int32_t x = int32_t{input_rows[iy][size_t(ix) * channels + c]} - input_zero_point;
            acc = wrapping_add(acc, x * int32_t{packed_i16(taps, dw_tap_index(ky * 3 + kx, c))});
          }
        }
        const Requantization r = {arrays[kQ8Multiplier * cp + c], arrays[kQ8Shift * cp + c]};
        output[((oy - out_row_begin) * out_w + ox) * channels + c] =
            q8_requantize(acc, r, requant_output);
      }
    }
  }
}

}  // namespace mnv2::q8
