// Packed GEMM, 4x8 register tile: 4 rows of `a` times one 8-channel weight block, two f32x4
// accumulators per row. 8 accumulators + 2 weight vectors + 1 broadcast keep V8's whole k loop
// in x86-64's 16 XMM registers; 5x8 and 6x8 tiles measured slower under V8. Products are added
// in k order per output, like the reference, so the twins agree bit for bit on finite data.
#include <algorithm>

#include "kernels/kernels.h"
#include "kernels/simd-partial.h"
#include "kernels/simd.h"

namespace mnv2 {
namespace {

constexpr size_t kTileRows = 4;
// Rows of `a` are processed in chunks of about this many bytes: every weight block sweeps a
// whole chunk before the next block is loaded, so for large m a block's weights are reused
// from L1 across the chunk while the chunk itself stays cached across blocks.
constexpr size_t kChunkBytes = 32 * 1024;

inline void store_row(float* c, const float* residual, v128_t lo, v128_t hi, size_t nr) {
  if (nr == kGemmChannelBlock) {
    if (residual != nullptr) {
      lo = wasm_f32x4_add(lo, wasm_v128_load(residual));
      hi = wasm_f32x4_add(hi, wasm_v128_load(residual + 4));
    }
    wasm_v128_store(c, lo);
    wasm_v128_store(c + 4, hi);
    return;
  }
  if (residual != nullptr) {
    lo = wasm_f32x4_add(lo, load_f32_partial(residual, std::min<size_t>(nr, 4)));
    if (nr > 4) hi = wasm_f32x4_add(hi, load_f32_partial(residual + 4, nr - 4));
  }
  store_f32x8_partial(c, lo, hi, nr);
}

// One tile: rows [0, mr) (mr <= 4) of a and c, columns [0, nr) (nr <= 8) of the block `w`.
// Missing rows re-read the last valid row of `a` (cheaper than a branch per k) and are never
// stored, so c and residual may even alias without a duplicate row corrupting anything.
inline void tile_4x8(size_t mr, size_t nr, size_t k, const float* a, size_t a_stride,
                     const float* w, float* c, size_t c_stride, const float* residual,
                     size_t residual_stride, v128_t vmin, v128_t vmax) {
  const float* a0 = a;
  const float* a1 = mr > 1 ? a0 + a_stride : a0;
  const float* a2 = mr > 2 ? a1 + a_stride : a1;
  const float* a3 = mr > 3 ? a2 + a_stride : a2;

  v128_t acc0lo = wasm_v128_load(w);
  v128_t acc0hi = wasm_v128_load(w + 4);
  v128_t acc1lo = acc0lo, acc1hi = acc0hi;
  v128_t acc2lo = acc0lo, acc2hi = acc0hi;
  v128_t acc3lo = acc0lo, acc3hi = acc0hi;
  w += kGemmChannelBlock;

  for (size_t kk = k; kk != 0; kk--) {
    const v128_t wlo = wasm_v128_load(w);
    const v128_t whi = wasm_v128_load(w + 4);
    w += kGemmChannelBlock;
    const v128_t va0 = wasm_v128_load32_splat(a0++);
    acc0lo = wasm_f32x4_add(acc0lo, wasm_f32x4_mul(va0, wlo));
    acc0hi = wasm_f32x4_add(acc0hi, wasm_f32x4_mul(va0, whi));
    const v128_t va1 = wasm_v128_load32_splat(a1++);
    acc1lo = wasm_f32x4_add(acc1lo, wasm_f32x4_mul(va1, wlo));
    acc1hi = wasm_f32x4_add(acc1hi, wasm_f32x4_mul(va1, whi));
    const v128_t va2 = wasm_v128_load32_splat(a2++);
    acc2lo = wasm_f32x4_add(acc2lo, wasm_f32x4_mul(va2, wlo));
    acc2hi = wasm_f32x4_add(acc2hi, wasm_f32x4_mul(va2, whi));
    const v128_t va3 = wasm_v128_load32_splat(a3++);
    acc3lo = wasm_f32x4_add(acc3lo, wasm_f32x4_mul(va3, wlo));
    acc3hi = wasm_f32x4_add(acc3hi, wasm_f32x4_mul(va3, whi));
  }

  // pmax(x, lo) = x < lo ? lo : x and pmin(x, hi) = hi < x ? hi : x: exactly the reference's
  // std::max / std::min, so NaN and infinite bounds behave the same (one instruction on x86).
  acc0lo = wasm_f32x4_pmin(wasm_f32x4_pmax(acc0lo, vmin), vmax);
  acc0hi = wasm_f32x4_pmin(wasm_f32x4_pmax(acc0hi, vmin), vmax);
  acc1lo = wasm_f32x4_pmin(wasm_f32x4_pmax(acc1lo, vmin), vmax);
  acc1hi = wasm_f32x4_pmin(wasm_f32x4_pmax(acc1hi, vmin), vmax);
  acc2lo = wasm_f32x4_pmin(wasm_f32x4_pmax(acc2lo, vmin), vmax);
  acc2hi = wasm_f32x4_pmin(wasm_f32x4_pmax(acc2hi, vmin), vmax);
  acc3lo = wasm_f32x4_pmin(wasm_f32x4_pmax(acc3lo, vmin), vmax);
  acc3hi = wasm_f32x4_pmin(wasm_f32x4_pmax(acc3hi, vmin), vmax);

  store_row(c, residual, acc0lo, acc0hi, nr);
  if (mr < 2) return;
  c += c_stride;
  if (residual != nullptr) residual += residual_stride;
  store_row(c, residual, acc1lo, acc1hi, nr);
  if (mr < 3) return;
  c += c_stride;
  if (residual != nullptr) residual += residual_stride;
  store_row(c, residual, acc2lo, acc2hi, nr);
  if (mr < 4) return;
  c += c_stride;
  if (residual != nullptr) residual += residual_stride;
  store_row(c, residual, acc3lo, acc3hi, nr);
}

}  // namespace

void f32_gemm_minmax__wasmsimd(size_t m, size_t k, size_t n, const float* a, size_t a_stride,
                               const float* packed, float* c, size_t c_stride,
                               const float* residual, size_t residual_stride, float min,
                               float max) {
  const v128_t vmin = wasm_f32x4_splat(min);
  const v128_t vmax = wasm_f32x4_splat(max);
  const size_t block_floats = kGemmChannelBlock * (1 + k);
  const size_t chunk_rows = std::max(
      kTileRows, kChunkBytes / (sizeof(float) * std::max<size_t>(k, 1)) / kTileRows * kTileRows);

  for (size_t chunk = 0; chunk < m; chunk += chunk_rows) {
    const size_t chunk_end = std::min(m, chunk + chunk_rows);
    const float* w = packed;
    for (size_t j = 0; j < n; j += kGemmChannelBlock, w += block_floats) {
      const size_t nr = std::min(kGemmChannelBlock, n - j);
      for (size_t i = chunk; i < chunk_end; i += kTileRows) {
        const size_t mr = std::min(kTileRows, chunk_end - i);
        tile_4x8(mr, nr, k, a + i * a_stride, a_stride, w, c + i * c_stride + j, c_stride,
                 residual != nullptr ? residual + i * residual_stride + j : nullptr,
                 residual_stride, vmin, vmax);
      }
    }
  }
}

}  // namespace mnv2
