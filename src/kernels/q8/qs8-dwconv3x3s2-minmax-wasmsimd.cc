// Integer depthwise 3x3, stride 2, SIMD128 (implementation in qs8-dwconv3x3-wasmsimd.h).
#include "kernels/q8/qs8-dwconv3x3-wasmsimd.h"

namespace mnv2 {

void qs8_dwconv3x3s2_minmax__wasmsimd(const int8_t* const* input_rows, size_t in_h, size_t in_w,
                                       size_t channels, size_t pad_top, size_t pad_left,
                                       const int32_t* packed, int8_t* output, size_t out_w,
                                       size_t out_row_begin, size_t out_row_end,
                                       const Q8Output& requant_output) {
  q8::dwconv3x3<2>(input_rows, in_h, in_w, channels, pad_top, pad_left, packed, output, out_w,
                   out_row_begin, out_row_end, requant_output);
}

}  // namespace mnv2
