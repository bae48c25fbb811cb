// Helpers shared by the kernel tests: seeded random data, the two clamp settings every
// kernel is run with, element-wise comparison reporting the first mismatch, and the border and
// row-range cases the 3x3 convolution tests sweep.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace mnv2_test {

inline std::vector<float> random_floats(std::mt19937& rng, size_t count, float lo = -1.0f,
                                        float hi = 1.0f) {
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> values(count);
  for (float& v : values) v = dist(rng);
  return values;
}

struct Bounds {
  float min;
  float max;
  const char* name;
};

// ReLU6 clamps both ways; the linear bottleneck must pass every value through unchanged.
inline const std::vector<Bounds>& all_bounds() {
  static const std::vector<Bounds> bounds = {
      {0.0f, 6.0f, "relu6"},
      {-std::numeric_limits<float>::infinity(), std::numeric_limits<float>::infinity(), "linear"},
  };
  return bounds;
}

inline float clamp_value(double v, const Bounds& b) {
  return float(std::min(std::max(v, double(b.min)), double(b.max)));
}

constexpr size_t kNoMismatch = static_cast<size_t>(-1);

// First index where |got - want| > tol * max(1, |want|): relative for large values, absolute
// near zero.
inline size_t first_mismatch(const float* got, const float* want, size_t count, double tol) {
  for (size_t i = 0; i < count; i++) {
    const double g = got[i], w = want[i];
    if (!(std::fabs(g - w) <= tol * std::max(1.0, std::fabs(w)))) return i;
  }
  return kNoMismatch;
}

// A naive result computed in double together with the sum of the magnitudes of its terms:
// float accumulation may legitimately drift by a few ulp of that magnitude, not of the
// (possibly cancelled) result.
struct Expected {
  std::vector<double> value;
  std::vector<double> magnitude;
};

inline size_t first_mismatch(const std::vector<float>& got, const Expected& want, double tol) {
  for (size_t i = 0; i < got.size(); i++) {
    if (!(std::fabs(double(got[i]) - want.value[i]) <= tol * (1.0 + want.magnitude[i]))) {
      return i;
    }
  }
  return kNoMismatch;
}

inline std::string describe(size_t index, double got, double want) {
  if (index == kNoMismatch) return "";
  std::ostringstream s;
  s.precision(9);
  s << "first mismatch at " << index << ": got " << got << ", want " << want;
  return s.str();
}

inline std::string describe(size_t index, const std::vector<float>& got,
                            const std::vector<float>& want) {
  return index == kNoMismatch ? "" : describe(index, got[index], want[index]);
}

inline std::string describe(size_t index, const std::vector<float>& got, const Expected& want) {
  return index == kNoMismatch ? "" : describe(index, got[index], want.value[index]);
}

// Fills the gaps between strided rows with a value no kernel computes, to catch stray writes.
constexpr float kSentinel = -12345.5f;

// Output row ranges a caller streaming row tiles would ask for: all, first, last, middle.
inline std::vector<std::pair<size_t, size_t>> row_ranges(size_t out_h) {
  std::vector<std::pair<size_t, size_t>> ranges = {{0, out_h}};
  if (out_h >= 2) {
    ranges.push_back({0, 1});
    ranges.push_back({out_h - 1, out_h});
  }
  if (out_h >= 3) ranges.push_back({1, out_h - 1});
  return ranges;
}

// Calls fn(top, left, bottom, right) for each of the 16 combinations of zero or one padding
// row / column on the four edges of an image (the 3x3 kernels' border cases).
template <typename F>
void for_each_edge_padding(F&& fn) {
  for (size_t pads = 0; pads < 16; pads++) {
    fn(pads & 1, (pads >> 1) & 1, (pads >> 2) & 1, (pads >> 3) & 1);
  }
}

}  // namespace mnv2_test
