// The relaxed-SIMD peaks: the relaxed kernel module's own GEMM micro-kernels run over operands
// in L1, as the SIMD128 peaks run their builds' inner loops. A pass is one call: the float
// GEMM's 4x8 tile with f32x4.relaxed_madd over 128 k steps, or the int8 GEMM's usdot
// micro-kernel on 2 rows of 512 inputs (i32x4.relaxed_dot_i8x16_i7x16_add_s). The call and
// the tile's stores cost a few percent of a pass, as they do in the real GEMMs.
#include <cstdint>
#include <limits>
#include <vector>

#include "kernels/peak/peak.h"
#include "kernels/relaxed/microkernels.h"

namespace mnv2 {
namespace {

constexpr size_t kFloatRows = 4, kFloatDepth = 128;
constexpr size_t kQ8Rows = 2, kQuads = 128, kBlock = 16;

struct FloatOperands {
  std::vector<float> panel = std::vector<float>(kFloatDepth * kFloatRows);  // [k][row]
  std::vector<float> w = std::vector<float>(8 + kFloatDepth * 8);           // bias, then [k][8]
  std::vector<float> c = std::vector<float>(kFloatRows * 8);
  FloatOperands() {
    for (size_t i = 0; i < panel.size(); ++i) panel[i] = 1.0f / float(1 + i % 13);
    for (size_t i = 0; i < w.size(); ++i) w[i] = 1.0f / float(2 + i % 7);
  }
};

struct Q8Operands {
  std::vector<int8_t> panel = std::vector<int8_t>(kQ8Rows * 4 * kQuads);
  std::vector<int32_t> weights = std::vector<int32_t>(kQuads * kBlock);
  std::vector<int32_t> bias = std::vector<int32_t>(kBlock, 1), row_offset = {0, 0};
  std::vector<int32_t> acc = std::vector<int32_t>(kQ8Rows * kBlock);
  Q8Operands() {
    for (size_t i = 0; i < panel.size(); ++i) panel[i] = static_cast<int8_t>(i % 7 - 3);
    for (size_t i = 0; i < weights.size(); ++i) weights[i] = static_cast<int32_t>(0x01020304u * (i % 5));
  }
};

}  // namespace

size_t f32_peak_relaxed_madd_macs_per_pass() { return kFloatRows * 8 * kFloatDepth; }

float f32_peak_relaxed_madd(size_t passes) {
  if (!relaxed_kernels_installed()) return std::numeric_limits<float>::quiet_NaN();
  static FloatOperands operands;
  const v128_t lowest = wasm_f32x4_splat(-std::numeric_limits<float>::infinity());
  const v128_t highest = wasm_f32x4_splat(std::numeric_limits<float>::infinity());
  gemm::tile_fn* tile = relaxed_microkernels().f32_gemm_tile4x8__wasmrelaxedsimd;
  float sink = 0.0f;
  while (passes-- != 0) {
    tile(8, kFloatDepth, operands.panel.data(), operands.w.data(), operands.c.data(), 8, nullptr,
         0, lowest, highest);
    sink += operands.c[0];
  }
  return sink;
}

size_t qs8_peak_relaxed_usdot_macs_per_pass() { return kQ8Rows * kBlock * 4 * kQuads; }

int32_t qs8_peak_relaxed_usdot(size_t passes) {
  if (!relaxed_kernels_installed()) return 0;
  static Q8Operands operands;
  q8::usdot_rows_fn* micro = relaxed_microkernels().qs8_gemm_usdot_rows16__wasmrelaxedsimd;
  uint32_t sink = 0;
  while (passes-- != 0) {
    micro(kQ8Rows, kQuads, operands.panel.data(), 4 * kQuads, operands.row_offset.data(),
          operands.bias.data(), operands.weights.data(), operands.acc.data());
    sink += static_cast<uint32_t>(operands.acc[0]);
  }
  return static_cast<int32_t>(sink);
}

}  // namespace mnv2
