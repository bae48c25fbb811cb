// q8_usdot_exact (kernels-q8.h): runs the relaxed micro-kernel once on operands whose result
// differs under every behaviour relaxed SIMD allows for i32x4.relaxed_dot_i8x16_i7x16_add_s,
// and compares every accumulator with the exact definition:
//  - bytes >= 128 in the unsigned operand (read as negative by a signed-by-signed engine, Arm);
//  - pairs of products beyond int16 (saturated by x86 engines on pmaddubsw, without VNNI);
//  - sums past INT32_MAX (clamped by a saturating accumulate, wrapped by vpdpbusd);
//  - 3 rows, so both the micro-kernel's 2-row tile and its 1-row remainder run.
#include <cstdint>
#include <vector>

#include "kernels/kernels-q8.h"
#include "kernels/relaxed/microkernels.h"

namespace mnv2 {
namespace {

bool usdot_matches_definition() {
  constexpr size_t kRows = 3, kQuads = 3, kK = 4 * kQuads, kBlock = kQ8GemmBlock;
  std::vector<int8_t> panel(kRows * kK);
  std::vector<uint8_t> weights(kQuads * kBlock * 4);  // the kU8Quads rows of one block
  std::vector<int32_t> bias(kBlock), row_offset(kRows), acc(kRows * kBlock, 0);
  for (size_t kk = 0; kk < kK; kk++) {
    panel[kk] = 127;                                                 // products up to 127 * 255
    panel[kK + kk] = -128;                                           // and down to -128 * 255
    panel[2 * kK + kk] = static_cast<int8_t>((kk * 53 + 7) % 256);  // mixed signs
  }
  for (size_t q = 0; q < kQuads; q++) {
    for (size_t j = 0; j < kBlock; j++) {
      for (size_t b = 0; b < 4; b++) {
        // Channel 0: every weight 255; the others a spread over [0, 255].
        weights[(q * kBlock + j) * 4 + b] =
            j == 0 ? 255 : static_cast<uint8_t>((j * 37 + (4 * q + b) * 101 + 200) % 256);
      }
    }
  }
  for (size_t j = 0; j < kBlock; j++) bias[j] = INT32_MAX - static_cast<int32_t>(j) * 1000;
  row_offset = {1, -7, 12345};
  std::vector<int32_t> words(weights.size() / 4);
  for (size_t w = 0; w < words.size(); w++) {
    words[w] = static_cast<int32_t>(uint32_t{weights[4 * w]} | uint32_t{weights[4 * w + 1]} << 8 |
                                    uint32_t{weights[4 * w + 2]} << 16 |
                                    uint32_t{weights[4 * w + 3]} << 24);
  }
  relaxed_microkernels().qs8_gemm_usdot_rows16__wasmrelaxedsimd(
      kRows, kQuads, panel.data(), kK, row_offset.data(), bias.data(), words.data(), acc.data());
  for (size_t r = 0; r < kRows; r++) {
    for (size_t j = 0; j < kBlock; j++) {
      uint32_t expected = static_cast<uint32_t>(bias[j]) + static_cast<uint32_t>(row_offset[r]);
      for (size_t kk = 0; kk < kK; kk++) {
        const uint8_t w = weights[((kk / 4) * kBlock + j) * 4 + kk % 4];
        expected += static_cast<uint32_t>(int32_t{panel[r * kK + kk]} * int32_t{w});
      }
      if (static_cast<uint32_t>(acc[r * kBlock + j]) != expected) return false;
    }
  }
  return true;
}

}  // namespace

bool q8_usdot_exact() {
  if (!relaxed_kernels_installed()) return false;
  static const bool exact = usdot_matches_definition();
  return exact;
}

}  // namespace mnv2
