// Kernel micro-benchmark (a developer tool, not part of the product): times each kernel on
// the shapes MobileNetV2 1.0/224 gives it, whole layers at a time, and the SIMD128 mul+add
// peak, then prints GMAC/s and % of peak per kernel. Build and run it with
//   bash bench/kernel-bench.sh
// Each measurement is repeated until V8 has tiered the code up, and the fastest run is kept.
#include <algorithm>
#include <cstdio>
#include <random>
#include <vector>

#include "bench-timing.h"
#include "kernel-bench-layers.h"
#include "kernels/kernels.h"
#include "kernels/peak/peak.h"
#include "model/architecture.h"

using namespace mnv2;

namespace {

// Best time of `fn` after warming up for 300 ms.
const BestOfRuns best_ms{300.0, 20};

std::vector<float> random_floats(size_t n, float lo, float hi) {
  static std::mt19937 rng(1);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

volatile float sink;

}  // namespace

int main() {
  const double peak_ms = best_ms([] { sink = f32_peak_mul_add__wasmsimd(2000); }, 2000.0, 30);
  const double peak = 2000.0 * double(f32_peak_mul_add_macs_per_pass()) / peak_ms / 1e6;
  std::printf("SIMD128 mul+add peak: %.2f GMAC/s\n", peak);

  const KernelTable& k = simd_kernels();
  const ArchitectureShape arch = mobilenet_v2_architecture(1.0f);
  LayerReport report(peak);
  for_each_block(arch, [&](const BlockAtSize& at) {
    const BlockShape& b = at.shape;
    const size_t i = at.index, size = at.side, out = at.out, in_px = at.in_px, out_px = at.out_px;
    std::vector<float> in = random_floats(in_px * b.in_channels, -1, 1);
    std::vector<float> expanded = random_floats(in_px * b.expanded_channels, 0, 6);
    std::vector<float> dw(out_px * b.expanded_channels);
    std::vector<float> result(out_px * b.out_channels);
    if (b.has_expand) {
      std::vector<float> w = random_floats(b.in_channels * b.expanded_channels, -1, 1);
      std::vector<float> bias = random_floats(b.expanded_channels, -1, 1);
      std::vector<float> packed(gemm_packed_size(b.in_channels, b.expanded_channels));
      gemm_pack(b.in_channels, b.expanded_channels, w.data(), bias.data(), packed.data());
      const double ms = best_ms([&] {
        k.f32_gemm_minmax(in_px, b.in_channels, b.expanded_channels, in.data(), b.in_channels,
                          packed.data(), expanded.data(), b.expanded_channels, nullptr, 0, 0, 6);
      });
      report.add("expand", i, ms, double(in_px) * b.in_channels * b.expanded_channels);
    }
    {
      std::vector<float> w = random_floats(9 * b.expanded_channels, -1, 1);
      std::vector<float> bias = random_floats(b.expanded_channels, -1, 1);
      std::vector<float> packed(dwconv3x3_packed_size(b.expanded_channels));
      dwconv3x3_pack(b.expanded_channels, w.data(), bias.data(), packed.data());
      std::vector<const float*> rows(size);
      for (size_t y = 0; y < size; ++y) rows[y] = expanded.data() + y * size * b.expanded_channels;
      const size_t pad = b.stride == 1 ? 1 : 0;
      dwconv3x3_fn* fn = b.stride == 1 ? k.f32_dwconv3x3s1_minmax : k.f32_dwconv3x3s2_minmax;
      const double ms = best_ms([&] {
        fn(rows.data(), size, size, b.expanded_channels, pad, pad, packed.data(), dw.data(), out,
           0, out, 0, 6);
      });
      report.add("dw", i, ms, double(out_px) * b.expanded_channels * 9);
    }
    {
      std::vector<float> w = random_floats(b.expanded_channels * b.out_channels, -1, 1);
      std::vector<float> bias = random_floats(b.out_channels, -1, 1);
      std::vector<float> packed(gemm_packed_size(b.expanded_channels, b.out_channels));
      gemm_pack(b.expanded_channels, b.out_channels, w.data(), bias.data(), packed.data());
      std::vector<float> residual = random_floats(out_px * b.out_channels, -1, 1);
      const double ms = best_ms([&] {
        k.f32_gemm_minmax(out_px, b.expanded_channels, b.out_channels, dw.data(),
                          b.expanded_channels, packed.data(), result.data(), b.out_channels,
                          b.residual ? residual.data() : nullptr, b.out_channels, -1e30f, 1e30f);
      });
      report.add("project", i, ms, double(out_px) * b.expanded_channels * b.out_channels);
    }
  });
  {
    std::vector<float> image = random_floats(224 * 224 * 3, -1, 1);
    std::vector<float> w = random_floats(32 * 27, -1, 1), bias = random_floats(32, -1, 1);
    std::vector<float> packed(conv3x3c3_packed_size(32));
    conv3x3c3_pack(32, w.data(), bias.data(), packed.data());
    std::vector<float> out(112 * 112 * 32);
    const double ms = best_ms([&] {
      k.f32_conv3x3s2c3_minmax(image.data(), 224, 224, 0, 0, packed.data(), 32, out.data(), 112,
                               0, 112, 0, 6);
    });
    report.add("stem", 0, ms, 112.0 * 112 * 32 * 27);
  }
  {
    std::vector<float> in = random_floats(49 * 320, -1, 1), out(49 * 1280);
    std::vector<float> w = random_floats(320 * 1280, -1, 1), bias = random_floats(1280, -1, 1);
    std::vector<float> packed(gemm_packed_size(320, 1280));
    gemm_pack(320, 1280, w.data(), bias.data(), packed.data());
    const double ms = best_ms([&] {
      k.f32_gemm_minmax(49, 320, 1280, in.data(), 320, packed.data(), out.data(), 1280, nullptr, 0,
                        0, 6);
    });
    report.add("head", 0, ms, 49.0 * 320 * 1280);
  }
  {
    std::vector<float> in = random_floats(1280, -1, 1), out(1001);
    std::vector<float> w = random_floats(1280 * 1001, -1, 1), bias = random_floats(1001, -1, 1);
    std::vector<float> packed(gemm_packed_size(1280, 1001));
    gemm_pack(1280, 1001, w.data(), bias.data(), packed.data());
    const double ms = best_ms([&] {
      k.f32_fc_minmax(1280, 1001, in.data(), packed.data(), out.data(), -1e30f, 1e30f);
    });
    report.add("logits", 0, ms, 1280.0 * 1001);
  }
  report.print_total("layer by layer, each layer's data warm");
  return 0;
}
