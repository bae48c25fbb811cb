// The int8 multiply-add peak as this engine's integer GEMM can use it: the inner loop of the
// qs8 GEMM's 2x16 tile (8 i32x4 accumulators, 4 packed weight vectors, 2 broadcast pairs of
// widened inputs, i32x4.dot_i16x8_s + i32x4.add) over operands re-read from L1 every k pair.
// No requantization, no memory traffic beyond L1: the ceiling the int8 layers are measured
// against in `bench --profile`, as f32-peak-mul-add is for the float ones. Not part of
// kernels.def: it computes nothing useful.
#include "kernels/peak/peak.h"

#include <cstdint>

#include "kernels/simd.h"

namespace mnv2 {
namespace {

constexpr size_t kRows = 2;
constexpr size_t kVectors = 4;  // 16 output channels
constexpr size_t kPairs = 128;  // k pairs per pass: 128 * (2 * 2 + 16 * 2) int16 = 9 KiB, in L1

// Small values, so the int32 sums cannot overflow for any realistic pass count (and wrap
// harmlessly if they did: the result only has to depend on every accumulator).
struct Operands {
  int16_t panel[kRows][2 * kPairs];  // widened rows, as the GEMM's per-chunk panel
  int16_t w[kPairs][kVectors * 8];   // packed pairs of 4 channels per vector
  Operands() {
    for (size_t p = 0; p < 2 * kPairs; ++p) {
      for (size_t r = 0; r < kRows; ++r) panel[r][p] = static_cast<int16_t>((p + r) % 7 - 3);
    }
    for (size_t p = 0; p < kPairs; ++p) {
      for (size_t j = 0; j < kVectors * 8; ++j) w[p][j] = static_cast<int16_t>((p + j) % 5 - 2);
    }
  }
};

}  // namespace

size_t qs8_peak_dot_add_macs_per_pass() { return kRows * kVectors * 4 * 2 * kPairs; }

int32_t qs8_peak_dot_add__wasmsimd(size_t passes) {
  static const Operands operands;
  v128_t acc[kRows][kVectors];
  for (auto& row : acc) {
    for (v128_t& vector : row) vector = wasm_i32x4_splat(0);
  }
  while (passes-- != 0) {
    const int16_t* w = &operands.w[0][0];
    for (size_t p = 0; p < 2 * kPairs; p += 2, w += kVectors * 8) {
      v128_t wv[kVectors];
      for (size_t v = 0; v < kVectors; ++v) wv[v] = wasm_v128_load(w + 8 * v);
      for (size_t r = 0; r < kRows; ++r) {
        const v128_t x = wasm_v128_load32_splat(&operands.panel[r][p]);
        for (size_t v = 0; v < kVectors; ++v) acc[r][v] = wasm_i32x4_add(acc[r][v], wasm_i32x4_dot_i16x8(x, wv[v]));
      }
    }
  }
  // One value depending on every accumulator, so nothing can be optimized away.
  v128_t sum = wasm_i32x4_splat(0);
  for (const auto& row : acc) {
    for (const v128_t& vector : row) sum = wasm_i32x4_add(sum, vector);
  }
  return wasm_i32x4_extract_lane(sum, 0) ^ wasm_i32x4_extract_lane(sum, 1) ^
         wasm_i32x4_extract_lane(sum, 2) ^ wasm_i32x4_extract_lane(sum, 3);
}

}  // namespace mnv2
