// f32_conv3x3s2c3_minmax (the stem): __ref against a naive convolution over unpacked OHWI
// weights and an explicitly zero-padded image, __wasmsimd against __ref. Sweeps output
// channels around the 8-channel blocks, odd and even images (so the 4-pixel tiles leave every
// remainder), every combination of padding on the four edges, and output row sub-ranges.
#include <doctest/doctest.h>

#include <cstdint>

#include "kernels/kernel-test.h"
#include "kernels/kernels.h"

using namespace mnv2;
using namespace mnv2_test;

namespace {

constexpr size_t kStride = 2;

struct ConvCase {
  size_t out_c, in_h, in_w;
  size_t pad_top, pad_left, pad_bottom, pad_right;
  size_t out_h, out_w, row_begin, row_end;
  Bounds bounds;
};

struct ConvData {
  std::vector<float> input, weights, bias, packed;
};

std::vector<ConvCase> conv_cases() {
  std::vector<ConvCase> cases;
  auto add = [&](size_t out_c, size_t in_h, size_t in_w, size_t pt, size_t pl, size_t pb, size_t pr,
                 bool all_ranges) {
    if (in_h + pt + pb < 3 || in_w + pl + pr < 3) return;
    const size_t out_h = (in_h + pt + pb - 3) / kStride + 1;
    const size_t out_w = (in_w + pl + pr - 3) / kStride + 1;
    auto ranges = row_ranges(out_h);
    if (!all_ranges) ranges.resize(1);
    for (const auto& range : ranges) {
      for (const Bounds& b : all_bounds()) {
        cases.push_back(
            {out_c, in_h, in_w, pt, pl, pb, pr, out_h, out_w, range.first, range.second, b});
      }
    }
  };
  const std::pair<size_t, size_t> sizes[] = {{1, 1}, {2, 2}, {3, 3}, {4, 4},   {5, 5},
                                             {7, 9}, {8, 8}, {9, 7}, {16, 13}, {17, 17}};
  for (size_t out_c : {1, 3, 8, 9, 16, 17, 24, 32}) {
    for (const auto& size : sizes) {
      for_each_edge_padding([&](size_t pt, size_t pl, size_t pb, size_t pr) {
        add(out_c, size.first, size.second, pt, pl, pb, pr, true);
      });
    }
  }
  // The MobileNetV2 stem: 224x224x3 -> 112x112x32, TensorFlow SAME padding.
  add(32, 224, 224, 0, 0, 1, 1, false);
  return cases;
}

ConvData make_data(const ConvCase& t, uint32_t seed) {
  std::mt19937 rng(seed);
  ConvData d;
  d.input = random_floats(rng, t.in_h * t.in_w * 3, -2.0f, 2.0f);
  d.weights = random_floats(rng, t.out_c * 27, -2.0f, 2.0f);
  d.bias = random_floats(rng, t.out_c, -2.0f, 2.0f);
  d.packed.resize(conv3x3c3_packed_size(t.out_c));
  conv3x3c3_pack(t.out_c, d.weights.data(), d.bias.data(), d.packed.data());
  return d;
}

std::vector<float> run(conv3x3s2c3_fn* fn, const ConvCase& t, const ConvData& d) {
  std::vector<float> output((t.row_end - t.row_begin) * t.out_w * t.out_c, kSentinel);
  fn(d.input.data(), t.in_h, t.in_w, t.pad_top, t.pad_left, d.packed.data(), t.out_c, output.data(),
     t.out_w, t.row_begin, t.row_end, t.bounds.min, t.bounds.max);
  return output;
}

Expected naive(const ConvCase& t, const ConvData& d) {
  const size_t padded_h = t.in_h + t.pad_top + t.pad_bottom;
  const size_t padded_w = t.in_w + t.pad_left + t.pad_right;
  std::vector<float> padded(padded_h * padded_w * 3, 0.0f);
  for (size_t y = 0; y < t.in_h; y++) {
    for (size_t x = 0; x < t.in_w; x++) {
      for (size_t ci = 0; ci < 3; ci++) {
        padded[((y + t.pad_top) * padded_w + x + t.pad_left) * 3 + ci] =
            d.input[(y * t.in_w + x) * 3 + ci];
      }
    }
  }
  Expected e;
  for (size_t oy = t.row_begin; oy < t.row_end; oy++) {
    for (size_t ox = 0; ox < t.out_w; ox++) {
      for (size_t co = 0; co < t.out_c; co++) {
        double sum = d.bias[co], magnitude = std::fabs(d.bias[co]);
        for (size_t ky = 0; ky < 3; ky++) {
          for (size_t kx = 0; kx < 3; kx++) {
            for (size_t ci = 0; ci < 3; ci++) {
              const size_t y = oy * kStride + ky, x = ox * kStride + kx;
              // OHWI: weights[co][ky][kx][ci].
              const double term = double(padded[(y * padded_w + x) * 3 + ci]) *
                                  d.weights[((co * 3 + ky) * 3 + kx) * 3 + ci];
              sum += term;
              magnitude += std::fabs(term);
            }
          }
        }
        e.value.push_back(clamp_value(sum, t.bounds));
        e.magnitude.push_back(magnitude);
      }
    }
  }
  return e;
}

#define CONV_CAPTURE(t)                                                                            \
  INFO("out_c=", t.out_c, " in=", t.in_h, "x", t.in_w, " pad(t,l,b,r)=", t.pad_top, ",",           \
       t.pad_left, ",", t.pad_bottom, ",", t.pad_right, " out=", t.out_h, "x", t.out_w, " rows=[", \
       t.row_begin, ",", t.row_end, ") ", std::string(t.bounds.name))

}  // namespace

TEST_SUITE("kernels/conv") {
  TEST_CASE("f32_conv3x3s2c3_minmax__ref matches a naive zero-padded convolution") {
    const std::vector<ConvCase> cases = conv_cases();
    for (size_t i = 0; i < cases.size(); i++) {
      const ConvCase& t = cases[i];
      CONV_CAPTURE(t);
      const ConvData d = make_data(t, uint32_t(i));
      const std::vector<float> got = run(f32_conv3x3s2c3_minmax__ref, t, d);
      const Expected want = naive(t, d);
      const size_t bad = first_mismatch(got, want, 1e-5);
      CHECK_MESSAGE(bad == kNoMismatch, describe(bad, got, want));
    }
  }

  TEST_CASE("f32_conv3x3s2c3_minmax__wasmsimd matches __ref") {
    const std::vector<ConvCase> cases = conv_cases();
    for (size_t i = 0; i < cases.size(); i++) {
      const ConvCase& t = cases[i];
      CONV_CAPTURE(t);
      const ConvData d = make_data(t, uint32_t(i));
      const std::vector<float> want = run(f32_conv3x3s2c3_minmax__ref, t, d);
      const std::vector<float> got = run(f32_conv3x3s2c3_minmax__wasmsimd, t, d);
      const size_t bad = first_mismatch(got.data(), want.data(), got.size(), 1e-5);
      CHECK_MESSAGE(bad == kNoMismatch, describe(bad, got, want));
    }
  }
}
