// f32_fc_minmax: __ref against a naive double-precision dot product per output, __wasmsimd
// against __ref, with n sweeping every remainder of the 32-channel (four block) step.
#include <doctest/doctest.h>

#include <cstdint>
#include <ostream>

#include "kernels/kernel-test.h"
#include "kernels/kernels.h"

using namespace mnv2;
using namespace mnv2_test;

namespace {

struct FcCase {
  size_t k, n;
  Bounds bounds;
};

std::ostream& operator<<(std::ostream& s, const FcCase& t) {
  return s << "k=" << t.k << " n=" << t.n << " " << t.bounds.name;
}

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

struct Run {
  fc_fn* kernel;
  std::vector<float> operator()(const FcCase& t, const FcData& d) const {
    std::vector<float> output(t.n, kSentinel);
    kernel(t.k, t.n, d.input.data(), d.packed.data(), output.data(), t.bounds.min, t.bounds.max);
    return output;
  }
};

Expected naive(const FcCase& t, const FcData& d) {
  Expected e;
  for (size_t j = 0; j < t.n; j++) {
    NaiveSum sum;
    sum.add(d.bias[j]);
    for (size_t kk = 0; kk < t.k; kk++) sum.add(double(d.input[kk]) * d.weights[j * t.k + kk]);
    e.push_back(sum, t.bounds);
  }
  return e;
}

}  // namespace

TEST_SUITE("kernels/fc") {
  TEST_CASE("f32_fc_minmax: __ref matches a naive dot product of unpacked weights, __wasmsimd "
            "matches __ref") {
    check_twins(fc_cases(), make_data, naive, Run{f32_fc_minmax__ref},
                Run{f32_fc_minmax__wasmsimd});
  }
}
