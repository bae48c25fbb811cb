// Integer GEMM, relaxed SIMD: the SIMD128 kernel's blocking and epilogue around the relaxed
// kernel module's micro-kernel (qs8-gemm-usdot.h), which computes a call's accumulators with
// i32x4.relaxed_dot_i8x16_i7x16_add_s, 16 multiply-adds per instruction.
//
// The micro-kernel reads rows of `a` where they are when k is a multiple of 4; otherwise they
// are copied, per chunk, into a per-thread panel of int8 rows padded with zeros to a multiple
// of 4 inputs (the padded weights are 0 too). Each row gets its row offset
// -z * (sum of its inputs), which takes the kU8Quads layout's weight offset z back out:
//   sum a * (w + z) - z * sum a = sum a * w.
// All in wrapping int32 arithmetic, so every accumulator equals the SIMD128 kernel's (whose
// sums never wrap: the packing proves them below 2^30 or requantizes them with the scalar
// definition), and the shared epilogue turns it into the same output bit for bit.
//
// The micro-kernel returns its accumulators through a small per-thread buffer (kRowsPerCall
// rows of 16), so the module it lives in needs no requantization code; the buffer stays in L1.
#include <algorithm>
#include <cstring>
#include <vector>

#include "kernels/kernels-q8.h"
#include "kernels/q8/qs8-gemm-epilogue.h"
#include "kernels/relaxed/microkernels.h"
#include "kernels/simd.h"

namespace mnv2 {
namespace {

constexpr size_t kBlock = kQ8GemmBlock;
// As in the SIMD128 kernel: a chunk of rows (its panel ~16 KB) is swept by every weight block.
constexpr size_t kChunkBytes = 16 * 1024;
constexpr size_t kRowsPerCall = 32;

struct Scratch {
  std::vector<int8_t> panel;
  std::vector<int32_t> row_offsets;
  std::vector<int32_t> acc = std::vector<int32_t>(kRowsPerCall * kBlock);
};

// The per-thread scratch, kept between calls and grown to the largest chunk seen.
inline Scratch& scratch(size_t rows, size_t k4) {
  thread_local Scratch s;
  if (s.panel.size() < rows * k4) s.panel.resize(rows * k4);
  if (s.row_offsets.size() < rows) s.row_offsets.resize(rows);
  return s;
}

// The sum of n int8 values, widened pairwise so that no lane can overflow.
inline int32_t sum_i8(const int8_t* x, size_t n) {
  v128_t sums = wasm_i32x4_splat(0);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const v128_t pairs = wasm_i16x8_extadd_pairwise_i8x16(wasm_v128_load(x + i));
    sums = wasm_i32x4_add(sums, wasm_i32x4_extadd_pairwise_i16x8(pairs));
  }
  int32_t total = wasm_i32x4_extract_lane(sums, 0) + wasm_i32x4_extract_lane(sums, 1) +
                  wasm_i32x4_extract_lane(sums, 2) + wasm_i32x4_extract_lane(sums, 3);
  for (; i < n; i++) total += x[i];
  return total;
}

// The row offsets of rows [0, rows) of `a`; with a panel (k not a multiple of 4), also their
// copies into it, k4 bytes each, zero padded.
inline void prepare_rows(size_t rows, size_t k, const int8_t* a, size_t a_stride, size_t k4,
                         int32_t weight_offset, int8_t* panel, int32_t* row_offsets) {
  for (size_t r = 0; r < rows; r++, a += a_stride) {
    if (panel != nullptr) {
      std::memcpy(panel, a, k);
      std::memset(panel + k, 0, k4 - k);
      panel += k4;
    }
    row_offsets[r] = static_cast<int32_t>(0u - static_cast<uint32_t>(weight_offset) *
                                                   static_cast<uint32_t>(sum_i8(a, k)));
  }
}

template <Q8RequantMode kMode, int kShift>
struct RelaxedGemm {
  __attribute__((noinline)) static void run(size_t m, size_t k, size_t n, const int8_t* a,
                                             size_t a_stride, const int32_t* packed, int8_t* c,
                                             size_t c_stride, const q8::GemmEpilogue& e) {
    q8::usdot_rows_fn* micro = relaxed_microkernels().qs8_gemm_usdot_rows16__wasmrelaxedsimd;
    const size_t k4 = (k + 3) / 4 * 4;
    const size_t block_words = kBlock * (kQ8ArrayWords + k4 / 4);
    const size_t chunk_rows = std::max<size_t>(kRowsPerCall, kChunkBytes / std::max<size_t>(k4, 4));
    // Rows of a multiple of 4 inputs (every MobileNetV2 1x1 layer) are read where they are.
    const bool copy = k != k4;
    const size_t stride = copy ? k4 : a_stride;
    Scratch& s = scratch(std::min(m, chunk_rows), copy ? k4 : 0);
    for (size_t chunk = 0; chunk < m; chunk += chunk_rows) {
      const size_t chunk_end = std::min(m, chunk + chunk_rows);
      prepare_rows(chunk_end - chunk, k, a + chunk * a_stride, a_stride, k4,
                   packed[kQ8WeightOffsetWord], copy ? s.panel.data() : nullptr,
                   s.row_offsets.data());
      const int8_t* rows_base = copy ? s.panel.data() : a + chunk * a_stride;
      const int32_t* block = packed + kQ8HeaderWords;
      for (size_t j = 0; j < n; j += kBlock, block += block_words) {
        const size_t nr = std::min(kBlock, n - j);
        for (size_t i = chunk; i < chunk_end; i += kRowsPerCall) {
          const size_t rows = std::min(kRowsPerCall, chunk_end - i);
          micro(rows, k4 / 4, rows_base + (i - chunk) * stride, stride,
                s.row_offsets.data() + (i - chunk), block + kQ8Bias * kBlock,
                block + kQ8ArrayWords * kBlock, s.acc.data());
          for (size_t r = 0; r < rows; r++) {
            const int32_t* row = s.acc.data() + r * kBlock;
            const v128_t acc[4] = {wasm_v128_load(row), wasm_v128_load(row + 4),
                                   wasm_v128_load(row + 8), wasm_v128_load(row + 12)};
            int8_t* out = c + (i + r) * c_stride + j;
            if (nr > 8) {
              q8::store_gemm_row<4, kMode, kShift>(acc, block, out, nr, e);
            } else {
              q8::store_gemm_row<2, kMode, kShift>(acc, block, out, nr, e);
            }
          }
        }
      }
    }
  }
};

}  // namespace

void qs8_gemm_minmax__wasmrelaxedsimd(size_t m, size_t k, size_t n, const int8_t* a,
                                      size_t a_stride, const int32_t* packed, int8_t* c,
                                      size_t c_stride, const Q8Output& output) {
  if (static_cast<Q8GemmLayout>(packed[kQ8LayoutWord]) != Q8GemmLayout::kU8Quads) {
    qs8_gemm_minmax__wasmsimd(m, k, n, a, a_stride, packed, c, c_stride, output);
    return;
  }
  const q8::GemmEpilogue e(packed, output);
  q8::select_gemm_instance<RelaxedGemm>(e.requant.mode, e.requant.shift)(m, k, n, a, a_stride, packed, c,
                                                                  c_stride, e);
}

}  // namespace mnv2
