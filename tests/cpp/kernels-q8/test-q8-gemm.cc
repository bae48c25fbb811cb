// qs8_gemm_minmax: __ref against TFLite's plain formula (bias + sum of (q_in - zp_in) *
// (q_w - zp_w) over unpacked weights, then requantization), and __wasmsimd against __ref bit
// for bit. Sweeps m / k / n through every tile remainder (odd k, narrow and partial channel
// blocks), strided rows, uint8-style per-tensor and int8-style per-channel weights, the three
// requantization modes, ReLU6 and linear clamps.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <ostream>
#include <utility>
#include <vector>

#include "kernels-q8/q8-test.h"
#include "kernels/kernels-q8.h"
#include "kernels/kernels.h"
#include "kernels/relaxed/microkernels.h"

using namespace mnv2;
using namespace mnv2_q8_test;

namespace {

struct GemmCase {
  size_t m, k, n, a_stride, c_stride;
  Mode mode;
  bool uint8_style, relu6;
  bool single_rounding = false;  // TFLite's int8 convolutions (ruy): one rounding
};

std::ostream& operator<<(std::ostream& s, const GemmCase& t) {
  return s << "m=" << t.m << " k=" << t.k << " n=" << t.n << " a_stride=" << t.a_stride
           << " c_stride=" << t.c_stride << " " << mode_name(t.mode)
           << (t.uint8_style ? " uint8" : " int8") << (t.relu6 ? " relu6" : " linear")
           << (t.single_rounding ? " single rounding" : "");
}

struct GemmData : LayerParams {
  std::vector<int8_t> a;
  std::vector<int32_t> packed;
};

std::vector<GemmCase> gemm_cases() {
  std::vector<GemmCase> cases;
  size_t variant = 0;
  auto add = [&](size_t m, size_t k, size_t n) {
    for (Mode mode : {Mode::kPerTensor, Mode::kPerChannel, Mode::kPerChannelWide, Mode::kGeneric}) {
      const size_t pad_a = variant % 3 == 1 ? 3 : 0;
      const size_t pad_c = variant % 2 == 1 ? 5 : 0;
      const bool uint8_style = mode == Mode::kPerTensor ? variant % 4 != 3 : variant % 4 == 0;
      cases.push_back({m, k, n, k + pad_a, n + pad_c, mode, uint8_style, variant % 2 == 0,
                       !uint8_style && variant % 3 != 2});
      variant++;
    }
  };
  for (size_t m : {1, 2, 3, 4, 5, 7, 8, 9, 13}) {
    for (size_t k : {1, 2, 3, 4, 5, 16, 17, 27, 32}) {
      for (size_t n : {1, 3, 4, 7, 8, 9, 15, 16, 17, 24, 31, 33}) add(m, k, n);
    }
  }
  // MobileNetV2-sized layers: many row chunks, many channel blocks, the stem's k = 27.
  add(700, 24, 144);
  add(196, 576, 96);
  add(49, 960, 320);
  add(300, 27, 32);
  add(1, 1280, 1001);
  return cases;
}

GemmData make_data_in(Q8GemmLayout layout, const GemmCase& t, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<int8_t> a = random_i8(rng, (t.m - 1) * t.a_stride + t.k);
  GemmData d{random_layer_params(rng, t.n, t.k, t.uint8_style, true, 1 << 16, t.mode, t.relu6),
             std::move(a), {}};
  layout = qs8_gemm_fitting_layout(t.n * t.k, d.w.centred.data(), layout);
  d.packed.resize(qs8_gemm_packed_words(t.k, t.n, layout));
  qs8_gemm_pack(t.k, t.n, d.w.centred.data(), d.bias.data(), d.input_zero_point,
                d.requant.data(), d.packed.data(), t.single_rounding, layout);
  return d;
}

GemmData make_data(const GemmCase& t, uint32_t seed) {
  return make_data_in(Q8GemmLayout::kI16Pairs, t, seed);
}

GemmData make_quads_data(const GemmCase& t, uint32_t seed) {
  return make_data_in(Q8GemmLayout::kU8Quads, t, seed);
}

struct Run {
  qs8_gemm_fn* kernel;
  std::vector<int8_t> operator()(const GemmCase& t, const GemmData& d) const {
    // Exactly sized, so AddressSanitizer sees a write past the last row; gaps keep a sentinel.
    std::vector<int8_t> c((t.m - 1) * t.c_stride + t.n, kSentinel);
    kernel(t.m, t.k, t.n, d.a.data(), t.a_stride, d.packed.data(), c.data(), t.c_stride,
           d.output);
    return c;
  }
};

std::vector<int8_t> plain(const GemmCase& t, const GemmData& d) {
  std::vector<int8_t> c((t.m - 1) * t.c_stride + t.n, kSentinel);
  for (size_t i = 0; i < t.m; i++) {
    for (size_t j = 0; j < t.n; j++) {
      int64_t acc = d.bias[j];
      for (size_t kk = 0; kk < t.k; kk++) {
        acc += int64_t(int32_t(d.a[i * t.a_stride + kk]) - d.input_zero_point) *
               (d.w.raw[j * t.k + kk] - d.w.zero_point[j]);
      }
      if (t.single_rounding) {
        // ruy: round(acc * M / 2^(31 - shift)) with ties toward +infinity, one rounding.
        const q8::Requantization r = d.requant[j];
        const int total = 31 - r.shift;
        const int64_t scaled = (acc * r.multiplier + (int64_t{1} << (total - 1))) >> total;
        c[i * t.c_stride + j] = static_cast<int8_t>(
            std::clamp<int64_t>(scaled + d.output.zero_point, d.output.min, d.output.max));
      } else {
        c[i * t.c_stride + j] = tflite_output(acc, d.requant[j], d.output);
      }
    }
  }
  return c;
}

}  // namespace

TEST_SUITE("kernels-q8/gemm") {
  TEST_CASE("qs8_gemm_minmax: __ref matches TFLite's formula on unpacked weights, __wasmsimd "
            "matches __ref bit for bit") {
    check_twins(gemm_cases(), make_data, plain, Run{qs8_gemm_minmax__ref},
                Run{qs8_gemm_minmax__wasmsimd});
  }

  TEST_CASE("qs8_gemm_minmax__wasmrelaxedsimd on kU8Quads packings: __ref matches TFLite's "
            "formula, the relaxed twin matches __ref bit for bit") {
    // Natively the relaxed micro-kernel runs through simd.h's model of the dot product's exact
    // behaviour. The WASM test binary runs the kernel module itself where Node's engine computes
    // that behaviour; Node 20's V8 does not (q8_usdot_exact is false there), and then the engine
    // must pick the SIMD128 integer kernels, which is checked instead. The browser tests run the
    // relaxed twin on the real models in Chromium.
    REQUIRE_MESSAGE(relaxed_kernels_installed(),
                    "relaxed-SIMD kernels missing: run the WASM tests with node "
                    "--experimental-wasm-relaxed-simd");
    if (!q8_usdot_exact()) {
      MESSAGE("this engine's relaxed integer dot product is not exact here: checking the fallback");
      CHECK(&q8_kernels_for(relaxed_simd_kernels()) == &simd_q8_kernels());
      return;
    }
    CHECK(&q8_kernels_for(relaxed_simd_kernels()) == &relaxed_simd_q8_kernels());
    CHECK(&q8_kernels_for(simd_kernels()) == &simd_q8_kernels());
    size_t quads = 0;
    const std::vector<GemmCase> cases = gemm_cases();
    for (size_t i = 0; i < cases.size(); i++) {
      quads += make_quads_data(cases[i], uint32_t(i)).packed[kQ8LayoutWord] ==
               int32_t(Q8GemmLayout::kU8Quads);
    }
    CHECK(quads == cases.size());  // random weights of one byte each always fit
    check_twins(cases, make_quads_data, plain, Run{qs8_gemm_minmax__ref},
                Run{qs8_gemm_minmax__wasmrelaxedsimd});
  }

  TEST_CASE("kU8Quads packing: weights offset into [0, 255], and kI16Pairs where they do not fit") {
    const int32_t b[2] = {0, 0};
    const q8::Requantization r[2] = {{1 << 30, -5}, {1 << 30, -5}};
    // Weights -100..155: offset 100, each packed byte w + 100, four inputs per word.
    const int16_t fits[10] = {-100, 0, 1, 2, 3, 155, -1, -2, -3, 7};
    std::vector<int32_t> packed(qs8_gemm_packed_words(5, 2, Q8GemmLayout::kU8Quads));
    qs8_gemm_pack(5, 2, fits, b, 0, r, packed.data(), false, Q8GemmLayout::kU8Quads);
    CHECK(packed[kQ8LayoutWord] == int32_t(Q8GemmLayout::kU8Quads));
    CHECK(packed[kQ8WeightOffsetWord] == 100);
    const int32_t* weights = packed.data() + kQ8HeaderWords + kQ8ArrayWords * kQ8GemmBlock;
    CHECK(uint32_t(weights[0]) == (0u | 100u << 8 | 101u << 16 | 102u << 24));  // channel 0
    CHECK(uint32_t(weights[1]) == (255u | 99u << 8 | 98u << 16 | 97u << 24));   // channel 1
    CHECK(weights[2] == 0);                                                    // padding channel
    CHECK(uint32_t(weights[kQ8GemmBlock]) == 103u);        // channel 0, input 4, then zeros
    CHECK(uint32_t(weights[kQ8GemmBlock + 1]) == 107u);
    CHECK(qs8_gemm_fitting_layout(10, fits, Q8GemmLayout::kU8Quads) == Q8GemmLayout::kU8Quads);
    // A span of 257 values cannot be offset into one byte: such a layer takes kI16Pairs, which
    // every twin reads (the relaxed one through the SIMD128 kernel).
    const int16_t wide[10] = {-128, 0, 0, 0, 0, 128, 0, 0, 0, 0};
    CHECK(qs8_gemm_fitting_layout(10, wide, Q8GemmLayout::kU8Quads) == Q8GemmLayout::kI16Pairs);
    CHECK(qs8_gemm_fitting_layout(10, wide, Q8GemmLayout::kI16Pairs) == Q8GemmLayout::kI16Pairs);
    std::vector<int32_t> fallback(qs8_gemm_packed_words(5, 2));
    qs8_gemm_pack(5, 2, wide, b, 0, r, fallback.data());
    const int8_t a[10] = {1, -2, 3, -4, 5, 127, -128, 0, 9, 10};
    const Q8Output out = {0, -128, 127};
    int8_t want[4], got[4];
    qs8_gemm_minmax__ref(2, 5, 2, a, 5, fallback.data(), want, 2, out);
    for (qs8_gemm_fn* fn : {qs8_gemm_minmax__wasmsimd, qs8_gemm_minmax__wasmrelaxedsimd}) {
      if (fn == qs8_gemm_minmax__wasmrelaxedsimd && !q8_usdot_exact()) continue;
      fn(2, 5, 2, a, 5, fallback.data(), got, 2, out);
      CHECK(std::equal(want, want + 4, got));
    }
  }

  TEST_CASE("outputs are not all saturated (the tests exercise the rounding)") {
    const GemmCase t = {64, 96, 32, 96, 32, Mode::kPerChannel, false, false};
    const GemmData d = make_data(t, 77);
    const std::vector<int8_t> c = Run{qs8_gemm_minmax__wasmsimd}(t, d);
    size_t interior = 0;
    for (int8_t v : c) interior += v > -128 && v < 127;
    CHECK(interior > c.size() / 2);
  }

  TEST_CASE("packing chooses the requantization mode from the shifts and bounds") {
    const int16_t w[4] = {1, 2, 3, 4};
    const int32_t b[2] = {0, 0};
    std::vector<int32_t> packed(qs8_gemm_packed_words(2, 2));
    const q8::Requantization same[2] = {{1 << 30, -5}, {(1 << 30) + 7, -5}};
    qs8_gemm_pack(2, 2, w, b, 0, same, packed.data());
    CHECK(packed[0] == int32_t(Q8RequantMode::kUniform));
    CHECK(packed[1] == 5);
    const q8::Requantization differ[2] = {{1 << 30, -3}, {1 << 30, -22}};
    qs8_gemm_pack(2, 2, w, b, 0, differ, packed.data());
    CHECK(packed[0] == int32_t(Q8RequantMode::kPerChannelBounded));
    CHECK(packed[1] == 22);
    // Large weights: 2^(22-3) times the accumulator bound of channel 0 could overflow.
    const int16_t big[4] = {255, 255, 1, 1};
    qs8_gemm_pack(2, 2, big, b, 0, differ, packed.data());
    CHECK(packed[0] == int32_t(Q8RequantMode::kPerChannel));
    const q8::Requantization deep[2] = {{1 << 30, -3}, {1 << 30, -23}};
    qs8_gemm_pack(2, 2, w, b, 0, deep, packed.data());
    CHECK(packed[0] == int32_t(Q8RequantMode::kGeneric));
    const q8::Requantization left[2] = {{1 << 30, 1}, {1 << 30, 1}};
    qs8_gemm_pack(2, 2, w, b, 0, left, packed.data());
    CHECK(packed[0] == int32_t(Q8RequantMode::kGeneric));
  }

  TEST_CASE("the random cases reach every requantization mode") {
    size_t seen[4] = {0, 0, 0, 0}, seen_single[4] = {0, 0, 0, 0};
    const std::vector<GemmCase> cases = gemm_cases();
    for (size_t i = 0; i < cases.size(); i++) {
      const GemmData d = make_data(cases[i], uint32_t(i));
      (cases[i].single_rounding ? seen_single : seen)[d.packed[0]]++;
      CHECK(d.packed[kQ8RoundingWord] == int32_t(cases[i].single_rounding));
    }
    for (size_t mode = 0; mode < 4; mode++) {
      INFO("mode ", mode);
      CHECK(seen[mode] > 10);
      // A single-rounding layer never takes kUniform (its constants are the two roundings').
      if (mode == size_t(Q8RequantMode::kUniform)) CHECK(seen_single[mode] == 0);
      else CHECK(seen_single[mode] > 10);
    }
  }

  TEST_CASE("one rounding and two differ where the first lands on the second's tie") {
    // Accumulator 13327 with multiplier 1624188629 * 2^-31 * 2^-6 is 157.49: two roundings give
    // 10080 / 64 = 157.5, then 158; one gives 157. (This is the output of
    // mobilenet_v2_1.0_224_quant's block 8 expansion where TFLite's runtime gave 157 on cat.bmp:
    // its multiplier there, from the float product of the scales, is 1624188583, and rounds
    // twice to 157 as well.) Both twins, both packings, all modes of one channel.
    const int16_t w[1] = {1};
    const int32_t b[1] = {13326};
    const int8_t a[1] = {1};
    const Q8Output out = {-128, -128, 127};
    const q8::Requantization r[1] = {{1624188629, -6}};
    std::vector<int32_t> packed(qs8_gemm_packed_words(1, 1));
    for (bool single : {false, true}) {
      qs8_gemm_pack(1, 1, w, b, 0, r, packed.data(), single);
      for (qs8_gemm_fn* fn : {qs8_gemm_minmax__ref, qs8_gemm_minmax__wasmsimd}) {
        int8_t c = kSentinel;
        fn(1, 1, 1, a, 1, packed.data(), &c, 1, out);
        CHECK_MESSAGE(int(c) == (single ? 157 : 158) - 128, "single=", single);
      }
    }
    CHECK(q8::multiply_by_quantized_multiplier_single_rounding(13327, r[0]) == 157);
    CHECK(q8::multiply_by_quantized_multiplier(13327, r[0]) == 158);
    CHECK(q8::multiply_by_quantized_multiplier(13327, {1624188583, -6}) == 157);
  }
}
