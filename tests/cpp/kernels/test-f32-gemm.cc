// f32_gemm_minmax: __ref against a naive double-precision product of unpacked weights, and
// __wasmsimd against __ref, over m / k / n sweeps that hit every tile remainder, strided rows,
// residual on and off, ReLU6 and unbounded clamps.
#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <ostream>

#include "kernels/gemm/gemm-full-tile.h"
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

#define GEMM_CAPTURE(t)                                                                       \
  INFO("m=", t.m, " k=", t.k, " n=", t.n, " a_stride=", t.a_stride, " c_stride=", t.c_stride, \
       " residual=", t.residual, " residual_stride=", t.residual_stride, " ",                 \
       std::string(t.bounds.name))

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

  TEST_CASE("f32_gemm_minmax__wasmsimd runs every full 4x8 tile through gemm_full_tile") {
    // The relaxed-SIMD experiment swaps the tile behind this pointer: it must see all full
    // tiles (and only those), with arguments that give the reference's result.
    static size_t calls = 0;
    calls = 0;
    gemm_full_tile_fn* const saved = gemm_full_tile;
    gemm_full_tile = [](size_t k, const float* panel, const float* w, float* c, size_t c_stride,
                        const float* residual, size_t residual_stride, v128_t vmin,
                        v128_t vmax) {
      ++calls;
      f32_gemm_full_tile__wasmsimd(k, panel, w, c, c_stride, residual, residual_stride, vmin,
                                   vmax);
    };
    // m = 9: two full groups of 4 rows and one row; n = 20: two full blocks and one of 4.
    const GemmCase t = {9, 13, 20, 13, 20, 20, true, all_bounds()[0]};
    const GemmData d = make_data(t, 77);
    const std::vector<float> want = Run{f32_gemm_minmax__ref}(t, d);
    const std::vector<float> got = Run{f32_gemm_minmax__wasmsimd}(t, d);
    gemm_full_tile = saved;
    CHECK(calls == 2 * 2);
    check_matches(got, want);
  }

  TEST_CASE("f32_gemm_minmax: NaN propagates and infinite bounds pass huge values") {
    // 3 rows x 1 column of a with k = 1 and a weight of 1: the outputs are the inputs + bias 0.
    const float inf = std::numeric_limits<float>::infinity();
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const float weights[1] = {1.0f}, bias[1] = {0.0f};
    std::vector<float> packed(gemm_packed_size(1, 1));
    gemm_pack(1, 1, weights, bias, packed.data());
    const float a[5] = {nan, 3e38f, -3e38f, 7.0f, -1.0f};
    for (gemm_fn* fn : {f32_gemm_minmax__ref, f32_gemm_minmax__wasmsimd}) {
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
