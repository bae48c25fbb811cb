// f32_global_avgpool: __ref against a naive double-precision mean, __wasmsimd against __ref,
// with channel counts around the 16- and 4-channel steps.
#include <doctest/doctest.h>

#include <cstdint>
#include <ostream>

#include "kernels/kernel-test.h"
#include "kernels/kernels.h"

using namespace mnv2;
using namespace mnv2_test;

namespace {

struct PoolCase {
  size_t pixels, channels;
};

std::ostream& operator<<(std::ostream& s, const PoolCase& t) {
  return s << "pixels=" << t.pixels << " channels=" << t.channels;
}

std::vector<PoolCase> pool_cases() {
  std::vector<PoolCase> cases;
  for (size_t pixels : {1, 2, 3, 7, 49, 50}) {
    for (size_t channels : {1, 3, 4, 5, 7, 8, 9, 13, 15, 16, 17, 20, 24, 31, 32, 33, 1280}) {
      cases.push_back({pixels, channels});
    }
  }
  return cases;
}

std::vector<float> make_input(const PoolCase& t, uint32_t seed) {
  std::mt19937 rng{seed};
  return random_floats(rng, t.pixels * t.channels, -6.0f, 6.0f);
}

struct Run {
  global_avgpool_fn* kernel;
  std::vector<float> operator()(const PoolCase& t, const std::vector<float>& input) const {
    std::vector<float> output(t.channels, kSentinel);
    kernel(input.data(), t.pixels, t.channels, output.data());
    return output;
  }
};

Expected naive(const PoolCase& t, const std::vector<float>& input) {
  Expected e;
  for (size_t c = 0; c < t.channels; c++) {
    NaiveSum sum;
    for (size_t p = 0; p < t.pixels; p++) sum.add(input[p * t.channels + c]);
    e.value.push_back(sum.value / double(t.pixels));
    e.magnitude.push_back(sum.magnitude / double(t.pixels));
  }
  return e;
}

}  // namespace

TEST_SUITE("kernels/pool") {
  TEST_CASE("f32_global_avgpool: __ref matches a naive mean, __wasmsimd matches __ref") {
    check_twins(pool_cases(), make_input, naive, Run{f32_global_avgpool__ref},
                Run{f32_global_avgpool__wasmsimd});
  }
}
