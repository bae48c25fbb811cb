// The machine's SIMD128 multiply+add peak as this engine's GEMM can use it: the inner loop of
// the GEMM's 4x8 register tile (8 f32x4 accumulators, 2 weight vectors, 1 broadcast, 1
// product) over a packed panel read through one pointer, with all operands re-read from a
// small block in L1 every k step like the real GEMM does. No memory traffic beyond L1, no
// epilogue: what is left is the mul + add throughput of the engine running the WASM.
//
// Why 4x8 and not a taller tile: V8 allocates 15 XMM registers on x86-64; a 6x8 tile needs
// 12 accumulators + 2 weights + 1 broadcast + 1 product = 16 and spills (measured ~13 GMAC/s
// against ~20 for this one on a Zen 3 host), and 2x16 measured the same as 4x8. Not part of
// kernels.def: it computes nothing useful and exists for the efficiency column of
// `bench --profile`.
#include "kernels/peak/peak.h"

#include "kernels/simd.h"

namespace mnv2 {
namespace {

constexpr size_t kRows = 4;
constexpr size_t kDepth = 128;  // k steps per pass: 128 * (4 + 8) floats = 6 KiB, in L1

// Operands with no particular values; small so the sums stay finite for any pass count.
struct Operands {
  float panel[kDepth][kRows];  // [k][row], like the GEMM's packed rows
  float w[kDepth][8];
  Operands() {
    for (size_t k = 0; k < kDepth; ++k) {
      for (size_t r = 0; r < kRows; ++r) panel[k][r] = 1.0f / float(1 + r + k);
      for (size_t j = 0; j < 8; ++j) w[k][j] = 1.0f / float(1 + 2 * j + k);
    }
  }
};

}  // namespace

size_t f32_peak_mul_add_macs_per_pass() { return kRows * 8 * kDepth; }

float f32_peak_mul_add__wasmsimd(size_t passes) {
  static const Operands operands;
  v128_t lo[kRows], hi[kRows];
  for (size_t r = 0; r < kRows; ++r) lo[r] = hi[r] = wasm_f32x4_splat(0.0f);
  for (size_t pass = 0; pass < passes; ++pass) {
    const float* w = &operands.w[0][0];
    const float* a = &operands.panel[0][0];
    for (size_t k = kDepth; k != 0; --k, w += 8, a += kRows) {
      const v128_t wlo = wasm_v128_load(w);
      const v128_t whi = wasm_v128_load(w + 4);
      for (size_t r = 0; r < kRows; ++r) {
        const v128_t x = wasm_v128_load32_splat(a + r);
        lo[r] = wasm_f32x4_add(lo[r], wasm_f32x4_mul(x, wlo));
        hi[r] = wasm_f32x4_add(hi[r], wasm_f32x4_mul(x, whi));
      }
    }
  }
  // One value depending on every accumulator, so nothing can be optimized away.
  v128_t sum = wasm_f32x4_splat(0.0f);
  for (size_t r = 0; r < kRows; ++r) sum = wasm_f32x4_add(sum, wasm_f32x4_add(lo[r], hi[r]));
  return wasm_f32x4_extract_lane(sum, 0) + wasm_f32x4_extract_lane(sum, 1) +
         wasm_f32x4_extract_lane(sum, 2) + wasm_f32x4_extract_lane(sum, 3);
}

}  // namespace mnv2
