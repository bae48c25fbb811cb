// Comparing two float outputs of the same network run two ways (fused and layer-by-layer,
// SIMD and reference kernels): one number, relative to the reference's largest value.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace mnv2 {

// max |a - b| / max |b| (the plain difference when b is all zero).
inline float relative_difference(const float* a, const float* b, size_t n) {
  float scale = 0.0f, difference = 0.0f;
  for (size_t i = 0; i < n; ++i) {
    scale = std::max(scale, std::fabs(b[i]));
    difference = std::max(difference, std::fabs(a[i] - b[i]));
  }
  return scale > 0.0f ? difference / scale : difference;
}

}  // namespace mnv2
