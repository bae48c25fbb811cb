// Helpers shared by the kernel tests, float and int8: seeded random data, the two clamp settings
// every float kernel is run with, the naive sum that float results are judged against, the
// comparison of two results that names the first mismatch, the check of a pair of twins over a
// table of cases, and the shapes, rows and padded images of the 3x3 convolution tests.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <ostream>
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

// One output of a naive float computation: its terms summed in double, and the sum of their
// magnitudes (see Expected).
struct NaiveSum {
  double value = 0.0;
  double magnitude = 0.0;
  void add(double term) {
    value += term;
    magnitude += std::fabs(term);
  }
};

// A naive result computed in double together with the sum of the magnitudes of its terms:
// float accumulation may legitimately drift by a few ulp of that magnitude, not of the
// (possibly cancelled) result.
struct Expected {
  std::vector<double> value;
  std::vector<double> magnitude;

  void push_back(const NaiveSum& sum, const Bounds& bounds) {
    value.push_back(clamp_value(sum.value, bounds));
    magnitude.push_back(sum.magnitude);
  }
};

// What the float kernel tests allow: relative to the magnitude of the terms against a naive
// result, relative to the value (absolute near zero) between two kernels.
constexpr double kFloatTolerance = 1e-5;

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

inline size_t first_mismatch(const std::vector<float>& got, const Expected& want, double tol) {
  for (size_t i = 0; i < got.size(); i++) {
    if (!(std::fabs(double(got[i]) - want.value[i]) <= tol * (1.0 + want.magnitude[i]))) {
      return i;
    }
  }
  return kNoMismatch;
}

// Integer kernels must agree bit for bit.
inline size_t first_mismatch(const std::vector<int8_t>& got, const std::vector<int8_t>& want) {
  if (got.size() != want.size()) return 0;
  for (size_t i = 0; i < got.size(); i++) {
    if (got[i] != want[i]) return i;
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

template <typename T>
std::string describe(size_t index, const std::vector<T>& got, const std::vector<T>& want) {
  return index == kNoMismatch ? "" : describe(index, double(got[index]), double(want[index]));
}

inline std::string describe(size_t index, const std::vector<float>& got, const Expected& want) {
  return index == kNoMismatch ? "" : describe(index, got[index], want.value[index]);
}

// CHECKs that a kernel's result matches what it is compared with (within kFloatTolerance for
// floats, bit for bit for int8), naming the first element that does not.
inline void check_matches(const std::vector<float>& got, const Expected& want) {
  const size_t bad = first_mismatch(got, want, kFloatTolerance);
  CHECK_MESSAGE(bad == kNoMismatch, describe(bad, got, want));
}

inline void check_matches(const std::vector<float>& got, const std::vector<float>& want) {
  const size_t bad = first_mismatch(got.data(), want.data(), got.size(), kFloatTolerance);
  CHECK_MESSAGE(bad == kNoMismatch, describe(bad, got, want));
}

inline void check_matches(const std::vector<int8_t>& got, const std::vector<int8_t>& want) {
  const size_t bad = first_mismatch(got, want);
  CHECK_MESSAGE(bad == kNoMismatch, describe(bad, got, want));
}

// The contract of a kernel's __ref / __wasmsimd twins, checked case by case: case i gets its
// data from seed i (make_data(case, seed)); ref(case, data) must match reference(case, data),
// the plain statement of the math, and simd(case, data) must match ref's result. A failure
// names the case through its operator<<.
template <typename Case, typename MakeData, typename Reference, typename Run>
void check_twins(const std::vector<Case>& cases, MakeData make_data, Reference reference, Run ref,
                 Run simd) {
  for (size_t i = 0; i < cases.size(); i++) {
    const Case& t = cases[i];
    INFO(t);
    const auto data = make_data(t, uint32_t(i));
    const auto ref_result = ref(t, data);
    check_matches(ref_result, reference(t, data));
    check_matches(simd(t, data), ref_result);
  }
}

// Fills the gaps between strided rows with a value no kernel computes, to catch stray writes.
constexpr float kSentinel = -12345.5f;

// ---- 3x3 convolutions ----------------------------------------------------------------------

using RowRange = std::pair<size_t, size_t>;

// Output row ranges a caller streaming row tiles would ask for: all, first, last, middle.
inline std::vector<RowRange> row_ranges(size_t out_h) {
  std::vector<RowRange> ranges = {{0, out_h}};
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

// One call of a 3x3 convolution kernel: an in_h x in_w image, its padding on each edge, the
// stride, and the output rows [row_begin, row_end) asked for.
struct Conv3x3Shape {
  size_t channels;  // a depthwise convolution's channels; the stem's output channels
  size_t in_h, in_w;
  size_t pad_top, pad_left, pad_bottom, pad_right;
  size_t stride, out_h, out_w, row_begin, row_end;
};

inline std::ostream& operator<<(std::ostream& s, const Conv3x3Shape& t) {
  return s << "c=" << t.channels << " in=" << t.in_h << "x" << t.in_w << " pad(t,l,b,r)="
           << t.pad_top << "," << t.pad_left << "," << t.pad_bottom << "," << t.pad_right
           << " stride=" << t.stride << " out=" << t.out_h << "x" << t.out_w << " rows=["
           << t.row_begin << "," << t.row_end << ")";
}

// Collects the shapes of one stride, each image with the row ranges `ranges` gives it.
class Conv3x3Shapes {
 public:
  explicit Conv3x3Shapes(size_t stride,
                         std::vector<RowRange> (*ranges)(size_t out_h) = row_ranges)
      : stride_(stride), ranges_(ranges) {}

  // One image with its padding, with every row range or only the whole output; nothing when
  // the padded image is smaller than the kernel.
  void add(size_t channels, size_t in_h, size_t in_w, size_t pt, size_t pl, size_t pb,
           size_t pr, bool all_ranges = true) {
    if (in_h + pt + pb < 3 || in_w + pl + pr < 3) return;
    const size_t out_h = (in_h + pt + pb - 3) / stride_ + 1;
    const size_t out_w = (in_w + pl + pr - 3) / stride_ + 1;
    std::vector<RowRange> ranges = ranges_(out_h);
    if (!all_ranges) ranges.resize(1);
    for (const RowRange& range : ranges) {
      shapes_.push_back(
          {channels, in_h, in_w, pt, pl, pb, pr, stride_, out_h, out_w, range.first, range.second});
    }
  }

  // Each channel count with each image size and each of the 16 edge paddings.
  void sweep(std::initializer_list<size_t> channel_counts,
             std::initializer_list<std::pair<size_t, size_t>> sizes) {
    for (size_t channels : channel_counts) {
      for (const auto& size : sizes) {
        for_each_edge_padding([&](size_t pt, size_t pl, size_t pb, size_t pr) {
          add(channels, size.first, size.second, pt, pl, pb, pr);
        });
      }
    }
  }

  const std::vector<Conv3x3Shape>& shapes() const { return shapes_; }

 private:
  size_t stride_;
  std::vector<RowRange> (*ranges_)(size_t);
  std::vector<Conv3x3Shape> shapes_;
};

// The depthwise 3x3 kernels' shapes: each channel count with images from 1x1 to 8x9 (narrower
// than the kernel, odd, even) and every edge padding, then MobileNetV2's depthwise layers of
// this stride (TensorFlow SAME padding), the largest only whole.
inline std::vector<Conv3x3Shape> dwconv3x3_shapes(
    size_t stride, std::initializer_list<size_t> channel_counts,
    std::vector<RowRange> (*ranges)(size_t out_h) = row_ranges) {
  Conv3x3Shapes shapes(stride, ranges);
  shapes.sweep(channel_counts, {{1, 1}, {1, 3}, {2, 2}, {3, 1}, {3, 3},
                                {4, 5}, {5, 4}, {6, 6}, {7, 7}, {8, 9}});
  if (stride == 1) {
    shapes.add(144, 28, 28, 1, 1, 1, 1);
    shapes.add(960, 7, 7, 1, 1, 1, 1, false);
  } else {
    shapes.add(144, 56, 56, 0, 0, 1, 1);
    shapes.add(96, 112, 112, 0, 0, 1, 1, false);
  }
  return shapes.shapes();
}

// A float 3x3 kernel's case: a shape, run with one clamp setting.
struct Conv3x3Case : Conv3x3Shape {
  Bounds bounds;
};

inline std::ostream& operator<<(std::ostream& s, const Conv3x3Case& t) {
  return s << static_cast<const Conv3x3Shape&>(t) << " " << t.bounds.name;
}

// Each shape with each of all_bounds().
inline std::vector<Conv3x3Case> with_all_bounds(const std::vector<Conv3x3Shape>& shapes) {
  std::vector<Conv3x3Case> cases;
  for (const Conv3x3Shape& shape : shapes) {
    for (const Bounds& b : all_bounds()) cases.push_back({shape, b});
  }
  return cases;
}

// Calls fn(y, x, c) for each output element of the requested rows, in output order: (y, x) is
// the top left of the element's 3x3 window in the padded image, c its channel.
template <typename F>
void for_each_output(const Conv3x3Shape& s, F&& fn) {
  for (size_t oy = s.row_begin; oy < s.row_end; oy++) {
    for (size_t ox = 0; ox < s.out_w; ox++) {
      for (size_t c = 0; c < s.channels; c++) fn(oy * s.stride, ox * s.stride, c);
    }
  }
}

// A depthwise kernel's input: every row its own exact-size allocation (so reading past a row's
// end trips AddressSanitizer), and the row pointers the kernel gets, null for the rows the
// requested output rows do not need (so reading one of those fails too).
template <typename T>
struct InputRows {
  std::vector<std::vector<T>> rows;
  std::vector<const T*> pointers;
};

// random_row() makes each row, top to bottom.
template <typename RandomRow>
auto input_rows(const Conv3x3Shape& s, RandomRow&& random_row) {
  using T = typename decltype(random_row())::value_type;
  InputRows<T> in;
  const ptrdiff_t first = ptrdiff_t(s.row_begin * s.stride) - ptrdiff_t(s.pad_top);
  const ptrdiff_t last = ptrdiff_t((s.row_end - 1) * s.stride + 2) - ptrdiff_t(s.pad_top);
  for (size_t iy = 0; iy < s.in_h; iy++) {
    in.rows.push_back(random_row());
    const bool needed = ptrdiff_t(iy) >= first && ptrdiff_t(iy) <= last;
    in.pointers.push_back(needed ? in.rows.back().data() : nullptr);
  }
  return in;
}

// The image with its padding written out, for the naive convolutions.
template <typename T>
struct PaddedImage {
  size_t width, channels;
  std::vector<T> values;

  // Element c of the pixel at (y, x) of the padded image.
  T at(size_t y, size_t x, size_t c) const { return values[(y * width + x) * channels + c]; }
};

// `fill` around the pixels; row(y) points at input row y, in_w x channels values.
template <typename T, typename Row>
PaddedImage<T> pad_image(const Conv3x3Shape& s, size_t channels, T fill, Row&& row) {
  PaddedImage<T> image{s.in_w + s.pad_left + s.pad_right, channels, {}};
  image.values.assign((s.in_h + s.pad_top + s.pad_bottom) * image.width * channels, fill);
  for (size_t y = 0; y < s.in_h; y++) {
    for (size_t x = 0; x < s.in_w * channels; x++) {
      image.values[((y + s.pad_top) * image.width + s.pad_left) * channels + x] = T(row(y)[x]);
    }
  }
  return image;
}

}  // namespace mnv2_test
