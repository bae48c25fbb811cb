// The readable definition of the global average pool: per channel, the sum over pixels in
// pixel order, divided by the pixel count. The SIMD twin sums in the same order.
#include "kernels/kernels.h"

namespace mnv2 {

void f32_global_avgpool__ref(const float* input, size_t pixels, size_t channels, float* output) {
  for (size_t c = 0; c < channels; c++) {
    float sum = 0.0f;
    for (size_t p = 0; p < pixels; p++) sum += input[p * channels + c];
    output[c] = sum / float(pixels);
  }
}

}  // namespace mnv2
