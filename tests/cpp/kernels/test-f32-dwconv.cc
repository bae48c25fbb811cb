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

struct DwCase {
  size_t channels, in_h, in_w;
  size_t pad_top, pad_left, pad_bottom, pad_right;
  size_t out_h, out_w, row_begin, row_end;
  Bounds bounds;
};

struct DwData {
  std::vector<std::vector<float>> rows;
  std::vector<const float*> row_ptrs;  // null where the row range does not need the row
  std::vector<float> weights, bias, packed;
};

std::vector<DwCase> dw_cases(size_t stride) {
  std::vector<DwCase> cases;
  auto add = [&](size_t channels, size_t in_h, size_t in_w, size_t pt, size_t pl, size_t pb,
                 size_t pr, bool all_ranges) {
    if (in_h + pt + pb < 3 || in_w + pl + pr < 3) return;
    const size_t out_h = (in_h + pt + pb - 3) / stride + 1;
    const size_t out_w = (in_w + pl + pr - 3) / stride + 1;
    auto ranges = row_ranges(out_h);
    if (!all_ranges) ranges.resize(1);
    for (const auto& range : ranges) {
      for (const Bounds& b : all_bounds()) {
        cases.push_back(
            {channels, in_h, in_w, pt, pl, pb, pr, out_h, out_w, range.first, range.second, b});
      }
    }
  };
  const std::pair<size_t, size_t> sizes[] = {{1, 1}, {1, 3}, {2, 2}, {3, 1}, {3, 3},
                                             {4, 5}, {5, 4}, {6, 6}, {7, 7}, {8, 9}};
  for (size_t channels : {1, 3, 4, 5, 7, 8, 9, 13, 16, 17, 24}) {
    for (const auto& size : sizes) {
      for_each_edge_padding([&](size_t pt, size_t pl, size_t pb, size_t pr) {
        add(channels, size.first, size.second, pt, pl, pb, pr, true);
      });
    }
  }
  // MobileNetV2-sized layers (TensorFlow SAME padding).
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
    d.rows.push_back(random_floats(rng, t.in_w * t.channels, -2.0f, 2.0f));
    const bool needed = ptrdiff_t(iy) >= first && ptrdiff_t(iy) <= last;
    d.row_ptrs.push_back(needed ? d.rows.back().data() : nullptr);
  }
  d.weights = random_floats(rng, 9 * t.channels, -2.0f, 2.0f);
  d.bias = random_floats(rng, t.channels, -2.0f, 2.0f);
  d.packed.resize(dwconv3x3_packed_size(t.channels));
  dwconv3x3_pack(t.channels, d.weights.data(), d.bias.data(), d.packed.data());
  return d;
}

std::vector<float> run(dwconv3x3_fn* fn, const DwCase& t, const DwData& d) {
  std::vector<float> output((t.row_end - t.row_begin) * t.out_w * t.channels, kSentinel);
  fn(d.row_ptrs.data(), t.in_h, t.in_w, t.channels, t.pad_top, t.pad_left, d.packed.data(),
     output.data(), t.out_w, t.row_begin, t.row_end, t.bounds.min, t.bounds.max);
  return output;
}

Expected naive(const DwCase& t, size_t stride, const DwData& d) {
  const size_t padded_h = t.in_h + t.pad_top + t.pad_bottom;
  const size_t padded_w = t.in_w + t.pad_left + t.pad_right;
  const size_t c_count = t.channels;
  std::vector<float> padded(padded_h * padded_w * c_count, 0.0f);
  for (size_t y = 0; y < t.in_h; y++) {
    for (size_t x = 0; x < t.in_w; x++) {
      for (size_t c = 0; c < c_count; c++) {
        padded[((y + t.pad_top) * padded_w + x + t.pad_left) * c_count + c] =
            d.rows[y][x * c_count + c];
      }
    }
  }
  Expected e;
  for (size_t oy = t.row_begin; oy < t.row_end; oy++) {
    for (size_t ox = 0; ox < t.out_w; ox++) {
      for (size_t c = 0; c < c_count; c++) {
        double sum = d.bias[c], magnitude = std::fabs(d.bias[c]);
        for (size_t ky = 0; ky < 3; ky++) {
          for (size_t kx = 0; kx < 3; kx++) {
            const size_t y = oy * stride + ky, x = ox * stride + kx;
            const double term = double(padded[(y * padded_w + x) * c_count + c]) *
                                d.weights[(ky * 3 + kx) * c_count + c];
            sum += term;
            magnitude += std::fabs(term);
          }
        }
        e.value.push_back(clamp_value(sum, t.bounds));
        e.magnitude.push_back(magnitude);
      }
    }
  }
  return e;
}

#define DW_CAPTURE(k, t)                                                                  \
  INFO(std::string(k.name), " c=", t.channels, " in=", t.in_h, "x", t.in_w,               \
       " pad(t,l,b,r)=", t.pad_top, ",", t.pad_left, ",", t.pad_bottom, ",", t.pad_right, \
       " out=", t.out_h, "x", t.out_w, " rows=[", t.row_begin, ",", t.row_end, ") ",      \
       std::string(t.bounds.name))

}  // namespace

TEST_SUITE("kernels/dwconv") {
  TEST_CASE("f32_dwconv3x3s*_minmax__ref matches a naive zero-padded convolution") {
    for (const DwKernel& k : kDwKernels) {
      const std::vector<DwCase> cases = dw_cases(k.stride);
      for (size_t i = 0; i < cases.size(); i++) {
        const DwCase& t = cases[i];
        DW_CAPTURE(k, t);
        const DwData d = make_data(t, k.stride, uint32_t(i));
        const std::vector<float> got = run(k.ref, t, d);
        const Expected want = naive(t, k.stride, d);
        const size_t bad = first_mismatch(got, want, 1e-5);
        CHECK_MESSAGE(bad == kNoMismatch, describe(bad, got, want));
      }
    }
  }

  TEST_CASE("f32_dwconv3x3s*_minmax__wasmsimd matches __ref") {
    for (const DwKernel& k : kDwKernels) {
      const std::vector<DwCase> cases = dw_cases(k.stride);
      for (size_t i = 0; i < cases.size(); i++) {
        const DwCase& t = cases[i];
        DW_CAPTURE(k, t);
        const DwData d = make_data(t, k.stride, uint32_t(i));
        const std::vector<float> want = run(k.ref, t, d);
        const std::vector<float> got = run(k.simd, t, d);
        const size_t bad = first_mismatch(got.data(), want.data(), got.size(), 1e-5);
        CHECK_MESSAGE(bad == kNoMismatch, describe(bad, got, want));
      }
    }
  }
}
