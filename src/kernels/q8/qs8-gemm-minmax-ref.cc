// Integer GEMM, scalar reference: each output is the int32 sum of raw int8 inputs times the
// packed (zero-point-free) weights plus the folded bias, requantized (kernels-q8.h).
#include "kernels/kernels-q8.h"
#include "kernels/q8/packed.h"

namespace mnv2 {

void qs8_gemm_minmax__ref(size_t m, size_t k, size_t n, const int8_t* a, size_t a_stride,
                          const int32_t* packed, int8_t* c, size_t c_stride,
                          const Q8Output& output) {
  constexpr size_t B = kQ8GemmBlock;
  const auto layout = static_cast<Q8GemmLayout>(packed[kQ8LayoutWord]);
  const int32_t offset = packed[kQ8WeightOffsetWord];
  const size_t block_words = q8::packed_gemm_block_words(k, layout);
  const bool single_rounding = packed[kQ8RoundingWord] != 0;
  for (size_t i = 0; i < m; i++) {
    for (size_t j = 0; j < n; j++) {
      const int32_t* block = packed + kQ8HeaderWords + (j / B) * block_words;
      const size_t lane = j % B;
      const int32_t* weights = block + kQ8ArrayWords * B;
      int32_t acc = block[kQ8Bias * B + lane];
      for (size_t kk = 0; kk < k; kk++) {
        const int32_t w = q8::packed_gemm_weight(weights, lane, kk, layout, offset);
        acc = q8::wrapping_add(acc, int32_t{a[i * a_stride + kk]} * w);
      }
      const q8::Requantization r = {block[kQ8Multiplier * B + lane], block[kQ8Shift * B + lane]};
      c[i * c_stride + j] = q8_requantize(acc, r, output, single_rounding);
    }
  }
}

}  // namespace mnv2
