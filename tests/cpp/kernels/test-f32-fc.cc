// f32_fc_minmax: __ref against a naive double-precision dot product per output, __wasmsimd
// against __ref, with n sweeping every remainder of the 32-channel (four block) step.
#include <doctest/doctest.h>

#include <cstdint>

#include "kernels/kernel-test.h"
#include "kernels/kernels.h"

using namespace mnv2;
using namespace mnv2_test;

namespace {

struct FcCase {
  size_t k, n;
  Bounds bounds;
};

struct FcData {
  std::vector<float> input, weights, bias, packed;
};

std::vector<FcCase> fc_cases() {
  std::vector<FcCase> cases;
  for (size_t k : {1, 2, 3, 5, 8, 17, 64, 1280}) {
    for (size_t n : {1, 3, 7, 8, 9, 15, 16, 17, 24, 25, 31, 32, 33, 40, 57, 64, 65, 1001}) {
      for (const Bounds& b : all_bounds()) cases.push_back({k, n, b});
    }
  }
  return cases;
}

FcData make_data(const FcCase& t, uint32_t seed) {
  std::mt19937 rng(seed);
  FcData d;
  d.input = random_floats(rng, t.k, -2.0f, 2.0f);
  d.weights = random_floats(rng, t.n * t.k, -2.0f, 2.0f);
  d.bias = random_floats(rng, t.n, -2.0f, 2.0f);
  d.packed.resize(gemm_packed_size(t.k, t.n));
  gemm_pack(t.k, t.n, d.weights.data(), d.bias.data(), d.packed.data());
  return d;
}

std::vector<float> run(fc_fn* fn, const FcCase& t, const FcData& d) {
  std::vector<float> output(t.n, kSentinel);
  fn(t.k, t.n, d.input.data(), d.packed.data(), output.data(), t.bounds.min, t.bounds.max);
  return output;
}

Expected naive(const FcCase& t, const FcData& d) {
  Expected e;
  for (size_t j = 0; j < t.n; j++) {
    double sum = d.bias[j], magnitude = std::fabs(d.bias[j]);
    for (size_t kk = 0; kk < t.k; kk++) {
      const double term = double(d.input[kk]) * d.weights[j * t.k + kk];
      sum += term;
      magnitude += std::fabs(term);
    }
    e.value.push_back(clamp_value(sum, t.bounds));
    e.magnitude.push_back(magnitude);
  }
  return e;
}

}  // namespace

TEST_SUITE("kernels/fc") {
  TEST_CASE("f32_fc_minmax__ref matches a naive dot product of unpacked weights") {
    const std::vector<FcCase> cases = fc_cases();
    for (size_t i = 0; i < cases.size(); i++) {
      const FcCase& t = cases[i];
      INFO("k=", t.k, " n=", t.n, " ", std::string(t.bounds.name));
      const FcData d = make_data(t, uint32_t(i));
      const std::vector<float> got = run(f32_fc_minmax__ref, t, d);
      const Expected want = naive(t, d);
      const size_t bad = first_mismatch(got, want, 1e-5);
      CHECK_MESSAGE(bad == kNoMismatch, describe(bad, got, want));
    }
  }

  TEST_CASE("f32_fc_minmax__wasmsimd matches __ref") {
    const std::vector<FcCase> cases = fc_cases();
    for (size_t i = 0; i < cases.size(); i++) {
      const FcCase& t = cases[i];
      INFO("k=", t.k, " n=", t.n, " ", std::string(t.bounds.name));
      const FcData d = make_data(t, uint32_t(i));
      const std::vector<float> want = run(f32_fc_minmax__ref, t, d);
      const std::vector<float> got = run(f32_fc_minmax__wasmsimd, t, d);
      const size_t bad = first_mismatch(got.data(), want.data(), got.size(), 1e-5);
      CHECK_MESSAGE(bad == kNoMismatch, describe(bad, got, want));
    }
  }
}
