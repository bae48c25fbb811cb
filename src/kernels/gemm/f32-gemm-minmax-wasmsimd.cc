// Packed GEMM on 4x8 register tiles (f32-gemm-tile.h): the driver shared by the SIMD128
// kernel and its relaxed-SIMD twin (f32-gemm-minmax-wasmrelaxedsimd.cc), which differ only
// in the tiles' multiply-add.
//
// Rows of `a` are first copied into panels, [k][rows] for each group of 4 rows, so the tile
// reads all its rows through one pointer: with four separate row pointers V8's k loop measured
// 17.4 GMAC/s on a Zen 3 host, with one 20.6 (the broadcasts then share one base register
// and one increment). The copy costs k floats per row against 8 * k multiply-adds per weight
// block it serves. A last group of 1-3 rows gets a tile of its own height instead of computing
// 4 rows and dropping some, which matters for the 7- and 14-pixel-wide rows of the fused blocks.
//
// Products are added in k order per output, like the reference, so the SIMD128 twins agree
// bit for bit on finite data.
#include <algorithm>
#include <vector>

#include "kernels/gemm/f32-gemm-tile.h"
#include "kernels/kernels.h"
#include "kernels/simd.h"

namespace mnv2 {
namespace gemm {
namespace {

// Rows of `a` are processed in chunks of about this many bytes: every weight block sweeps a
// whole chunk before the next block is loaded, so for large m a block's weights are reused
// from L1 across the chunk while the chunk itself stays cached across blocks.
constexpr size_t kChunkBytes = 32 * 1024;
// Packed weights up to this size are swept once per group of rows instead (see below): the
// expand convolutions of the early blocks (k = 16..32) have such small weights.
constexpr size_t kL1WeightBytes = 16 * 1024;

// Copies rows [0, rows) of `a` (rows <= 4) into panel[kk * rows + r]. Full groups of 4 rows
// are transposed 4x4 at a time in registers.
void pack_rows(size_t rows, size_t k, const float* a, size_t a_stride, float* panel) {
  size_t kk = 0;
  if (rows == kTileRows) {
    const float* a0 = a;
    const float* a1 = a0 + a_stride;
    const float* a2 = a1 + a_stride;
    const float* a3 = a2 + a_stride;
    for (; kk + 4 <= k; kk += 4, panel += 16) {
      const v128_t r0 = wasm_v128_load(a0 + kk), r1 = wasm_v128_load(a1 + kk);
      const v128_t r2 = wasm_v128_load(a2 + kk), r3 = wasm_v128_load(a3 + kk);
      const v128_t t0 = wasm_i32x4_shuffle(r0, r1, 0, 4, 1, 5);  // a0[0] a1[0] a0[1] a1[1]
      const v128_t t1 = wasm_i32x4_shuffle(r0, r1, 2, 6, 3, 7);  // a0[2] a1[2] a0[3] a1[3]
      const v128_t t2 = wasm_i32x4_shuffle(r2, r3, 0, 4, 1, 5);
      const v128_t t3 = wasm_i32x4_shuffle(r2, r3, 2, 6, 3, 7);
      wasm_v128_store(panel, wasm_i32x4_shuffle(t0, t2, 0, 1, 4, 5));
      wasm_v128_store(panel + 4, wasm_i32x4_shuffle(t0, t2, 2, 3, 6, 7));
      wasm_v128_store(panel + 8, wasm_i32x4_shuffle(t1, t3, 0, 1, 4, 5));
      wasm_v128_store(panel + 12, wasm_i32x4_shuffle(t1, t3, 2, 3, 6, 7));
    }
  }
  for (; kk < k; kk++) {
    for (size_t r = 0; r < rows; r++) *panel++ = a[r * a_stride + kk];
  }
}

constexpr Tiles kSimdTiles = {
    {nullptr, tile<1, MulAdd>, tile<2, MulAdd>, tile<3, MulAdd>, tile<4, MulAdd>}};

// The panels of the current chunk. Grown on the first calls to the largest chunk seen, then
// reused: inference allocates nothing. One per thread, should kernels ever run on several.
thread_local std::vector<float> chunk_panels;

}  // namespace

void gemm(const Tiles& tiles, size_t m, size_t k, size_t n, const float* a, size_t a_stride,
          const float* packed, float* c, size_t c_stride, const float* residual,
          size_t residual_stride, float min, float max) {
  const v128_t vmin = wasm_f32x4_splat(min);
  const v128_t vmax = wasm_f32x4_splat(max);
  const size_t block_floats = kGemmChannelBlock * (1 + k);
  const size_t chunk_rows = std::max(
      kTileRows, kChunkBytes / (sizeof(float) * std::max<size_t>(k, 1)) / kTileRows * kTileRows);
  if (chunk_panels.size() < std::min(chunk_rows, m) * k) {
    chunk_panels.resize(std::min(chunk_rows, m) * k);
  }
  float* panels = chunk_panels.data();
  const bool weights_in_l1 = gemm_packed_size(k, n) * sizeof(float) <= kL1WeightBytes;

  for (size_t chunk = 0; chunk < m; chunk += chunk_rows) {
    const size_t chunk_end = std::min(m, chunk + chunk_rows);
    for (size_t i = chunk; i < chunk_end; i += kTileRows) {
      const size_t mr = std::min(kTileRows, chunk_end - i);
      pack_rows(mr, k, a + i * a_stride, a_stride, panels + (i - chunk) * k);
    }
    const auto run_tile = [&](size_t i, size_t j, const float* w) {
      tiles.by_rows[std::min(kTileRows, chunk_end - i)](
          std::min(kGemmChannelBlock, n - j), k, panels + (i - chunk) * k, w,
          c + i * c_stride + j, c_stride,
          residual != nullptr ? residual + i * residual_stride + j : nullptr, residual_stride,
          vmin, vmax);
    };
    if (weights_in_l1) {
      // All weights stay in L1 anyway: finish each group of rows across all channels, so
      // output rows are written whole, one cache line after the next.
      for (size_t i = chunk; i < chunk_end; i += kTileRows) {
        const float* w = packed;
        for (size_t j = 0; j < n; j += kGemmChannelBlock, w += block_floats) run_tile(i, j, w);
      }
    } else {
      const float* w = packed;
      for (size_t j = 0; j < n; j += kGemmChannelBlock, w += block_floats) {
        for (size_t i = chunk; i < chunk_end; i += kTileRows) run_tile(i, j, w);
      }
    }
  }
}

}  // namespace gemm

void f32_gemm_minmax__wasmsimd(size_t m, size_t k, size_t n, const float* a, size_t a_stride,
                               const float* packed, float* c, size_t c_stride,
                               const float* residual, size_t residual_stride, float min,
                               float max) {
  gemm::gemm(gemm::kSimdTiles, m, k, n, a, a_stride, packed, c, c_stride, residual,
             residual_stride, min, max);
}

}  // namespace mnv2
