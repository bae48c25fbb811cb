// Integer kernel micro-benchmark (a developer tool, not part of the product): times each int8
// kernel on the shapes MobileNetV2 1.0/224 gives it, layer by layer with random data and a
// per-tensor requantization (the default model's kind), and prints ms and GMAC/s. Run with
//   bash bench/kernel-bench.sh int8
// Each measurement is repeated until V8 has tiered the code up; the fastest run is kept.
#include <algorithm>
#include <cstdio>
#include <random>
#include <vector>

#include "bench-timing.h"
#include "kernel-bench-layers.h"
#include "kernels/kernels-q8.h"
#include "model/architecture.h"

using namespace mnv2;

namespace {

const BestOfRuns best_ms{200.0, 15};

std::mt19937 rng(1);

std::vector<int8_t> random_i8(size_t n) {
  std::uniform_int_distribution<int> d(-128, 127);
  std::vector<int8_t> v(n);
  for (int8_t& x : v) x = static_cast<int8_t>(d(rng));
  return v;
}

std::vector<int16_t> random_w(size_t n) {
  std::uniform_int_distribution<int> d(-100, 100);
  std::vector<int16_t> v(n);
  for (int16_t& x : v) x = static_cast<int16_t>(d(rng));
  return v;
}

std::vector<int32_t> gemm_packed(size_t k, size_t n) {
  std::vector<int16_t> w = random_w(k * n);
  std::vector<int32_t> bias(n, 1000);
  std::vector<q8::Requantization> r(n, q8::Requantization{1518500250, -8});
  std::vector<int32_t> packed(qs8_gemm_packed_words(k, n));
  qs8_gemm_pack(k, n, w.data(), bias.data(), 3, r.data(), packed.data());
  return packed;
}

}  // namespace

int main(int argc, char** argv) {
  const QuantizedKernelTable& k = simd_q8_kernels();
  const ArchitectureShape arch = mobilenet_v2_architecture(1.0f);
  const Q8Output relu{-128, -128, 127}, linear{5, -128, 127};
  LayerReport report;
  {
    std::vector<int8_t> col = random_i8(112 * 112 * 27), out(112 * 112 * 32);
    std::vector<int32_t> packed = gemm_packed(27, 32);
    const double ms = best_ms([&] {
      k.qs8_gemm_minmax(112 * 112, 27, 32, col.data(), 27, packed.data(), out.data(), 32, relu);
    });
    report.add("stemgemm", 0, ms, 112.0 * 112 * 32 * 27);
  }
  for_each_block(arch, [&](const BlockAtSize& at) {
    const BlockShape& b = at.shape;
    const size_t i = at.index, size = at.side, out = at.out, in_px = at.in_px, out_px = at.out_px;
    std::vector<int8_t> in = random_i8(in_px * b.in_channels);
    std::vector<int8_t> expanded = random_i8(in_px * b.expanded_channels);
    std::vector<int8_t> dw(out_px * b.expanded_channels), result(out_px * b.out_channels);
    if (b.has_expand) {
      std::vector<int32_t> packed = gemm_packed(b.in_channels, b.expanded_channels);
      const double ms = best_ms([&] {
        k.qs8_gemm_minmax(in_px, b.in_channels, b.expanded_channels, in.data(), b.in_channels,
                          packed.data(), expanded.data(), b.expanded_channels, relu);
      });
      report.add("expand", i, ms, double(in_px) * b.in_channels * b.expanded_channels);
    }
    {
      const size_t c = b.expanded_channels;
      std::vector<int16_t> w = random_w(9 * c);
      std::vector<int32_t> bias(c, 1000);
      std::vector<q8::Requantization> r(c, q8::Requantization{1518500250, -8});
      std::vector<int32_t> packed(qs8_dwconv3x3_packed_words(c));
      qs8_dwconv3x3_pack(c, w.data(), bias.data(), 3, r.data(), packed.data());
      std::vector<const int8_t*> rows(size);
      for (size_t y = 0; y < size; ++y) rows[y] = expanded.data() + y * size * c;
      const size_t pad = b.stride == 1 ? 1 : 0;
      qs8_dwconv3x3_fn* fn = b.stride == 1 ? k.qs8_dwconv3x3s1_minmax : k.qs8_dwconv3x3s2_minmax;
      const double ms = best_ms([&] {
        fn(rows.data(), size, size, c, pad, pad, packed.data(), dw.data(), out, 0, out, relu);
      });
      report.add("dw", i, ms, double(out_px) * c * 9);
    }
    {
      std::vector<int32_t> packed = gemm_packed(b.expanded_channels, b.out_channels);
      const double ms = best_ms([&] {
        k.qs8_gemm_minmax(out_px, b.expanded_channels, b.out_channels, dw.data(),
                          b.expanded_channels, packed.data(), result.data(), b.out_channels,
                          linear);
      });
      report.add("project", i, ms, double(out_px) * b.expanded_channels * b.out_channels);
    }
    if (b.residual) {
      const Q8AddParams p = q8_add_params(0.05f, 3, 0.04f, -2, 0.06f, linear);
      std::vector<int8_t> other = random_i8(out_px * b.out_channels);
      const double ms = best_ms([&] {
        k.qs8_vadd_minmax(out_px * b.out_channels, result.data(), other.data(), result.data(), p);
      });
      report.add("add", i, ms, 0);
    }
  });
  {
    std::vector<int8_t> in = random_i8(49 * 320), out(49 * 1280);
    std::vector<int32_t> packed = gemm_packed(320, 1280);
    const double ms = best_ms([&] {
      k.qs8_gemm_minmax(49, 320, 1280, in.data(), 320, packed.data(), out.data(), 1280, relu);
    });
    report.add("head", 0, ms, 49.0 * 320 * 1280);
  }
  {
    std::vector<int8_t> in = random_i8(1280), out(1001);
    std::vector<int32_t> packed = gemm_packed(1280, 1001);
    const double ms = best_ms([&] {
      k.qs8_gemm_minmax(1, 1280, 1001, in.data(), 1280, packed.data(), out.data(), 1001, linear);
    });
    report.add("logits", 0, ms, 1280.0 * 1001);
  }
  report.print_total("layer by layer, data warm");
  (void)argc, (void)argv;
  return 0;
}
