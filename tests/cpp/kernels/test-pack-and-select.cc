// The packed layouts documented in kernels.h, element by element, and the selection tables
// (every kernels.def entry present, each table pointing at its own twin).
#include <doctest/doctest.h>

#include <cstdint>

#include "kernels/kernel-test.h"
#include "kernels/kernels.h"

using namespace mnv2;
using namespace mnv2_test;

TEST_SUITE("kernels/pack") {
  TEST_CASE("gemm_pack: blocks of 8 channels, bias then k rows, zero padded past n") {
    for (size_t k : {1, 2, 5}) {
      for (size_t n : {1, 7, 8, 9, 17}) {
        INFO("k=", k, " n=", n);
        std::mt19937 rng{uint32_t(k * 100 + n)};
        const std::vector<float> w = random_floats(rng, n * k), bias = random_floats(rng, n);
        const size_t blocks = (n + 7) / 8;
        REQUIRE(gemm_packed_size(k, n) == blocks * 8 * (1 + k));
        std::vector<float> packed(gemm_packed_size(k, n), kSentinel);
        gemm_pack(k, n, w.data(), bias.data(), packed.data());
        for (size_t b = 0; b < blocks; b++) {
          const float* block = packed.data() + b * 8 * (1 + k);
          for (size_t lane = 0; lane < 8; lane++) {
            const size_t j = b * 8 + lane;
            CHECK(block[lane] == (j < n ? bias[j] : 0.0f));
            for (size_t kk = 0; kk < k; kk++) {
              CHECK(block[8 + kk * 8 + lane] == (j < n ? w[j * k + kk] : 0.0f));
            }
          }
        }
      }
    }
  }

  TEST_CASE("dwconv3x3_pack: bias[cp] then 9 taps of w[cp], zero padded") {
    for (size_t c : {1, 3, 4, 5, 8, 13}) {
      INFO("channels=", c);
      std::mt19937 rng{uint32_t(c)};
      const std::vector<float> w = random_floats(rng, 9 * c), bias = random_floats(rng, c);
      const size_t cp = (c + 3) / 4 * 4;
      REQUIRE(dwconv3x3_packed_size(c) == cp * 10);
      std::vector<float> packed(dwconv3x3_packed_size(c), kSentinel);
      dwconv3x3_pack(c, w.data(), bias.data(), packed.data());
      for (size_t ch = 0; ch < cp; ch++) {
        CHECK(packed[ch] == (ch < c ? bias[ch] : 0.0f));
        for (size_t tap = 0; tap < 9; tap++) {
          CHECK(packed[(1 + tap) * cp + ch] == (ch < c ? w[tap * c + ch] : 0.0f));
        }
      }
    }
  }

  TEST_CASE("conv3x3c3_pack: blocks of 8, bias then 27 taps ((ky*3+kx)*3+ci) of w[8]") {
    for (size_t n : {1, 8, 9, 32}) {
      INFO("n=", n);
      std::mt19937 rng{uint32_t(n)};
      const std::vector<float> w = random_floats(rng, n * 27), bias = random_floats(rng, n);
      const size_t blocks = (n + 7) / 8;
      REQUIRE(conv3x3c3_packed_size(n) == blocks * 8 * 28);
      std::vector<float> packed(conv3x3c3_packed_size(n), kSentinel);
      conv3x3c3_pack(n, w.data(), bias.data(), packed.data());
      for (size_t j = 0; j < blocks * 8; j++) {
        const float* block = packed.data() + j / 8 * 8 * 28;
        CHECK(block[j % 8] == (j < n ? bias[j] : 0.0f));
        for (size_t ky = 0; ky < 3; ky++) {
          for (size_t kx = 0; kx < 3; kx++) {
            for (size_t ci = 0; ci < 3; ci++) {
              const size_t tap = (ky * 3 + kx) * 3 + ci;
              const float want = j < n ? w[((j * 3 + ky) * 3 + kx) * 3 + ci] : 0.0f;
              CHECK(block[8 + tap * 8 + j % 8] == want);
            }
          }
        }
      }
    }
  }
}

TEST_SUITE("kernels/select") {
  TEST_CASE("reference_kernels() and simd_kernels() hold every listed kernel's twin") {
    const KernelTable& ref = reference_kernels();
    const KernelTable& simd = simd_kernels();
// Function pointers have no printable form; compare them as plain booleans.
#define MNV2_KERNEL(name, type)                         \
  CHECK_MESSAGE(bool(ref.name == &name##__ref), #name); \
  CHECK_MESSAGE(bool(simd.name == &name##__wasmsimd), #name);
#include "kernels/kernels.def"
#undef MNV2_KERNEL
  }

  TEST_CASE("relaxed_simd_kernels() is simd_kernels() with each relaxed twin in its place") {
    const KernelTable& relaxed = relaxed_simd_kernels();
    const KernelTable& simd = simd_kernels();
    size_t twins = 0, replaced = 0;
#define MNV2_RELAXED_KERNEL(name, type)                                          \
  CHECK_MESSAGE(bool(relaxed.name == &name##__wasmrelaxedsimd), #name); \
  ++twins;
#include "kernels/kernels-relaxed.def"
#undef MNV2_RELAXED_KERNEL
#define MNV2_KERNEL(name, type) replaced += relaxed.name != simd.name;
#include "kernels/kernels.def"
#undef MNV2_KERNEL
    CHECK(twins > 0);
    CHECK(replaced == twins);
  }
}
