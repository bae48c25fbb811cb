// f32_dwconv3x3s{1,2}_minmax: each __ref against a naive convolution over unpacked [3][3][c]
// weights and an explicitly zero-padded image, each __wasmsimd against its __ref. Sweeps
// channel counts around the 4-lane groups, 1x1 to odd and even images, every combination of
// padding on the four edges, and output row sub-ranges. Every input row is its own exact-size
// allocation and rows the requested range does not need are null, so a kernel reading a row
// it should not, or past a row's end, fails (null dereference / AddressSanitizer).
#include <doctest/doctest.h>

#include <cstdint>

#include "kernels/kernel-test.h"
#include "kernels/kernels.h"

using namespace mnv2;
using namespace mnv2_test;

namespace {

struct DwKernel {
  const char* name;
  size_t stride;
  dwconv3x3_fn* ref;
  dwconv3x3_fn* simd;
};

const DwKernel kDwKernels[] = {
    {"f32_dwconv3x3s1_minmax", 1, f32_dwconv3x3s1_minmax__ref, f32_dwconv3x3s1_minmax__wasmsimd},
    {"f32_dwconv3x3s2_minmax", 2, f32_dwconv3x3s2_minmax__ref, f32_dwconv3x3s2_minmax__wasmsimd},
};

struct DwData {
  InputRows<float> in;
  std::vector<float> weights, bias, packed;
};

std::vector<Conv3x3Case> dw_cases(size_t stride) {
  return with_all_bounds(dwconv3x3_shapes(stride, {1, 3, 4, 5, 7, 8, 9, 13, 16, 17, 24}));
}

DwData make_data(const Conv3x3Case& t, uint32_t seed) {
  std::mt19937 rng(seed);
  DwData d;
  d.in = input_rows(t, [&] { return random_floats(rng, t.in_w * t.channels, -2.0f, 2.0f); });
  d.weights = random_floats(rng, 9 * t.channels, -2.0f, 2.0f);
  d.bias = random_floats(rng, t.channels, -2.0f, 2.0f);
  d.packed.resize(dwconv3x3_packed_size(t.channels));
  dwconv3x3_pack(t.channels, d.weights.data(), d.bias.data(), d.packed.data());
  return d;
}

struct Run {
  dwconv3x3_fn* kernel;
  std::vector<float> operator()(const Conv3x3Case& t, const DwData& d) const {
    std::vector<float> output((t.row_end - t.row_begin) * t.out_w * t.channels, kSentinel);
    kernel(d.in.pointers.data(), t.in_h, t.in_w, t.channels, t.pad_top, t.pad_left,
           d.packed.data(), output.data(), t.out_w, t.row_begin, t.row_end, t.bounds.min,
           t.bounds.max);
    return output;
  }
};

Expected naive(const Conv3x3Case& t, const DwData& d) {
  const PaddedImage<float> image =
      pad_image(t, t.channels, 0.0f, [&](size_t y) { return d.in.rows[y].data(); });
  Expected e;
  for_each_output(t, [&](size_t y, size_t x, size_t c) {
    NaiveSum sum;
    sum.add(d.bias[c]);
    for (size_t tap = 0; tap < 9; tap++) {  // [3][3][c]
      sum.add(double(image.at(y + tap / 3, x + tap % 3, c)) * d.weights[tap * t.channels + c]);
    }
    e.push_back(sum, t.bounds);
  });
  return e;
}

}  // namespace

TEST_SUITE("kernels/dwconv") {
  TEST_CASE("f32_dwconv3x3s*_minmax: __ref matches a naive zero-padded convolution, __wasmsimd "
            "matches __ref") {
    for (const DwKernel& k : kDwKernels) {
      INFO(std::string(k.name));
      check_twins(dw_cases(k.stride), make_data, naive, Run{k.ref}, Run{k.simd});
    }
  }
}
