// qs8_vadd_minmax and qs8_global_avgpool: __ref against plain statements of TFLite's ADD and
// average pool (and within one quantization step of the exact real-valued result), its MEAN
// form against values of TFLite's MEAN, __wasmsimd against __ref bit for bit, over lengths and
// channel counts with every SIMD remainder, equal and different input/output scales, both
// pool forms, and in-place use.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "kernels-q8/q8-test.h"
#include "kernels/kernels-q8.h"

using namespace mnv2;
using namespace mnv2_q8_test;

namespace {

float random_scale(std::mt19937& rng, float lo, float hi) {
  return std::uniform_real_distribution<float>(lo, hi)(rng);
}

struct AddCase {
  size_t n;
  float a_scale, b_scale, out_scale;
  Q8AddParams params;
  std::vector<int8_t> a, b;
};

AddCase make_add(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  AddCase t;
  t.n = n;
  t.a_scale = random_scale(rng, 0.02f, 0.5f);
  t.b_scale = seed % 5 == 0 ? t.a_scale : random_scale(rng, 0.02f, 0.5f);
  t.out_scale = random_scale(rng, 0.05f, 0.6f);
  t.params = q8_add_params(t.a_scale, random_int(rng, -128, 127), t.b_scale,
                           random_int(rng, -128, 127), t.out_scale, random_output(rng, seed % 3 == 0));
  t.a = random_i8(rng, n);
  t.b = random_i8(rng, n);
  return t;
}

std::vector<int8_t> run_add(qs8_vadd_fn* fn, const AddCase& t) {
  std::vector<int8_t> out(t.n, kSentinel);
  fn(t.n, t.a.data(), t.b.data(), out.data(), t.params);
  return out;
}

struct PoolCase {
  size_t pixels, channels;
  float in_scale, out_scale;
  Q8PoolParams params;
  std::vector<int8_t> input;
};

PoolCase make_pool(size_t pixels, size_t channels, bool same_scale, uint32_t seed) {
  std::mt19937 rng(seed);
  PoolCase t;
  t.pixels = pixels;
  t.channels = channels;
  t.in_scale = random_scale(rng, 0.01f, 0.1f);
  t.out_scale = same_scale ? t.in_scale : random_scale(rng, 0.01f, 0.1f);
  const int32_t zp_in = random_int(rng, -128, 127);
  const Q8Output out = same_scale ? Q8Output{zp_in, -128, 127} : random_output(rng, false);
  t.params = q8_pool_params(t.in_scale, zp_in, t.out_scale, out);
  t.input = random_i8(rng, pixels * channels);
  return t;
}

// The same with TFLite's MEAN (as a model of stored type uint8 or int8 has it).
PoolCase make_mean(size_t pixels, size_t channels, bool uint8_model, uint32_t seed) {
  PoolCase t = make_pool(pixels, channels, false, seed);
  t.params = q8_mean_params(t.in_scale, t.params.input_zero_point, t.out_scale, pixels,
                            uint8_model, t.params.output);
  return t;
}

std::vector<int8_t> run_pool(qs8_global_avgpool_fn* fn, const PoolCase& t) {
  std::vector<int8_t> out(t.channels, kSentinel);
  fn(t.input.data(), t.pixels, t.channels, out.data(), t.params);
  return out;
}

// Sum over the pixels of channel c of (q - zero point).
int64_t centred_sum(const PoolCase& t, size_t c) {
  int64_t sum = 0;
  for (size_t i = 0; i < t.pixels; i++) {
    sum += t.input[i * t.channels + c] - t.params.input_zero_point;
  }
  return sum;
}

// What exact arithmetic gives: the real value rounded to the output quantization, clamped.
double ideal_output(double real, float out_scale, const Q8Output& o) {
  return std::clamp(std::round(real / out_scale) + o.zero_point, double(o.min), double(o.max));
}

// The same for the mean of channel c.
double ideal_mean(const PoolCase& t, size_t c) {
  return ideal_output(t.in_scale * double(centred_sum(t, c)) / double(t.pixels), t.out_scale,
                      t.params.output);
}

const size_t kLengths[] = {1, 2, 7, 15, 16, 17, 31, 32, 33, 100, 1000, 75264};

}  // namespace

TEST_SUITE("kernels-q8/elementwise") {
  TEST_CASE("qs8_vadd_minmax__ref: TFLite's ADD formula, within a step of the real sum") {
    for (size_t n : kLengths) {
      const AddCase t = make_add(n, uint32_t(n));
      const Q8AddParams& p = t.params;
      const std::vector<int8_t> got = run_add(qs8_vadd_minmax__ref, t);
      for (size_t i = 0; i < n; i++) {
        INFO("n=", n, " i=", i, " a=", int(t.a[i]), " b=", int(t.b[i]));
        // TFLite: centre, shift up by 2^20, rescale each side, add, requantize, clamp.
        const int32_t a = q8::multiply_by_quantized_multiplier((t.a[i] - p.a_zero_point) * (1 << 20), p.a);
        const int32_t b = q8::multiply_by_quantized_multiplier((t.b[i] - p.b_zero_point) * (1 << 20), p.b);
        const int32_t raw =
            q8::multiply_by_quantized_multiplier(a + b, p.output_requant) + p.output.zero_point;
        REQUIRE(int(got[i]) == q8::clamp(raw, p.output.min, p.output.max));
        const double real = t.a_scale * (t.a[i] - p.a_zero_point) + t.b_scale * (t.b[i] - p.b_zero_point);
        REQUIRE(std::fabs(got[i] - ideal_output(real, t.out_scale, p.output)) <= 1.0);
      }
    }
  }

  TEST_CASE("qs8_vadd_minmax__wasmsimd matches __ref bit for bit, also in place") {
    for (size_t n : kLengths) {
      for (uint32_t seed = 0; seed < 6; seed++) {
        INFO("n=", n, " seed=", seed);
        const AddCase t = make_add(n, seed * 1000 + uint32_t(n));
        const std::vector<int8_t> want = run_add(qs8_vadd_minmax__ref, t);
        check_matches(run_add(qs8_vadd_minmax__wasmsimd, t), want);
        std::vector<int8_t> in_place = t.a;
        qs8_vadd_minmax__wasmsimd(n, in_place.data(), t.b.data(), in_place.data(), t.params);
        CHECK(in_place == want);
      }
    }
  }

  TEST_CASE("qs8_vadd_minmax__wasmsimd matches __ref with left shifts other than TFLite's 20") {
    // q8_add_params always sets 20, which the SIMD twin compiles as a constant; any other
    // shift takes its variable-shift form, checked here.
    for (int32_t left_shift : {1, 8, 15, 19}) {
      for (size_t n : {size_t{17}, size_t{100}, size_t{1000}}) {
        INFO("left_shift=", left_shift, " n=", n);
        AddCase t = make_add(n, uint32_t(left_shift) * 7919 + uint32_t(n));
        t.params.left_shift = left_shift;
        check_matches(run_add(qs8_vadd_minmax__wasmsimd, t), run_add(qs8_vadd_minmax__ref, t));
      }
    }
  }

  TEST_CASE("qs8_global_avgpool__ref: exact rounded mean with equal scales, a step otherwise") {
    for (size_t pixels : {1, 4, 49, 50, 64}) {
      for (size_t channels : {1, 5, 16, 17, 40}) {
        for (bool same : {true, false}) {
          INFO("pixels=", pixels, " channels=", channels, " same scale=", same);
          const PoolCase t = make_pool(pixels, channels, same, uint32_t(pixels * 100 + channels));
          const std::vector<int8_t> got = run_pool(qs8_global_avgpool__ref, t);
          const int32_t zp_in = t.params.input_zero_point;
          for (size_t c = 0; c < channels; c++) {
            const int64_t sum = centred_sum(t, c);
            if (same) {
              // Round half away from zero of sum / pixels, by integers.
              const int64_t magnitude = (2 * std::abs(sum) + int64_t(pixels)) / (2 * int64_t(pixels));
              const int64_t mean = sum < 0 ? -magnitude : magnitude;
              CHECK(int(got[c]) == q8::clamp(int32_t(mean) + zp_in, -128, 127));
            } else {
              CHECK(std::fabs(got[c] - ideal_mean(t, c)) <= 1.0);
            }
          }
        }
      }
    }
  }

  TEST_CASE("qs8_global_avgpool__ref, MEAN form: TFLite's values, within a step of the real mean") {
    // The quantization of tf2_mobilenet_v2_1.0_224_ptq.tflite's MEAN (head output -> pooled),
    // 7x7 pixels. On a map of one value v, TFLite's MEAN gives `tflite` (its formula, which
    // reproduced every pooled channel of the TFLite runtime on the 10 shared photos), and the
    // rounded average of AVERAGE_POOL_2D's form would give one step less.
    struct Known { int8_t v, tflite; };
    const Q8PoolParams p = q8_mean_params(0.0235294122248888f, -128, 0.019077831879258156f, 49,
                                          false, Q8Output{-128, -128, 127});
    for (const Known k : {Known{-126, -125}, Known{-19, 7}, Known{-49, -30}, Known{-128, -128}}) {
      const std::vector<int8_t> input(49, k.v);
      int8_t got = kSentinel;
      qs8_global_avgpool__ref(input.data(), 49, 1, &got, p);
      CHECK_MESSAGE(int(got) == int(k.tflite), "v=", int(k.v));
    }
    for (size_t pixels : {1, 4, 49, 64}) {
      for (bool uint8_model : {false, true}) {
        const PoolCase t = make_mean(pixels, 40, uint8_model, uint32_t(pixels * 3 + uint8_model));
        const std::vector<int8_t> got = run_pool(qs8_global_avgpool__ref, t);
        for (size_t c = 0; c < t.channels; c++) {
          INFO("pixels=", pixels, " uint8=", uint8_model, " c=", c);
          CHECK(std::fabs(got[c] - ideal_mean(t, c)) <= 1.0);
        }
      }
    }
  }

  TEST_CASE("qs8_global_avgpool__wasmsimd matches __ref bit for bit, MEAN form") {
    for (size_t pixels : {1, 49, 100}) {
      for (size_t channels : {1, 16, 17, 1280}) {
        for (bool uint8_model : {false, true}) {
          INFO("pixels=", pixels, " channels=", channels, " uint8=", uint8_model);
          const PoolCase t = make_mean(pixels, channels, uint8_model, uint32_t(pixels + channels));
          check_matches(run_pool(qs8_global_avgpool__wasmsimd, t),
                        run_pool(qs8_global_avgpool__ref, t));
        }
      }
    }
  }

  TEST_CASE("qs8_global_avgpool at the int32 limits rounds without overflowing (fuzz-weight-file finding)") {
    // A weight file whose pool input scale is >= 2^30 times its output scale: multiplier
    // 2^31 - 1 with left shift 30, so a sum of -2 requantizes to -(2^31 - 1), and rounding
    // that (scaled - count / 2) overflowed int32 (UBSan in the native-asan build).
    for (int8_t value : {int8_t{-1}, int8_t{1}}) {
      PoolCase t;
      t.pixels = 4;
      t.channels = 1;
      t.params = q8_pool_params(1e10f, 0, 1.0f, Q8Output{0, -128, 127});
      t.input = {value, value, 0, 0};
      const std::vector<int8_t> got = run_pool(qs8_global_avgpool__ref, t);
      if (value < 0) CHECK(int(got[0]) == -128);
      check_matches(run_pool(qs8_global_avgpool__wasmsimd, t), got);
    }
  }

  TEST_CASE("MEAN parameters with a zero point far past int32 stay defined (fuzz-weight-file finding)") {
    // zero point * input scale / output scale of -9e15 was cast to int32 (UBSan); it now
    // saturates and every output clamps.
    const Q8PoolParams p = q8_mean_params(1e14f, -90, 1.0f, 49, false, Q8Output{0, -128, 127});
    PoolCase t;
    t.pixels = 49;
    t.channels = 3;
    t.params = p;
    t.input.assign(t.pixels * t.channels, 5);
    const std::vector<int8_t> got = run_pool(qs8_global_avgpool__ref, t);
    check_matches(run_pool(qs8_global_avgpool__wasmsimd, t), got);
  }

  TEST_CASE("qs8_global_avgpool__wasmsimd matches __ref bit for bit") {
    for (size_t pixels : {1, 2, 49, 50, 1024}) {
      for (size_t channels : {1, 15, 16, 17, 33, 1280}) {
        for (bool same : {true, false}) {
          INFO("pixels=", pixels, " channels=", channels, " same scale=", same);
          const PoolCase t = make_pool(pixels, channels, same, uint32_t(pixels * 7 + channels));
          check_matches(run_pool(qs8_global_avgpool__wasmsimd, t),
                        run_pool(qs8_global_avgpool__ref, t));
        }
      }
    }
  }
}
