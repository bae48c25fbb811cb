// The scalar requantization (q8/requantize.h) against independent statements of gemmlowp's and
// TFLite's definitions, and its SIMD forms (q8/simd-requantize.h) against the scalar ones on
// random and edge values, including the per-channel common-shift trick.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>

#include "kernels-q8/q8-test.h"
#include "kernels/kernels-q8.h"
#include "kernels/q8/simd-requantize.h"

using namespace mnv2;
using namespace mnv2::q8;
using mnv2_q8_test::random_int;

namespace {

constexpr int32_t kMin = std::numeric_limits<int32_t>::min();
constexpr int32_t kMax = std::numeric_limits<int32_t>::max();

// gemmlowp's documented form: add a nudge of 2^30 (or 1 - 2^30 for negative products) and
// divide by 2^31 truncating toward zero; the one overflowing input pair saturates.
int32_t srdhm_documented(int32_t a, int32_t b) {
  if (a == kMin && b == kMin) return kMax;
  const int64_t ab = int64_t{a} * b;
  const int64_t nudge = ab >= 0 ? (int64_t{1} << 30) : 1 - (int64_t{1} << 30);
  return static_cast<int32_t>((ab + nudge) / (int64_t{1} << 31));
}

// x / 2^e rounded to nearest, ties away from zero, by exact integer arithmetic.
int32_t round_half_away(int64_t x, int e) {
  const int64_t d = int64_t{1} << e;
  const int64_t magnitude = (x < 0 ? -x : x);
  const int64_t q = (2 * magnitude + d) / (2 * d);
  return static_cast<int32_t>(x < 0 ? -q : q);
}

std::vector<int32_t> edge_values() {
  return {0, 1, -1, 2, -2, 3, -3, 7, -7, 8, -8, (1 << 30), -(1 << 30), (1 << 30) - 1,
          1 - (1 << 30), kMax, kMin, kMax - 1, kMin + 1, 12345, -12345, 1 << 20, -(1 << 20)};
}

int32_t lane(v128_t v, int i) {
  int32_t lanes[4];
  wasm_v128_store(lanes, v);
  return lanes[i];
}

// requantize_lanes for the mode the packing chose (the kernels pick the instance once per
// call; a test layer's mode is known only at run time).
v128_t requantize_lanes_for_mode(v128_t acc, const int32_t* arrays, size_t stride, size_t c,
                                 const Requantizer& q) {
  switch (q.mode) {
    case Q8RequantMode::kUniform:
      return requantize_lanes<Q8RequantMode::kUniform>(acc, arrays, stride, c, q);
    case Q8RequantMode::kPerChannel:
      return requantize_lanes<Q8RequantMode::kPerChannel>(acc, arrays, stride, c, q);
    default:
      return requantize_lanes<Q8RequantMode::kPerChannelBounded>(acc, arrays, stride, c, q);
  }
}

}  // namespace

TEST_SUITE("kernels-q8/requantize") {
  TEST_CASE("saturating_rounding_doubling_high_mul matches gemmlowp's documented form") {
    std::mt19937 rng(1);
    std::vector<int32_t> values = edge_values();
    for (int i = 0; i < 2000; i++) values.push_back(int32_t(rng()));
    for (int32_t a : values) {
      for (int32_t b : edge_values()) {
        CHECK(saturating_rounding_doubling_high_mul(a, b) == srdhm_documented(a, b));
      }
      const int32_t b = int32_t(rng());
      CHECK(saturating_rounding_doubling_high_mul(a, b) == srdhm_documented(a, b));
    }
  }

  TEST_CASE("rounding_divide_by_pot rounds half away from zero") {
    std::mt19937 rng(2);
    std::vector<int32_t> values = edge_values();
    for (int i = 0; i < 2000; i++) values.push_back(int32_t(rng()) >> (rng() % 31));
    for (int32_t x : values) {
      for (int e = 0; e <= 31; e++) {
        INFO("x=", x, " e=", e);
        CHECK(rounding_divide_by_pot(x, e) == round_half_away(x, e));
      }
    }
    CHECK(rounding_divide_by_pot(-12, 3) == -2);  // -1.5 -> -2
    CHECK(rounding_divide_by_pot(12, 3) == 2);    //  1.5 ->  2
    CHECK(rounding_divide_by_pot(-11, 3) == -1);
  }

  TEST_CASE("quantize_multiplier: real = multiplier * 2^(shift - 31) within half a unit") {
    std::mt19937 rng(3);
    std::uniform_real_distribution<double> exponent(-30.0, 10.0);
    for (int i = 0; i < 5000; i++) {
      const double real = std::exp2(exponent(rng));
      const Requantization r = quantize_multiplier(real);
      REQUIRE(r.multiplier >= (1 << 30));
      const double back = std::ldexp(double(r.multiplier), r.shift - 31);
      CHECK(std::fabs(back - real) <= std::ldexp(0.5, r.shift - 31));
    }
    CHECK(quantize_multiplier(0.5).multiplier == (1 << 30));
    CHECK(quantize_multiplier(0.5).shift == 0);
    CHECK(quantize_multiplier(1.0).shift == 1);
    CHECK(quantize_multiplier(0.0).multiplier == 0);
    CHECK(quantize_multiplier(1e-12).multiplier == 0);  // below 2^-31: zero, no huge shift
    // 1 - 2^-40 rounds up to a fraction of exactly 1: the multiplier halves, the shift grows.
    const Requantization up = quantize_multiplier(1.0 - std::ldexp(1.0, -40));
    CHECK(up.multiplier == (1 << 30));
    CHECK(up.shift == 1);
  }

  TEST_CASE("identity requantization (multiplier for 1.0) is exact") {
    const Requantization one = quantize_multiplier(1.0);
    for (int32_t x : {0, 1, -1, 127, -128, 6223, -6272, 1 << 29, -(1 << 29)}) {
      CHECK(multiply_by_quantized_multiplier(x, one) == x);
    }
  }

  TEST_CASE("SIMD high_mul and RoundShift equal the scalar functions on every lane") {
    std::mt19937 rng(4);
    std::vector<int32_t> xs = edge_values();
    for (int i = 0; i < 4000; i++) xs.push_back(int32_t(rng()) >> (rng() % 31));
    for (size_t i = 0; i + 4 <= xs.size(); i++) {
      const v128_t x = wasm_i32x4_make(xs[i], xs[i + 1], xs[i + 2], xs[i + 3]);
      // Multipliers as quantize_multiplier makes them: [2^30, 2^31), or 0.
      int32_t m[4];
      for (int j = 0; j < 4; j++) m[j] = j == 3 && i % 7 == 0 ? 0 : int32_t((1u << 30) | (rng() >> 2));
      const v128_t vm = wasm_i32x4_make(m[0], m[1], m[2], m[3]);
      const v128_t high = high_mul(x, vm);
      for (int j = 0; j < 4; j++) {
        CHECK(lane(high, j) == saturating_rounding_doubling_high_mul(xs[i + j], m[j]));
      }
      const int e = int(rng() % 32);
      const v128_t shifted = RoundShift(e)(x);
      for (int j = 0; j < 4; j++) CHECK(lane(shifted, j) == rounding_divide_by_pot(xs[i + j], e));
    }
  }

  TEST_CASE("packed requantization (kUniform and kPerChannel) equals the scalar definition") {
    // A 1x1 GEMM block of 4 channels with weight 1, input 0 and zero point 0 makes each
    // channel's accumulator its bias; requantize_lanes on the packed arrays (after the
    // kernels' saturating narrow and zero point) must equal q8_requantize for every lane.
    std::mt19937 rng(5);
    int modes[4] = {0, 0, 0, 0};
    for (int trial = 0; trial < 4000; trial++) {
      const bool uniform = trial % 2 == 0;
      const int32_t E = random_int(rng, 0, uniform ? kQ8MaxUniformShift : kQ8MaxCommonShift);
      Requantization r[4];
      int32_t acc[4];
      for (int j = 0; j < 4; j++) {
        const int32_t e = uniform || j == 0 ? E : random_int(rng, 0, E);
        r[j] = {int32_t((1u << 30) | (rng() >> 2)), -e};
        // Accumulators from tiny to the largest the packing accepts (|bias| + 128 < 2^30).
        acc[j] = int32_t(rng() % (1u << 30)) - (1 << 29);
        acc[j] = acc[j] >> random_int(rng, 0, 29);
        if (trial % 97 == 0) acc[j] = (j % 2 ? -1 : 1) * ((1 << 30) - 129);
      }
      const int16_t weights[4] = {1, 1, 1, 1};
      std::vector<int32_t> packed(qs8_gemm_packed_words(1, 4));
      qs8_gemm_pack(1, 4, weights, acc, 0, r, packed.data());
      const bool all_equal = r[0].shift == r[1].shift && r[1].shift == r[2].shift && r[2].shift == r[3].shift;
      if (all_equal) {
        REQUIRE(packed[0] == int32_t(Q8RequantMode::kUniform));
      } else {
        REQUIRE((packed[0] == int32_t(Q8RequantMode::kPerChannel) ||
                 packed[0] == int32_t(Q8RequantMode::kPerChannelBounded)));
      }
      modes[packed[0]]++;
      const Q8Output out = {random_int(rng, -128, 127), -128, 127};
      const Requantizer q(packed.data());
      const v128_t rounded =
          requantize_lanes_for_mode(wasm_i32x4_make(acc[0], acc[1], acc[2], acc[3]),
                                    packed.data() + kQ8HeaderWords, kQ8GemmBlock, 0, q);
      const v128_t zp = wasm_i16x8_splat(int16_t(out.zero_point));
      const v128_t half = narrow_add_zero_point(rounded, rounded, zp);
      int8_t bytes[16];
      wasm_v128_store(bytes, wasm_i8x16_narrow_i16x8(half, half));
      for (int j = 0; j < 4; j++) {
        INFO("acc=", acc[j], " multiplier=", r[j].multiplier, " shift=", r[j].shift, " E=", E);
        CHECK(int(bytes[j]) == int(q8_requantize(acc[j], r[j], out)));
      }
    }
    CHECK(modes[int(Q8RequantMode::kUniform)] > 100);
    CHECK(modes[int(Q8RequantMode::kPerChannel)] > 100);
    CHECK(modes[int(Q8RequantMode::kPerChannelBounded)] > 100);
  }

  TEST_CASE("packing refuses the fast modes when an accumulator could reach 2^30") {
    const int16_t weights[2] = {1000, -1000};
    const Requantization r[2] = {{1 << 30, -8}, {1 << 30, -8}};
    std::vector<int32_t> packed(qs8_gemm_packed_words(1, 2));
    const int32_t small[2] = {1000, -1000};
    qs8_gemm_pack(1, 2, weights, small, 0, r, packed.data());
    CHECK(packed[0] == int32_t(Q8RequantMode::kUniform));
    const int32_t large[2] = {(1 << 30) - 100000, 0};  // + 128 * 1000 crosses 2^30
    qs8_gemm_pack(1, 2, weights, large, 0, r, packed.data());
    CHECK(packed[0] == int32_t(Q8RequantMode::kGeneric));
  }
}
