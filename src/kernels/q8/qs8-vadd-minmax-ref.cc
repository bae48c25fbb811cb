// Integer elementwise ADD, scalar reference: TFLite's quantized ADD arithmetic (kernels-q8.h).
#include "kernels/kernels-q8.h"

namespace mnv2 {

void qs8_vadd_minmax__ref(size_t n, const int8_t* a, const int8_t* b, int8_t* out,
                          const Q8AddParams& p) {
  for (size_t i = 0; i < n; i++) {
    const int32_t a_shifted = (int32_t{a[i]} - p.a_zero_point) * (int32_t{1} << p.left_shift);
    const int32_t b_shifted = (int32_t{b[i]} - p.b_zero_point) * (int32_t{1} << p.left_shift);
    const int32_t sum = q8::multiply_by_quantized_multiplier(a_shifted, p.a) +
                        q8::multiply_by_quantized_multiplier(b_shifted, p.b);
    out[i] = q8_requantize(sum, p.output_requant, p.output);
  }
}

}  // namespace mnv2
