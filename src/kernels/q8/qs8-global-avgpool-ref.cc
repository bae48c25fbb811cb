// Integer global average pool, scalar reference (definition at Q8PoolParams, kernels-q8.h).
#include "kernels/kernels-q8.h"

namespace mnv2 {

void qs8_global_avgpool__ref(const int8_t* input, size_t pixels, size_t channels,
                             int8_t* output, const Q8PoolParams& p) {
  const int32_t count = static_cast<int32_t>(pixels);
  for (size_t c = 0; c < channels; c++) {
    int32_t sum = 0;
    for (size_t i = 0; i < pixels; i++) sum += int32_t{input[i * channels + c]} - p.input_zero_point;
    const int32_t scaled = q8::multiply_by_quantized_multiplier(sum, p.requant);
    // C++ division truncates, so adding half the divisor away from zero rounds half away.
    const int32_t mean = scaled > 0 ? (scaled + count / 2) / count : (scaled - count / 2) / count;
    const int64_t value = int64_t{mean} + p.output.zero_point;
    output[c] = static_cast<int8_t>(value < p.output.min ? p.output.min
                                                         : (value > p.output.max ? p.output.max : value));
  }
}

}  // namespace mnv2
