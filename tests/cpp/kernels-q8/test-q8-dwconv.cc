// qs8_dwconv3x3s{1,2}_minmax: each __ref against TFLite's plain formula over an explicitly
// padded image (padding holds the input zero point, i.e. real zero), each __wasmsimd against its
// __ref bit for bit. Sweeps channel counts around the 8-lane groups, 1x1 to odd and even images,
// every combination of padding on the four edges, output row sub-ranges, uint8-style per-tensor
// and int8 per-channel weights and the three requantization modes. Rows a range does not need
// are null and every row is its own exact-size allocation, so stray reads fail.
#include <doctest/doctest.h>

#include <cstdint>
#include <ostream>
#include <utility>
#include <vector>

#include "kernels-q8/q8-test.h"
#include "kernels/kernels-q8.h"

using namespace mnv2;
using namespace mnv2_q8_test;

namespace {

struct DwKernel {
  const char* name;
  size_t stride;
  qs8_dwconv3x3_fn* ref;
  qs8_dwconv3x3_fn* simd;
};

const DwKernel kDwKernels[] = {
    {"qs8_dwconv3x3s1_minmax", 1, qs8_dwconv3x3s1_minmax__ref, qs8_dwconv3x3s1_minmax__wasmsimd},
    {"qs8_dwconv3x3s2_minmax", 2, qs8_dwconv3x3s2_minmax__ref, qs8_dwconv3x3s2_minmax__wasmsimd},
};

struct DwCase : Conv3x3Shape {
  Mode mode;
  bool uint8_style, relu6;
};

std::ostream& operator<<(std::ostream& s, const DwCase& t) {
  return s << static_cast<const Conv3x3Shape&>(t) << " " << mode_name(t.mode)
           << (t.relu6 ? " relu6" : " linear");
}

struct DwData : LayerParams {
  InputRows<int8_t> in;
  std::vector<int32_t> packed;
};

// The whole output, its last row and its middle rows (not the f32 tests' first row alone).
std::vector<RowRange> q8_row_ranges(size_t out_h) {
  std::vector<RowRange> ranges = row_ranges(out_h);
  if (out_h >= 2) ranges.erase(ranges.begin() + 1);
  return ranges;
}

// Each shape once, the modes and clamps rotating over them.
std::vector<DwCase> dw_cases(size_t stride) {
  std::vector<DwCase> cases;
  size_t variant = 0;
  for (const Conv3x3Shape& shape :
       dwconv3x3_shapes(stride, {1, 3, 7, 8, 9, 15, 16, 17, 24}, q8_row_ranges)) {
    const Mode mode = Mode(variant % 4);
    cases.push_back({shape, mode, mode == Mode::kPerTensor, variant % 2 == 0});
    variant++;
  }
  return cases;
}

DwData make_data(const DwCase& t, uint32_t seed) {
  std::mt19937 rng(seed);
  InputRows<int8_t> in = input_rows(t, [&] { return random_i8(rng, t.in_w * t.channels); });
  // Weights [3][3][c].
  DwData d{random_layer_params(rng, t.channels, 9, t.uint8_style, false, 1 << 14, t.mode, t.relu6),
           std::move(in), {}};
  d.packed.resize(qs8_dwconv3x3_packed_words(t.channels));
  qs8_dwconv3x3_pack(t.channels, d.w.centred.data(), d.bias.data(), d.input_zero_point,
                     d.requant.data(), d.packed.data());
  return d;
}

struct Run {
  qs8_dwconv3x3_fn* kernel;
  std::vector<int8_t> operator()(const DwCase& t, const DwData& d) const {
    std::vector<int8_t> out((t.row_end - t.row_begin) * t.out_w * t.channels, kSentinel);
    kernel(d.in.pointers.data(), t.in_h, t.in_w, t.channels, t.pad_top, t.pad_left,
           d.packed.data(), out.data(), t.out_w, t.row_begin, t.row_end, d.output);
    return out;
  }
};

std::vector<int8_t> plain(const DwCase& t, const DwData& d) {
  const PaddedImage<int32_t> image = pad_image(t, t.channels, d.input_zero_point,
                                               [&](size_t y) { return d.in.rows[y].data(); });
  std::vector<int8_t> out;
  for_each_output(t, [&](size_t y, size_t x, size_t c) {
    int64_t acc = d.bias[c];
    for (size_t tap = 0; tap < 9; tap++) {  // [3][3][c]
      acc += int64_t(image.at(y + tap / 3, x + tap % 3, c) - d.input_zero_point) *
             (d.w.raw[tap * t.channels + c] - d.w.zero_point[c]);
    }
    out.push_back(tflite_output(acc, d.requant[c], d.output));
  });
  return out;
}

}  // namespace

TEST_SUITE("kernels-q8/dwconv") {
  TEST_CASE("qs8_dwconv3x3: __ref matches TFLite's formula on a zero-point-padded image, "
            "__wasmsimd matches __ref bit for bit") {
    for (const DwKernel& k : kDwKernels) {
      INFO(std::string(k.name));
      check_twins(dw_cases(k.stride), make_data, plain, Run{k.ref}, Run{k.simd});
    }
  }
}
