// f32_gemm_minmax: __ref against a naive double-precision product of unpacked weights,
// __wasmsimd against __ref, and the relaxed-SIMD twin __wasmrelaxedsimd (fused multiply-add)
// against the naive product within the same tolerance as __ref, over m / k / n sweeps that hit
// every tile remainder, strided rows, residual on and off, ReLU6 and unbounded clamps.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <ostream>

#include "kernels/relaxed/microkernels.h"
#include "kernels/kernel-test.h"
#include "kernels/kernels.h"

using namespace mnv2;
using namespace mnv2_test;

namespace {

struct GemmCase {
  size_t m, k, n;
  size_t a_stride, c_stride, residual_stride;
  bool residual;
  Bounds bounds;
};

std::ostream& operator<<(std::ostream& s, const GemmCase& t) {
  return s << "m=" << t.m << " k=" << t.k << " n=" << t.n << " a_stride=" << t.a_stride
           << " c_stride=" << t.c_stride << " residual=" << t.residual
           << " residual_stride=" << t.residual_stride << " " << t.bounds.name;
}

struct GemmData {
  std::vector<float> a, weights, bias, packed, residual;
};

std::vector<GemmCase> gemm_cases() {
  std::vector<GemmCase> cases;
  size_t variant = 0;
  auto add = [&](size_t m, size_t k, size_t n) {
    for (bool residual : {false, true}) {
      for (const Bounds& b : all_bounds()) {
        // Rotate through tight and padded strides so both layouts meet every shape.
        const size_t pad_a = variant % 3 == 1 ? 3 : 0;
        const size_t pad_c = variant % 2 == 1 ? 5 : 0;
        const size_t pad_r = variant % 3 == 2 ? 1 : 0;
        variant++;
        cases.push_back({m, k, n, k + pad_a, n + pad_c, n + pad_r, residual, b});
      }
    }
  };
  for (size_t m : {1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 16, 17, 31}) {
    for (size_t k : {1, 2, 3, 4, 7, 8, 16, 17, 32, 96}) {
      for (size_t n : {1, 3, 4, 5, 7, 8, 9, 13, 16, 17, 24, 31, 33}) add(m, k, n);
    }
  }
  // MobileNetV2-sized layers: several row chunks, many channel blocks.
  add(1000, 24, 40);
  add(196, 576, 24);
  add(49, 960, 17);
  add(1, 1280, 1001);
  return cases;
}

GemmData make_data(const GemmCase& t, uint32_t seed) {
  std::mt19937 rng(seed);
  GemmData d;
  d.a = random_floats(rng, (t.m - 1) * t.a_stride + t.k, -2.0f, 2.0f);
  d.weights = random_floats(rng, t.n * t.k, -2.0f, 2.0f);
  d.bias = random_floats(rng, t.n, -2.0f, 2.0f);
  d.packed.resize(gemm_packed_size(t.k, t.n));
  gemm_pack(t.k, t.n, d.weights.data(), d.bias.data(), d.packed.data());
  if (t.residual) d.residual = random_floats(rng, (t.m - 1) * t.residual_stride + t.n);
  return d;
}

// Exactly sized (ASan sees any write past the last row); the stride gaps hold the sentinel.
struct Run {
  gemm_fn* kernel;
  std::vector<float> operator()(const GemmCase& t, const GemmData& d) const {
    std::vector<float> c((t.m - 1) * t.c_stride + t.n, kSentinel);
    kernel(t.m, t.k, t.n, d.a.data(), t.a_stride, d.packed.data(), c.data(), t.c_stride,
           t.residual ? d.residual.data() : nullptr, t.residual_stride, t.bounds.min,
           t.bounds.max);
    return c;
  }
};

Expected naive(const GemmCase& t, const GemmData& d) {
  Expected e;
  e.value.assign((t.m - 1) * t.c_stride + t.n, kSentinel);
  e.magnitude.assign(e.value.size(), 0.0);
  for (size_t i = 0; i < t.m; i++) {
    for (size_t j = 0; j < t.n; j++) {
      NaiveSum sum;
      sum.add(d.bias[j]);
      for (size_t kk = 0; kk < t.k; kk++) {
        sum.add(double(d.a[i * t.a_stride + kk]) * d.weights[j * t.k + kk]);
      }
      double out = clamp_value(sum.value, t.bounds);
      if (t.residual) {
        out += d.residual[i * t.residual_stride + j];
        sum.magnitude += std::fabs(d.residual[i * t.residual_stride + j]);
      }
      e.value[i * t.c_stride + j] = out;
      e.magnitude[i * t.c_stride + j] = sum.magnitude;
    }
  }
  return e;
}

// fn against the double-precision product over every case, within the float tolerance.
void check_against_naive(gemm_fn* fn) {
  const std::vector<GemmCase> cases = gemm_cases();
  for (size_t i = 0; i < cases.size(); i++) {
    const GemmCase& t = cases[i];
    INFO(t);
    const GemmData d = make_data(t, uint32_t(i));
    check_matches(Run{fn}(t, d), naive(t, d));
  }
}

}  // namespace

TEST_SUITE("kernels/gemm") {
  TEST_CASE("f32_gemm_minmax: __ref matches a naive product of unpacked weights, __wasmsimd "
            "matches __ref") {
    check_twins(gemm_cases(), make_data, naive, Run{f32_gemm_minmax__ref},
                Run{f32_gemm_minmax__wasmsimd});
  }

  TEST_CASE("f32_gemm_minmax: residual may be c itself (in-place residual add)") {
    for (gemm_fn* fn : {f32_gemm_minmax__ref, f32_gemm_minmax__wasmsimd}) {
      for (size_t m : {1, 3, 5, 9}) {
        for (size_t n : {3, 8, 13}) {
          const GemmCase t = {m, 7, n, 7, n, n, true, all_bounds()[0]};
          INFO("m=", m, " n=", n);
          const GemmData d = make_data(t, uint32_t(m * 100 + n));
          const std::vector<float> want = Run{fn}(t, d);
          std::vector<float> c = d.residual;
          fn(t.m, t.k, t.n, d.a.data(), t.a_stride, d.packed.data(), c.data(), t.c_stride, c.data(),
             t.residual_stride, t.bounds.min, t.bounds.max);
          CHECK(c == want);
        }
      }
    }
  }

  TEST_CASE("f32_gemm_minmax__wasmrelaxedsimd matches a naive product like __ref does") {
    // Natively the relaxed tiles run through SIMDe; the WASM test binary runs the kernel module
    // itself, installed before main() where Node supports relaxed SIMD (scripts/test.sh passes
    // --experimental-wasm-relaxed-simd): without it this fails rather than pass untested.
    REQUIRE_MESSAGE(relaxed_kernels_installed(),
                    "relaxed-SIMD kernels missing: run the WASM tests with node "
                    "--experimental-wasm-relaxed-simd");
    REQUIRE(bool(relaxed_simd_kernels().f32_gemm_minmax == &f32_gemm_minmax__wasmrelaxedsimd));
    check_against_naive(f32_gemm_minmax__wasmrelaxedsimd);
  }

  TEST_CASE("f32_gemm_minmax__wasmrelaxedsimd: a row's outputs do not depend on its tile") {
    // Fused and layer-by-layer execution hand the GEMM different row counts, so the same row
    // lands in tiles of 1 to 4 rows: all must compute it alike, bit for bit.
    REQUIRE(relaxed_kernels_installed());
    const GemmCase whole = {31, 96, 24, 96, 24, 24, true, all_bounds()[0]};
    const GemmData d = make_data(whole, 5);
    const std::vector<float> all = Run{f32_gemm_minmax__wasmrelaxedsimd}(whole, d);
    for (size_t first = 0; first < whole.m; first += 3) {
      const size_t rows = std::min<size_t>(1 + first % 4, whole.m - first);
      std::vector<float> part(rows * whole.n);
      f32_gemm_minmax__wasmrelaxedsimd(rows, whole.k, whole.n, d.a.data() + first * whole.k,
                                       whole.k, d.packed.data(), part.data(), whole.n,
                                       d.residual.data() + first * whole.n, whole.n,
                                       whole.bounds.min, whole.bounds.max);
      INFO("rows ", first, " + ", rows);
      CHECK(std::equal(part.begin(), part.end(), all.begin() + first * whole.n));
    }
  }

  TEST_CASE("f32_gemm_minmax: NaN propagates and infinite bounds pass huge values") {
    // 3 rows x 1 column of a with k = 1 and a weight of 1: the outputs are the inputs + bias 0.
    const float inf = std::numeric_limits<float>::infinity();
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const float weights[1] = {1.0f}, bias[1] = {0.0f};
    std::vector<float> packed(gemm_packed_size(1, 1));
    gemm_pack(1, 1, weights, bias, packed.data());
    const float a[5] = {nan, 3e38f, -3e38f, 7.0f, -1.0f};
    for (gemm_fn* fn : {f32_gemm_minmax__ref, f32_gemm_minmax__wasmsimd,
                         f32_gemm_minmax__wasmrelaxedsimd}) {
      if (fn == f32_gemm_minmax__wasmrelaxedsimd && !relaxed_kernels_installed()) continue;
      float c[5];
      fn(5, 1, 1, a, 1, packed.data(), c, 1, nullptr, 0, -inf, inf);
      CHECK(std::isnan(c[0]));
      CHECK(c[1] == 3e38f);
      CHECK(c[2] == -3e38f);
      CHECK(c[3] == 7.0f);
      CHECK(c[4] == -1.0f);
      fn(5, 1, 1, a, 1, packed.data(), c, 1, nullptr, 0, 0.0f, 6.0f);
      CHECK(std::isnan(c[0]));
      CHECK(c[1] == 6.0f);
      CHECK(c[2] == 0.0f);
      CHECK(c[3] == 6.0f);
      CHECK(c[4] == 0.0f);
    }
  }
}
