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

struct ConvData {
  std::vector<float> input, weights, bias, packed;
};

// The shapes' channels are the output channels; the input has 3.
std::vector<Conv3x3Case> conv_cases() {
  Conv3x3Shapes shapes(2);
  shapes.sweep({1, 3, 8, 9, 16, 17, 24, 32}, {{1, 1}, {2, 2}, {3, 3}, {4, 4}, {5, 5},
                                             {7, 9}, {8, 8}, {9, 7}, {16, 13}, {17, 17}});
  // The MobileNetV2 stem: 224x224x3 -> 112x112x32, TensorFlow SAME padding.
  shapes.add(32, 224, 224, 0, 0, 1, 1, false);
  return with_all_bounds(shapes.shapes());
}

ConvData make_data(const Conv3x3Case& t, uint32_t seed) {
  std::mt19937 rng(seed);
  ConvData d;
  d.input = random_floats(rng, t.in_h * t.in_w * 3, -2.0f, 2.0f);
  d.weights = random_floats(rng, t.channels * 27, -2.0f, 2.0f);
  d.bias = random_floats(rng, t.channels, -2.0f, 2.0f);
  d.packed.resize(conv3x3c3_packed_size(t.channels));
  conv3x3c3_pack(t.channels, d.weights.data(), d.bias.data(), d.packed.data());
  return d;
}

struct Run {
  conv3x3s2c3_fn* kernel;
  std::vector<float> operator()(const Conv3x3Case& t, const ConvData& d) const {
    std::vector<float> output((t.row_end - t.row_begin) * t.out_w * t.channels, kSentinel);
    kernel(d.input.data(), t.in_h, t.in_w, t.pad_top, t.pad_left, d.packed.data(), t.channels,
           output.data(), t.out_w, t.row_begin, t.row_end, t.bounds.min, t.bounds.max);
    return output;
  }
};

Expected naive(const Conv3x3Case& t, const ConvData& d) {
  const PaddedImage<float> image =
      pad_image(t, 3, 0.0f, [&](size_t y) { return d.input.data() + y * t.in_w * 3; });
  Expected e;
  for_each_output(t, [&](size_t y, size_t x, size_t co) {
    NaiveSum sum;
    sum.add(d.bias[co]);
    for (size_t tap = 0; tap < 9; tap++) {
      for (size_t ci = 0; ci < 3; ci++) {
        // OHWI: weights[co][ky][kx][ci].
        sum.add(double(image.at(y + tap / 3, x + tap % 3, ci)) *
                d.weights[(co * 9 + tap) * 3 + ci]);
      }
    }
    e.push_back(sum, t.bounds);
  });
  return e;
}

}  // namespace

TEST_SUITE("kernels/conv") {
  TEST_CASE("f32_conv3x3s2c3_minmax: __ref matches a naive zero-padded convolution, __wasmsimd "
            "matches __ref") {
    check_twins(conv_cases(), make_data, naive, Run{f32_conv3x3s2c3_minmax__ref},
                Run{f32_conv3x3s2c3_minmax__wasmsimd});
  }
}
