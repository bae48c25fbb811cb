// The readable definition of softmax: subtract the maximum (so exp never overflows), exp,
// normalize by the sum. Reads input[i] before writing output[i], so output may alias input.
#include <algorithm>
#include <cmath>
#include <limits>

#include "kernels/kernels.h"

namespace mnv2 {

void f32_softmax__ref(const float* input, size_t n, float* output) {
  float max_value = -std::numeric_limits<float>::infinity();
  for (size_t i = 0; i < n; i++) max_value = std::max(max_value, input[i]);
  float sum = 0.0f;
  for (size_t i = 0; i < n; i++) {
    const float e = std::exp(input[i] - max_value);
    output[i] = e;
    sum += e;
  }
  const float scale = 1.0f / sum;
  for (size_t i = 0; i < n; i++) output[i] *= scale;
}

}  // namespace mnv2
