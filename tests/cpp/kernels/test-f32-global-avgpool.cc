// f32_global_avgpool: __ref against a naive double-precision mean, __wasmsimd against __ref,
// with channel counts around the 16- and 4-channel steps.
#include <doctest/doctest.h>

#include <cstdint>

#include "kernels/kernel-test.h"
#include "kernels/kernels.h"

using namespace mnv2;
using namespace mnv2_test;

namespace {

struct PoolCase {
  size_t pixels, channels;
};

std::vector<PoolCase> pool_cases() {
  std::vector<PoolCase> cases;
  for (size_t pixels : {1, 2, 3, 7, 49, 50}) {
    for (size_t channels : {1, 3, 4, 5, 7, 8, 9, 13, 15, 16, 17, 20, 24, 31, 32, 33, 1280}) {
      cases.push_back({pixels, channels});
    }
  }
  return cases;
}

std::vector<float> run(global_avgpool_fn* fn, const PoolCase& t, const std::vector<float>& in) {
  std::vector<float> output(t.channels, kSentinel);
  fn(in.data(), t.pixels, t.channels, output.data());
  return output;
}

}  // namespace

TEST_SUITE("kernels/pool") {
  TEST_CASE("f32_global_avgpool__ref matches a naive mean") {
    const std::vector<PoolCase> cases = pool_cases();
    for (size_t i = 0; i < cases.size(); i++) {
      const PoolCase& t = cases[i];
      INFO("pixels=", t.pixels, " channels=", t.channels);
      std::mt19937 rng{uint32_t(i)};
      const std::vector<float> input = random_floats(rng, t.pixels * t.channels, -6.0f, 6.0f);
      Expected want;
      for (size_t c = 0; c < t.channels; c++) {
        double sum = 0.0, magnitude = 0.0;
        for (size_t p = 0; p < t.pixels; p++) {
          sum += input[p * t.channels + c];
          magnitude += std::fabs(input[p * t.channels + c]);
        }
        want.value.push_back(sum / double(t.pixels));
        want.magnitude.push_back(magnitude / double(t.pixels));
      }
      const std::vector<float> got = run(f32_global_avgpool__ref, t, input);
      const size_t bad = first_mismatch(got, want, 1e-5);
      CHECK_MESSAGE(bad == kNoMismatch, describe(bad, got, want));
    }
  }

  TEST_CASE("f32_global_avgpool__wasmsimd matches __ref") {
    const std::vector<PoolCase> cases = pool_cases();
    for (size_t i = 0; i < cases.size(); i++) {
      const PoolCase& t = cases[i];
      INFO("pixels=", t.pixels, " channels=", t.channels);
      std::mt19937 rng{uint32_t(i)};
      const std::vector<float> input = random_floats(rng, t.pixels * t.channels, -6.0f, 6.0f);
      const std::vector<float> want = run(f32_global_avgpool__ref, t, input);
      const std::vector<float> got = run(f32_global_avgpool__wasmsimd, t, input);
      const size_t bad = first_mismatch(got.data(), want.data(), got.size(), 1e-5);
      CHECK_MESSAGE(bad == kNoMismatch, describe(bad, got, want));
    }
  }
}
