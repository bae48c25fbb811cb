// The SIMD GEMM and depthwise kernels are compiled once per (mode, common shift E) for the
// shifts the shipped classifiers use, with E as a constant, and once with E read at run time
// for all others. These tests pin the packed header to every mode and every E each mode allows
// (so every constant-shift instance and the run-time fallback around and between them run),
// and check __wasmsimd against __ref bit for bit on data scaled so that the outputs are mostly
// inside the clamp range, i.e. the rounding is exercised and not only the saturation.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "kernels-q8/q8-test.h"
#include "kernels/kernels-q8.h"

using namespace mnv2;
using namespace mnv2_q8_test;

namespace {

struct ShiftCase {
  Q8RequantMode mode;
  int32_t shift;  // the common shift E the packer must choose
};

// kUniform takes 0..kQ8MaxUniformShift, kPerChannelBounded 1..kQ8MaxCommonShift (its channels
// alternate E and E - 1), kPerChannel the E whose per-channel scaling could overflow (one
// channel with right shift 0 and full-range weights).
std::vector<ShiftCase> shift_cases() {
  std::vector<ShiftCase> cases;
  for (int32_t e = 0; e <= kQ8MaxUniformShift; e++) cases.push_back({Q8RequantMode::kUniform, e});
  for (int32_t e = 1; e <= kQ8MaxCommonShift; e++) {
    cases.push_back({Q8RequantMode::kPerChannelBounded, e});
  }
  for (int32_t e = 16; e <= kQ8MaxCommonShift; e++) {
    cases.push_back({Q8RequantMode::kPerChannel, e});
  }
  return cases;
}

// Per-channel requantization with right shift E (channel 0 always), multipliers in
// [2^30, 2^31).
std::vector<q8::Requantization> requant_for(std::mt19937& rng, size_t n, const ShiftCase& s) {
  std::vector<q8::Requantization> r(n);
  for (size_t c = 0; c < n; c++) {
    int32_t e = s.shift;
    if (s.mode == Q8RequantMode::kPerChannelBounded && c % 2 == 1) e = s.shift - 1;
    if (s.mode == Q8RequantMode::kPerChannel && c == 1) e = 0;
    r[c] = {random_int(rng, 1 << 30, INT32_MAX), -e};
  }
  return r;
}

// Inputs within +-r of the zero point and a bias of similar size, r chosen so that typical
// accumulators of `terms` products are about 2^E * 64, i.e. outputs of tens.
int32_t input_range(int32_t shift, size_t terms) {
  const double r = double(int64_t{1} << shift) * 64.0 / (double(terms) * 24.0);
  return int32_t(std::clamp(r, 1.0, 100.0));
}

std::vector<int8_t> inputs_near(std::mt19937& rng, size_t count, int32_t zero_point, int32_t r) {
  std::vector<int8_t> v(count);
  for (int8_t& x : v) {
    x = static_cast<int8_t>(std::clamp(zero_point + random_int(rng, -r, r), -128, 127));
  }
  return v;
}

// Counts outputs strictly inside the clamp range (over all cases, checked at the end).
struct Interior {
  size_t inside = 0, total = 0;
  void add(const std::vector<int8_t>& out, const Q8Output& o) {
    for (int8_t v : out) inside += v > o.min && v < o.max;
    total += out.size();
  }
};

std::string case_name(const char* kernel, const ShiftCase& s) {
  return std::string(kernel) + " mode " + std::to_string(int(s.mode)) + " E " +
         std::to_string(s.shift);
}

}  // namespace

TEST_SUITE("kernels-q8/constant-shift") {
  TEST_CASE("qs8_gemm_minmax__wasmsimd matches __ref for every mode and common shift") {
    Interior interior;
    uint32_t seed = 0;
    for (const ShiftCase& s : shift_cases()) {
      // n = 21: a full block and a narrow one (5 channels); n = 40: two full blocks and a block
      // of exactly 8. m = 5: full row pairs and a single row. k = 19: an odd k.
      for (size_t n : {21, 40}) {
        const size_t m = 5, k = 19;
        INFO(case_name("gemm", s), " n ", n);
        std::mt19937 rng(++seed);
        const int32_t zp = random_int(rng, -8, 8);
        const int32_t r = input_range(s.shift, k);
        const std::vector<int8_t> a = inputs_near(rng, m * k, zp, r);
        const Weights w = random_weights(rng, n, k, false, true);
        const std::vector<int32_t> bias = random_bias(rng, n, 64 * r);
        const std::vector<q8::Requantization> requant = requant_for(rng, n, s);
        const Q8Output output = random_output(rng, seed % 2 == 0);
        std::vector<int32_t> packed(qs8_gemm_packed_words(k, n));
        qs8_gemm_pack(k, n, w.centred.data(), bias.data(), zp, requant.data(), packed.data());
        REQUIRE(packed[0] == int32_t(s.mode));
        REQUIRE(packed[1] == s.shift);

        std::vector<int8_t> want(m * n, kSentinel), got(m * n, kSentinel);
        qs8_gemm_minmax__ref(m, k, n, a.data(), k, packed.data(), want.data(), n, output);
        qs8_gemm_minmax__wasmsimd(m, k, n, a.data(), k, packed.data(), got.data(), n, output);
        check_matches(got, want);
        interior.add(want, output);
      }
    }
    CHECK(interior.inside > interior.total / 3);
  }

  TEST_CASE("qs8_dwconv3x3s{1,2}_minmax__wasmsimd match __ref for every mode and common shift") {
    struct Kernel {
      size_t stride;
      qs8_dwconv3x3_fn* ref;
      qs8_dwconv3x3_fn* simd;
    };
    const Kernel kernels[] = {
        {1, qs8_dwconv3x3s1_minmax__ref, qs8_dwconv3x3s1_minmax__wasmsimd},
        {2, qs8_dwconv3x3s2_minmax__ref, qs8_dwconv3x3s2_minmax__wasmsimd},
    };
    Interior interior;
    uint32_t seed = 1000;
    for (const Kernel& kernel : kernels) {
      for (const ShiftCase& s : shift_cases()) {
        // 20 channels: two full groups of 8 (interior and edge pixels) and a partial group.
        const size_t channels = 20, in_h = 6, in_w = 7, pad = 1;
        const size_t out_h = (in_h + 2 * pad - 3) / kernel.stride + 1;
        const size_t out_w = (in_w + 2 * pad - 3) / kernel.stride + 1;
        INFO(case_name("dwconv", s), " stride ", kernel.stride);
        std::mt19937 rng(++seed);
        const int32_t zp = random_int(rng, -8, 8);
        const int32_t r = input_range(s.shift, 9);
        std::vector<std::vector<int8_t>> rows;
        std::vector<const int8_t*> row_ptrs;
        for (size_t y = 0; y < in_h; y++) rows.push_back(inputs_near(rng, in_w * channels, zp, r));
        for (const auto& row : rows) row_ptrs.push_back(row.data());
        const Weights w = random_weights(rng, channels, 9, false, false);
        const std::vector<int32_t> bias = random_bias(rng, channels, 64 * r);
        const std::vector<q8::Requantization> requant = requant_for(rng, channels, s);
        const Q8Output output = random_output(rng, seed % 2 == 0);
        std::vector<int32_t> packed(qs8_dwconv3x3_packed_words(channels));
        qs8_dwconv3x3_pack(channels, w.centred.data(), bias.data(), zp, requant.data(),
                           packed.data());
        REQUIRE(packed[0] == int32_t(s.mode));
        REQUIRE(packed[1] == s.shift);

        std::vector<int8_t> want(out_h * out_w * channels, kSentinel);
        std::vector<int8_t> got(want.size(), kSentinel);
        kernel.ref(row_ptrs.data(), in_h, in_w, channels, pad, pad, packed.data(), want.data(),
                   out_w, 0, out_h, output);
        kernel.simd(row_ptrs.data(), in_h, in_w, channels, pad, pad, packed.data(), got.data(),
                    out_w, 0, out_h, output);
        check_matches(got, want);
        interior.add(want, output);
      }
    }
    CHECK(interior.inside > interior.total / 3);
  }
}
