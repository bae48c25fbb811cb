// Q8Pointwise: a 1x1 conv with degenerate channels (the SSDLite model's kind: bias -2^31 + 1
// and a tiny scale, whose int32 accumulators wrap) packed in segments gives outputs
// bit-identical to one whole packing through both kernel tables, with only the blocks holding
// degenerate channels on the generic requantization; healthy layers stay one packing.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <random>
#include <set>
#include <vector>

#include "kernels-q8/q8-test.h"
#include "model/q8-pointwise.h"

using namespace mnv2;
using namespace mnv2_q8_test;

namespace {

struct Layer {
  size_t k, n;
  std::vector<int16_t> weights;
  std::vector<int32_t> bias;
  std::vector<q8::Requantization> requant;
  int32_t input_zero_point;
};

Layer healthy_layer(std::mt19937& rng, size_t k, size_t n) {
  Layer l{k, n, random_weights(rng, n, k, false, true).centred, random_bias(rng, n, 1 << 16),
          random_requant(rng, n, k, Mode::kPerChannel), random_int(rng, -128, 127)};
  return l;
}

// The block1 expand channel of ssdlite_mobilenet_v2_voc_300_integer_quant: the most negative
// bias but one, and a multiplier of ~3.3e-9, so that |accumulator| * multiplier is about 7
// and its sign flips with the wrap of bias + sum.
void make_degenerate(Layer& l, size_t channel) {
  l.bias[channel] = std::numeric_limits<int32_t>::min() + 1;
  l.requant[channel] = {1914939048, -28};
}

struct Outputs {
  size_t m, a_stride, c_stride;
  std::vector<int8_t> a;
  Q8Output output;
};

Outputs make_inputs(std::mt19937& rng, const Layer& l, size_t m) {
  Outputs o{m, l.k + 3, l.n + 5, {}, {random_int(rng, -20, 20), -128, 127}};
  o.a = random_i8(rng, (m - 1) * o.a_stride + l.k);
  return o;
}

// The output rows of the whole packing and of the segments, with a sentinel in the gaps.
std::vector<int8_t> run_whole(qs8_gemm_fn* gemm, const Layer& l, const Outputs& in) {
  std::vector<int32_t> packed(qs8_gemm_packed_words(l.k, l.n));
  qs8_gemm_pack(l.k, l.n, l.weights.data(), l.bias.data(), l.input_zero_point, l.requant.data(),
                packed.data());
  std::vector<int8_t> c((in.m - 1) * in.c_stride + l.n, kSentinel);
  gemm(in.m, l.k, l.n, in.a.data(), in.a_stride, packed.data(), c.data(), in.c_stride, in.output);
  return c;
}

std::vector<int8_t> run_segments(qs8_gemm_fn* gemm, const Q8Pointwise& p, const Outputs& in) {
  std::vector<int8_t> c((in.m - 1) * in.c_stride + p.output_channels(), kSentinel);
  p.run(gemm, in.m, in.a.data(), in.a_stride, c.data(), in.c_stride, in.output);
  return c;
}

Q8Pointwise pack(const Layer& l) {
  Q8Pointwise p;
  p.pack(l.k, l.n, l.weights.data(), l.bias.data(), l.input_zero_point, l.requant.data());
  return p;
}

Q8RequantMode whole_mode(const Layer& l) {
  std::vector<int32_t> packed(qs8_gemm_packed_words(l.k, l.n));
  qs8_gemm_pack(l.k, l.n, l.weights.data(), l.bias.data(), l.input_zero_point, l.requant.data(),
                packed.data());
  return static_cast<Q8RequantMode>(packed[0]);
}

// Segments cover [0, n) in order, each a run of whole granules (the last may be narrower).
std::vector<size_t> segment_starts(const Q8Pointwise& p) {
  std::vector<size_t> starts;
  for (const Q8Pointwise::Segment& s : p.segments()) starts.push_back(s.first_channel);
  return starts;
}

std::vector<Q8RequantMode> modes(const Q8Pointwise& p) {
  std::vector<Q8RequantMode> result;
  for (const Q8Pointwise::Segment& s : p.segments()) result.push_back(p.mode(s));
  return result;
}

void check_cover(const Q8Pointwise& p) {
  size_t next = 0;
  for (const Q8Pointwise::Segment& s : p.segments()) {
    CHECK(s.first_channel == next);
    CHECK(s.first_channel % Q8Pointwise::kGranule == 0);
    CHECK(s.channels > 0);
    next += s.channels;
  }
  CHECK(next == p.output_channels());
}

void check_identical(const Layer& l, const Q8Pointwise& p, std::mt19937& rng) {
  const Outputs in = make_inputs(rng, l, 37);
  for (const QuantizedKernelTable* table : {&reference_q8_kernels(), &simd_q8_kernels()}) {
    const char* kernels = table == &simd_q8_kernels() ? "simd" : "reference";
    INFO("kernels: ", kernels);
    const std::vector<int8_t> want = run_whole(table->qs8_gemm_minmax, l, in);
    const std::vector<int8_t> got = run_segments(table->qs8_gemm_minmax, p, in);
    const size_t bad = first_mismatch(got, want);
    CHECK_MESSAGE(bad == kNoMismatch, describe(bad, got, want));
  }
}

}  // namespace

TEST_SUITE("model/q8 pointwise segments") {
  TEST_CASE("one degenerate channel: only its 8 channels are generic, outputs identical to one packing") {
    std::mt19937 rng(11);
    for (const size_t n : {96, 40, 45, 21}) {
      for (const size_t k : {16, 27}) {
        const size_t last_granule = (n - 1) / Q8Pointwise::kGranule * Q8Pointwise::kGranule;
        for (const size_t channel : {size_t{0}, size_t{7}, size_t{15}, size_t{16}, n / 2, last_granule, n - 1}) {
          INFO("n=", n, " k=", k, " degenerate channel ", channel);
          Layer l = healthy_layer(rng, k, n);
          make_degenerate(l, channel);
          REQUIRE(whole_mode(l) == Q8RequantMode::kGeneric);
          const Q8Pointwise p = pack(l);
          CAPTURE(p.segments().size());
          check_cover(p);
          CHECK(p.segments().size() <= 3);
          for (const Q8Pointwise::Segment& s : p.segments()) {
            const bool holds = channel >= s.first_channel && channel < s.first_channel + s.channels;
            CHECK((p.mode(s) == Q8RequantMode::kGeneric) == holds);
            if (holds) CHECK(s.channels <= Q8Pointwise::kGranule);
          }
          check_identical(l, p, rng);
        }
      }
    }
  }

  TEST_CASE("the degenerate channel's output depends on the wrapped accumulator") {
    // Why it cannot be replaced by a constant: bias + sum wraps past INT32_MIN to about +2^31
    // whenever the sum is below -1, which turns the output from zp - 7 into zp + 7.
    std::mt19937 rng(5);
    Layer l = healthy_layer(rng, 16, 32);
    make_degenerate(l, 20);
    const Outputs in = make_inputs(rng, l, 64);
    const std::vector<int8_t> c = run_segments(simd_q8_kernels().qs8_gemm_minmax, pack(l), in);
    std::set<int> values;
    for (size_t i = 0; i < in.m; ++i) values.insert(c[i * in.c_stride + 20]);
    CHECK(values.count(in.output.zero_point - 7) == 1);
    CHECK(values.count(in.output.zero_point + 7) == 1);
  }

  TEST_CASE("other degenerate kinds: a left shift, a right shift beyond the common limit") {
    std::mt19937 rng(23);
    for (const q8::Requantization odd : {q8::quantize_multiplier(2.5), q8::Requantization{1 << 30, -27}}) {
      Layer l = healthy_layer(rng, 24, 80);
      l.requant[33] = odd;
      REQUIRE(whole_mode(l) == Q8RequantMode::kGeneric);
      const Q8Pointwise p = pack(l);
      check_cover(p);
      CHECK(segment_starts(p) == std::vector<size_t>{0, 32, 40});
      const std::vector<Q8RequantMode> m = modes(p);
      REQUIRE(m.size() == 3);
      CHECK((m[0] != Q8RequantMode::kGeneric && m[1] == Q8RequantMode::kGeneric &&
             m[2] != Q8RequantMode::kGeneric));
      check_identical(l, p, rng);
    }
  }

  TEST_CASE("fast blocks whose joint packing would be generic stay separate") {
    // Channels [0, 16) uniform with right shift 25, [16, 40) uniform with shift 10: together
    // they would need a common shift of 25 > kQ8MaxCommonShift. Channel 40 is degenerate.
    std::mt19937 rng(3);
    Layer l = healthy_layer(rng, 8, 48);
    for (size_t c = 0; c < 40; ++c) l.requant[c] = {(1 << 30) + int32_t(c), c < 16 ? -25 : -10};
    make_degenerate(l, 40);
    const Q8Pointwise p = pack(l);
    check_cover(p);
    CHECK(segment_starts(p) == std::vector<size_t>{0, 16, 40});
    CHECK(modes(p) == std::vector<Q8RequantMode>{Q8RequantMode::kUniform, Q8RequantMode::kUniform,
                                                 Q8RequantMode::kGeneric});
    check_identical(l, p, rng);
  }

  TEST_CASE("a healthy layer stays one packing, the same as qs8_gemm_pack's") {
    std::mt19937 rng(7);
    for (const size_t n : {1, 16, 45, 144}) {
      INFO("n=", n);
      const Layer l = healthy_layer(rng, 32, n);
      const Q8Pointwise p = pack(l);
      REQUIRE(p.segments().size() == 1);
      CHECK(p.mode(p.segments()[0]) == whole_mode(l));
      CHECK(p.mode(p.segments()[0]) != Q8RequantMode::kGeneric);
      CHECK(p.words() == qs8_gemm_packed_words(32, n));
      check_identical(l, p, rng);
    }
  }
}
