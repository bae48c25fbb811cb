// Integer global average pool, scalar reference (definition at Q8PoolParams, kernels-q8.h).
#include "kernels/kernels-q8.h"

namespace mnv2 {

void qs8_global_avgpool__ref(const int8_t* input, size_t pixels, size_t channels,
                             int8_t* output, const Q8PoolParams& p) {
  const int32_t count = static_cast<int32_t>(pixels);
  for (size_t c = 0; c < channels; c++) {
    int32_t sum = 0;
    for (size_t i = 0; i < pixels; i++) sum += input[i * channels + c];
    output[c] = q8_pool_output(sum, count, p);
  }
}

}  // namespace mnv2
