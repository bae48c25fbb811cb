// f32_softmax: __ref against a naive double-precision softmax, __wasmsimd against __ref,
// within 1e-6 absolute and, for outputs large enough to be normal floats after scaling,
// 1e-6 relative (this is what bounds the error of the SIMD exp). Inputs cover small and huge
// ranges (most exps underflowing), -inf entries, ties, every n % 4, and output == input.
#include <doctest/doctest.h>

#include <cstdint>
#include <limits>

#include "kernels/kernel-test.h"
#include "kernels/kernels.h"

using namespace mnv2;
using namespace mnv2_test;

namespace {

struct SoftmaxCase {
  std::string name;
  std::vector<float> input;
};

std::vector<SoftmaxCase> softmax_cases() {
  std::vector<SoftmaxCase> cases;
  uint32_t seed = 0;
  for (size_t n : {1, 2, 3, 4, 5, 7, 8, 9, 13, 16, 17, 100, 1001}) {
    for (float range : {1.0f, 10.0f, 100.0f}) {
      std::mt19937 rng(seed++);
      cases.push_back({"uniform +-" + std::to_string(range) + " n=" + std::to_string(n),
                       random_floats(rng, n, -range, range)});
    }
    std::vector<float> ties(n, 0.25f);
    cases.push_back({"ties n=" + std::to_string(n), ties});
    std::mt19937 rng(seed++);
    std::vector<float> with_inf = random_floats(rng, n, -5.0f, 5.0f);
    for (size_t i = 0; i + 1 < n; i += 3) with_inf[i] = -std::numeric_limits<float>::infinity();
    cases.push_back({"-inf entries n=" + std::to_string(n), with_inf});
    std::vector<float> peak(n, -1000.0f);
    peak[n / 2] = 50.0f;
    cases.push_back({"one peak n=" + std::to_string(n), peak});
  }
  // exp over its whole non-underflowing range: 0 down to -87.
  std::vector<float> ramp(1001);
  for (size_t i = 0; i < ramp.size(); i++) ramp[i] = -87.0f * float(i) / 1000.0f;
  cases.push_back({"ramp 0..-87", ramp});
  return cases;
}

std::vector<float> run(softmax_fn* fn, const std::vector<float>& input) {
  std::vector<float> output(input.size(), kSentinel);
  fn(input.data(), input.size(), output.data());
  return output;
}

std::vector<double> naive(const std::vector<float>& input) {
  double max_value = -std::numeric_limits<double>::infinity();
  for (float v : input) max_value = std::max(max_value, double(v));
  std::vector<double> e;
  double sum = 0.0;
  for (float v : input) {
    e.push_back(std::exp(double(v) - max_value));
    sum += e.back();
  }
  for (double& v : e) v /= sum;
  return e;
}

// First index off by more than 1e-6 absolute, or by more than rel_tol[i] relative where the
// expected value is a comfortably normal float.
template <typename T>
size_t softmax_mismatch(const std::vector<float>& got, const std::vector<T>& want,
                        const std::vector<double>& rel_tol) {
  for (size_t i = 0; i < got.size(); i++) {
    const double g = got[i], w = double(want[i]);
    const double diff = std::fabs(g - w);
    if (!(diff <= 1e-6)) return i;
    if (w >= 1e-30 && !(diff <= rel_tol[i] * w)) return i;
  }
  return kNoMismatch;
}

// Against exact math a float softmax also carries the rounding of x - max (half an ulp of
// |x - max|, which exp turns into that much relative error); the twins share that rounding.
std::vector<double> rel_tol_vs_exact(const std::vector<float>& input) {
  float max_value = -std::numeric_limits<float>::infinity();
  for (float v : input) max_value = std::max(max_value, v);
  std::vector<double> tol;
  for (float v : input) tol.push_back(1e-6 + std::fabs(double(v) - max_value) * 0x1p-24);
  return tol;
}

}  // namespace

TEST_SUITE("kernels/softmax") {
  TEST_CASE("f32_softmax__ref matches a naive double-precision softmax") {
    for (const SoftmaxCase& t : softmax_cases()) {
      INFO(t.name);
      const std::vector<float> got = run(f32_softmax__ref, t.input);
      const std::vector<double> want = naive(t.input);
      const size_t bad = softmax_mismatch(got, want, rel_tol_vs_exact(t.input));
      CHECK_MESSAGE(bad == kNoMismatch,
                    (bad == kNoMismatch ? "" : describe(bad, got[bad], want[bad])));
    }
  }

  TEST_CASE("f32_softmax__wasmsimd matches __ref") {
    for (const SoftmaxCase& t : softmax_cases()) {
      INFO(t.name);
      const std::vector<float> want = run(f32_softmax__ref, t.input);
      const std::vector<float> got = run(f32_softmax__wasmsimd, t.input);
      const size_t bad = softmax_mismatch(got, want, std::vector<double>(got.size(), 1e-6));
      CHECK_MESSAGE(bad == kNoMismatch, describe(bad, got, want));
    }
  }

  TEST_CASE("f32_softmax: output may alias input") {
    for (softmax_fn* fn : {f32_softmax__ref, f32_softmax__wasmsimd}) {
      for (const SoftmaxCase& t : softmax_cases()) {
        INFO(t.name);
        const std::vector<float> want = run(fn, t.input);
        std::vector<float> in_place = t.input;
        fn(in_place.data(), in_place.size(), in_place.data());
        CHECK(in_place == want);
      }
    }
  }
}
