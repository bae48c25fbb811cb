// qs8_dwconv3x3s{1,2}_minmax: each __ref against TFLite's plain formula over an explicitly
// padded image (padding holds the input zero point, i.e. real zero), each __wasmsimd against its
// __ref bit for bit. Sweeps channel counts around the 8-lane groups, 1x1 to odd and even images,
// every combination of padding on the four edges, output row sub-ranges, uint8-style per-tensor
// and int8 per-channel weights and the three requantization modes. Rows a range does not need
// are null and every row is its own exact-size allocation, so stray reads fail.
#include <doctest/doctest.h>

#include <cstdint>
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

struct DwCase {
  size_t channels, in_h, in_w;
  size_t pad_top, pad_left, pad_bottom, pad_right;
  size_t out_h, out_w, row_begin, row_end;
  Mode mode;
  bool uint8_style, relu6;
};

struct DwData {
  std::vector<std::vector<int8_t>> rows;
  std::vector<const int8_t*> row_ptrs;
  Weights w;
  std::vector<int32_t> bias;
  std::vector<q8::Requantization> requant;
  int32_t input_zero_point;
  Q8Output output;
  std::vector<int32_t> packed;
};

std::vector<DwCase> dw_cases(size_t stride) {
  std::vector<DwCase> cases;
  size_t variant = 0;
  auto add = [&](size_t channels, size_t in_h, size_t in_w, size_t pt, size_t pl, size_t pb,
                 size_t pr, bool all_ranges) {
    if (in_h + pt + pb < 3 || in_w + pl + pr < 3) return;
    const size_t out_h = (in_h + pt + pb - 3) / stride + 1;
    const size_t out_w = (in_w + pl + pr - 3) / stride + 1;
    std::vector<std::pair<size_t, size_t>> ranges = {{0, out_h}};
    if (all_ranges && out_h >= 2) ranges.push_back({out_h - 1, out_h});
    if (all_ranges && out_h >= 3) ranges.push_back({1, out_h - 1});
    for (const auto& range : ranges) {
      const Mode mode = Mode(variant % 4);
      const bool uint8_style = mode == Mode::kPerTensor;
      cases.push_back({channels, in_h, in_w, pt, pl, pb, pr, out_h, out_w, range.first,
                       range.second, mode, uint8_style, variant % 2 == 0});
      variant++;
    }
  };
  const std::pair<size_t, size_t> sizes[] = {{1, 1}, {1, 3}, {2, 2}, {3, 1}, {3, 3},
                                             {4, 5}, {5, 4}, {6, 6}, {7, 7}, {8, 9}};
  for (size_t channels : {1, 3, 7, 8, 9, 15, 16, 17, 24}) {
    for (const auto& size : sizes) {
      for (size_t pads = 0; pads < 16; pads++) {
        add(channels, size.first, size.second, pads & 1, (pads >> 1) & 1, (pads >> 2) & 1,
            (pads >> 3) & 1, true);
      }
    }
  }
  if (stride == 1) {
    add(144, 28, 28, 1, 1, 1, 1, true);
    add(960, 7, 7, 1, 1, 1, 1, false);
  } else {
    add(144, 56, 56, 0, 0, 1, 1, true);
    add(96, 112, 112, 0, 0, 1, 1, false);
  }
  return cases;
}

DwData make_data(const DwCase& t, size_t stride, uint32_t seed) {
  std::mt19937 rng(seed);
  DwData d;
  const ptrdiff_t first = ptrdiff_t(t.row_begin * stride) - ptrdiff_t(t.pad_top);
  const ptrdiff_t last = ptrdiff_t((t.row_end - 1) * stride + 2) - ptrdiff_t(t.pad_top);
  for (size_t iy = 0; iy < t.in_h; iy++) {
    d.rows.push_back(random_i8(rng, t.in_w * t.channels));
    const bool needed = ptrdiff_t(iy) >= first && ptrdiff_t(iy) <= last;
    d.row_ptrs.push_back(needed ? d.rows.back().data() : nullptr);
  }
  d.w = random_weights(rng, t.channels, 9, t.uint8_style, false);  // [3][3][c]
  d.bias = random_bias(rng, t.channels, 1 << 14);
  d.requant = random_requant(rng, t.channels, 9, t.mode);
  d.input_zero_point = random_int(rng, -128, 127);
  d.output = random_output(rng, t.relu6);
  d.packed.resize(qs8_dwconv3x3_packed_words(t.channels));
  qs8_dwconv3x3_pack(t.channels, d.w.centred.data(), d.bias.data(), d.input_zero_point,
                     d.requant.data(), d.packed.data());
  return d;
}

std::vector<int8_t> run(qs8_dwconv3x3_fn* fn, const DwCase& t, const DwData& d) {
  std::vector<int8_t> out((t.row_end - t.row_begin) * t.out_w * t.channels, kSentinel);
  fn(d.row_ptrs.data(), t.in_h, t.in_w, t.channels, t.pad_top, t.pad_left, d.packed.data(),
     out.data(), t.out_w, t.row_begin, t.row_end, d.output);
  return out;
}

std::vector<int8_t> plain(const DwCase& t, size_t stride, const DwData& d) {
  const size_t ph = t.in_h + t.pad_top + t.pad_bottom, pw = t.in_w + t.pad_left + t.pad_right;
  const size_t C = t.channels;
  std::vector<int32_t> padded(ph * pw * C, d.input_zero_point);
  for (size_t y = 0; y < t.in_h; y++) {
    for (size_t x = 0; x < t.in_w * C; x++) {
      padded[((y + t.pad_top) * pw + t.pad_left) * C + x] = d.rows[y][x];
    }
  }
  std::vector<int8_t> out;
  for (size_t oy = t.row_begin; oy < t.row_end; oy++) {
    for (size_t ox = 0; ox < t.out_w; ox++) {
      for (size_t c = 0; c < C; c++) {
        int64_t acc = d.bias[c];
        for (size_t ky = 0; ky < 3; ky++) {
          for (size_t kx = 0; kx < 3; kx++) {
            const size_t tap = (ky * 3 + kx) * C + c;
            acc += int64_t(padded[((oy * stride + ky) * pw + ox * stride + kx) * C + c] -
                           d.input_zero_point) *
                   (d.w.raw[tap] - d.w.zero_point[c]);
          }
        }
        out.push_back(tflite_output(acc, d.requant[c], d.output));
      }
    }
  }
  return out;
}

#define DW_CAPTURE(k, t)                                                                     \
  INFO(k.name, " channels=", t.channels, " in=", t.in_h, "x", t.in_w, " pad t/l/b/r=",       \
       t.pad_top, "/", t.pad_left, "/", t.pad_bottom, "/", t.pad_right, " rows [", t.row_begin, \
       ", ", t.row_end, ") ", mode_name(t.mode), t.relu6 ? " relu6" : " linear")

}  // namespace

TEST_SUITE("kernels-q8/dwconv") {
  TEST_CASE("qs8_dwconv3x3 __ref matches TFLite's formula on a zero-point-padded image") {
    for (const DwKernel& k : kDwKernels) {
      const std::vector<DwCase> cases = dw_cases(k.stride);
      for (size_t i = 0; i < cases.size(); i++) {
        const DwCase& t = cases[i];
        DW_CAPTURE(k, t);
        const DwData d = make_data(t, k.stride, uint32_t(i));
        const std::vector<int8_t> got = run(k.ref, t, d);
        const std::vector<int8_t> want = plain(t, k.stride, d);
        const size_t bad = first_mismatch(got, want);
        CHECK_MESSAGE(bad == kNoMismatch, describe(bad, got, want));
      }
    }
  }

  TEST_CASE("qs8_dwconv3x3 __wasmsimd matches __ref bit for bit") {
    for (const DwKernel& k : kDwKernels) {
      const std::vector<DwCase> cases = dw_cases(k.stride);
      for (size_t i = 0; i < cases.size(); i++) {
        const DwCase& t = cases[i];
        DW_CAPTURE(k, t);
        const DwData d = make_data(t, k.stride, uint32_t(i));
        const std::vector<int8_t> want = run(k.ref, t, d);
        const std::vector<int8_t> got = run(k.simd, t, d);
        const size_t bad = first_mismatch(got, want);
        CHECK_MESSAGE(bad == kNoMismatch, describe(bad, got, want));
      }
    }
  }
}
