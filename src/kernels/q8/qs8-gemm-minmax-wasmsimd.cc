// Integer GEMM, SIMD128: a tile of 2 rows of `a` times one packed block of 16 output channels,
// on i32x4.dot_i16x8_s (8 multiply-adds per instruction).
//
// The rows of `a` are widened to int16 once per chunk (into a per-thread panel, k rounded up to
// even with a zero), so that a row's pair (a[k], a[k+1]) for every 32-bit lane is one
// v128.load32_splat, which V8 lowers to a broadcast from memory: a load, no vector ALU work.
// Splatting the int8 pair and sign-extending it in the tile instead (a 16-bit broadcast and a
// pmovsxbw per row and k pair) cost 4 of the 20 vector ALU operations per k pair of a tile,
// which the 8 dots and 8 adds already keep busy: the inner loop measured ~15% faster widened
// (Zen 4, V8 11.3). The packed weights hold the same pair of 4 channels per vector, so one dot
// adds 2 k steps to 4 channels. The input zero point is folded into the packed bias, so raw
// inputs are used, and the zero pad past an odd k meets the packed pair (w, 0). int32 sums are
// exact and order-free, so any accumulation order equals the reference.
//
// Why 2x16: 8 accumulators + 4 weight vectors + 1 input stay within x86-64's 16 XMM registers
// that V8 allocates from; 4x16 and 4x8 tiles measured 25-40% slower under V8 (spills, and
// twice the input splats per weight load respectively).
#include <algorithm>
#include <utility>
#include <vector>

#include "kernels/kernels-q8.h"
#include "kernels/q8/qs8-gemm-epilogue.h"
#include "kernels/simd.h"

namespace mnv2 {
namespace {

constexpr size_t kTileRows = 2;
constexpr size_t kBlock = kQ8GemmBlock;
// Rows of `a` are processed in chunks of about this many (int8) bytes, and every weight block
// sweeps a whole chunk, so the chunk's widened panel (twice as many bytes) stays cached while
// the blocks stream past it.
constexpr size_t kChunkBytes = 16 * 1024;

// The per-thread panel of widened rows, kept between calls (one allocation per thread, grown
// to the largest chunk seen; at most 2 * (kChunkBytes + 2 * k) bytes).
inline int16_t* widened_panel(size_t values) {
  thread_local std::vector<int16_t> panel;
  if (panel.size() < values) panel.resize(values);
  return panel.data();
}

// Rows [0, rows) of `a` as int16, each `k_even` values (the last one zero when k is odd).
inline void widen_rows(size_t rows, size_t k, const int8_t* a, size_t a_stride, int16_t* out,
                       size_t k_even) {
  for (size_t i = 0; i < rows; i++, a += a_stride, out += k_even) {
    size_t kk = 0;
    for (; kk + 8 <= k; kk += 8) wasm_v128_store(out + kk, wasm_i16x8_load8x8(a + kk));
    for (; kk < k; kk++) out[kk] = a[kk];
    if (k_even != k) out[k] = 0;
  }
}

// The pair (a[2p], a[2p+1]) of a widened row in every 32-bit lane.
inline v128_t pair_splat(const int16_t* a) { return wasm_v128_load32_splat(a); }

using Epilogue = q8::GemmEpilogue;

// Rows [0, mr) of the widened panel `a` (rows of k_even values) and of c (mr <= 2) times the
// block at `block`, columns [0, nr) stored. kVectors = 4 covers 16 channels, 2 covers the first
// 8 (a narrow last block). A missing second row re-reads the first and is never stored.
template <size_t kVectors, Q8RequantMode kMode, int kShift>
void tile(size_t mr, size_t nr, size_t k_even, const int16_t* a, const int32_t* block,
          int8_t* c, size_t c_stride, const Epilogue& e) {
  const int16_t* a0 = a;
  const int16_t* a1 = mr > 1 ? a0 + k_even : a0;

  v128_t acc0[kVectors], acc1[kVectors];
  for (size_t v = 0; v < kVectors; v++) {
    acc0[v] = acc1[v] = wasm_v128_load(block + kQ8Bias * kBlock + 4 * v);
  }
  const int32_t* w = block + kQ8ArrayWords * kBlock;
  for (size_t pairs = k_even / 2; pairs != 0; pairs--) {
    v128_t wv[kVectors];
    for (size_t v = 0; v < kVectors; v++) wv[v] = wasm_v128_load(w + 4 * v);
    w += kBlock;
    const v128_t x0 = pair_splat(a0);
    const v128_t x1 = pair_splat(a1);
    a0 += 2, a1 += 2;
    for (size_t v = 0; v < kVectors; v++) {
      acc0[v] = wasm_i32x4_add(acc0[v], wasm_i32x4_dot_i16x8(x0, wv[v]));
      acc1[v] = wasm_i32x4_add(acc1[v], wasm_i32x4_dot_i16x8(x1, wv[v]));
    }
  }

  q8::store_gemm_row<kVectors, kMode, kShift>(acc0, block, c, nr, e);
  if (mr > 1) q8::store_gemm_row<kVectors, kMode, kShift>(acc1, block, c + c_stride, nr, e);
}

template <Q8RequantMode kMode, int kShift>
struct SimdGemm {
  __attribute__((noinline)) static void run(size_t m, size_t k, size_t n, const int8_t* a,
                                             size_t a_stride, const int32_t* packed, int8_t* c,
                                             size_t c_stride, const Epilogue& e) {
    const size_t k_even = k + k % 2;
    const size_t block_words = kBlock * (kQ8ArrayWords + k_even / 2);
    const size_t chunk_rows =
        std::max(kTileRows, kChunkBytes / std::max<size_t>(k, 1) / kTileRows * kTileRows);
    int16_t* panel = widened_panel(std::min(m, chunk_rows) * k_even);
    for (size_t chunk = 0; chunk < m; chunk += chunk_rows) {
      const size_t chunk_end = std::min(m, chunk + chunk_rows);
      widen_rows(chunk_end - chunk, k, a + chunk * a_stride, a_stride, panel, k_even);
      const int32_t* block = packed + kQ8HeaderWords;
      for (size_t j = 0; j < n; j += kBlock, block += block_words) {
        const size_t nr = std::min(kBlock, n - j);
        for (size_t i = chunk; i < chunk_end; i += kTileRows) {
          const size_t mr = std::min(kTileRows, chunk_end - i);
          const int16_t* rows = panel + (i - chunk) * k_even;
          if (nr > 8) {
            tile<4, kMode, kShift>(mr, nr, k_even, rows, block, c + i * c_stride + j, c_stride, e);
          } else {
            tile<2, kMode, kShift>(mr, nr, k_even, rows, block, c + i * c_stride + j, c_stride, e);
          }
        }
      }
    }
  }
};

}  // namespace

void qs8_gemm_minmax__wasmsimd(size_t m, size_t k, size_t n, const int8_t* a, size_t a_stride,
                               const int32_t* packed, int8_t* c, size_t c_stride,
                               const Q8Output& output) {
  if (static_cast<Q8GemmLayout>(packed[kQ8LayoutWord]) != Q8GemmLayout::kI16Pairs) {
    // Packed for the relaxed twin: the readable definition reads that layout too.
    qs8_gemm_minmax__ref(m, k, n, a, a_stride, packed, c, c_stride, output);
    return;
  }
  const Epilogue e(packed, output);
  q8::select_gemm_instance<SimdGemm>(e.requant.mode, e.requant.shift)(m, k, n, a, a_stride, packed, c,
                                                                  c_stride, e);
}

}  // namespace mnv2
