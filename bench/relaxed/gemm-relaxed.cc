// Relaxed-SIMD experiment (issue part 4): the engine's packed 4x8 GEMM tile with
// f32x4.relaxed_madd (one fused multiply-add, vfmadd on x86 with FMA) next to the same tile
// with SIMD128 mul + add, plus the multiply-add peak loop of each, in one small module that
// imports the engine's memory. Built by bench/relaxed/build.sh with Debian's clang-19 and
// wasm-ld-19 (Emscripten 3.1.6's clang 14 emits pre-standard relaxed opcodes that current V8
// rejects, and its binaryen 108 cannot parse the final ones).
//
// Freestanding on purpose: no libc, no static data and no stack use (all locals are SSA
// values), because the memory belongs to the engine's module and anything this module placed
// in it would land on the engine's own data. Callers pass every buffer.
#include <wasm_simd128.h>

typedef unsigned long size_t;

#define EXPORT(name) extern "C" __attribute__((export_name(#name)))
#define ALWAYS_INLINE inline __attribute__((always_inline))

namespace {

constexpr size_t kBlock = 8;  // output channels per packed weight block (kGemmChannelBlock)

struct MulAdd {  // SIMD128: round after the multiply, round after the add
  static ALWAYS_INLINE v128_t madd(v128_t a, v128_t b, v128_t acc) {
    return wasm_f32x4_add(acc, wasm_f32x4_mul(a, b));
  }
};
struct RelaxedMadd {  // relaxed SIMD: fused where the CPU has FMA (one rounding)
  static ALWAYS_INLINE v128_t madd(v128_t a, v128_t b, v128_t acc) {
    return wasm_f32x4_relaxed_madd(a, b, acc);
  }
};

// kRows rows of a [k][kRows] panel times one block (bias[8], then k rows of w[8]).
template <typename Op, size_t kRows>
ALWAYS_INLINE void tile(size_t k, const float* panel, const float* w, float* c,
                        size_t c_stride, v128_t vmin, v128_t vmax) {
  v128_t lo[kRows], hi[kRows];
  lo[0] = wasm_v128_load(w);
  hi[0] = wasm_v128_load(w + 4);
#pragma clang loop unroll(full)
  for (size_t r = 1; r < kRows; r++) lo[r] = lo[0], hi[r] = hi[0];
  w += kBlock;
  for (size_t kk = k; kk != 0; kk--) {
    const v128_t wlo = wasm_v128_load(w);
    const v128_t whi = wasm_v128_load(w + 4);
    w += kBlock;
#pragma clang loop unroll(full)
    for (size_t r = 0; r < kRows; r++) {
      const v128_t x = wasm_v128_load32_splat(panel + r);
      lo[r] = Op::madd(x, wlo, lo[r]);
      hi[r] = Op::madd(x, whi, hi[r]);
    }
    panel += kRows;
  }
#pragma clang loop unroll(full)
  for (size_t r = 0; r < kRows; r++) {
    const v128_t a = wasm_f32x4_pmin(wasm_f32x4_pmax(lo[r], vmin), vmax);
    const v128_t b = wasm_f32x4_pmin(wasm_f32x4_pmax(hi[r], vmin), vmax);
    wasm_v128_store(c + r * c_stride, a);
    wasm_v128_store(c + r * c_stride + 4, b);
  }
}

// c[m][n] = clamp(a . w + bias) with `a` already packed in 4-row panels ([k][4] each, the
// last one [k][m % 4]), as the engine's GEMM packs it. n must be a multiple of 8 (every
// MobileNetV2 layer's is): partial stores would need the stack, which this module has not.
template <typename Op>
void gemm(size_t m, size_t k, size_t n, const float* panels, const float* packed, float* c,
          size_t c_stride, float min, float max) {
  const v128_t vmin = wasm_f32x4_splat(min), vmax = wasm_f32x4_splat(max);
  const size_t block_floats = kBlock * (1 + k);
  const float* w = packed;
  for (size_t j = 0; j < n; j += kBlock, w += block_floats) {
    for (size_t i = 0; i < m; i += 4) {
      const float* panel = panels + i * k;
      float* out = c + i * c_stride + j;
      switch (m - i < 4 ? m - i : 4) {
        case 4: tile<Op, 4>(k, panel, w, out, c_stride, vmin, vmax); break;
        case 3: tile<Op, 3>(k, panel, w, out, c_stride, vmin, vmax); break;
        case 2: tile<Op, 2>(k, panel, w, out, c_stride, vmin, vmax); break;
        default: tile<Op, 1>(k, panel, w, out, c_stride, vmin, vmax); break;
      }
    }
  }
}

// The peak loops: kRows x 8 tiles over an L1-resident panel and weights, no epilogue.
template <typename Op, size_t kRows>
float peak(const float* panel0, const float* w0, size_t depth, size_t passes) {
  v128_t lo[kRows], hi[kRows];
  for (size_t r = 0; r < kRows; r++) lo[r] = hi[r] = wasm_f32x4_splat(0.0f);
  for (size_t p = 0; p < passes; p++) {
    const float* panel = panel0;
    const float* w = w0;
    for (size_t kk = depth; kk != 0; kk--, w += kBlock, panel += kRows) {
      const v128_t wlo = wasm_v128_load(w), whi = wasm_v128_load(w + 4);
      for (size_t r = 0; r < kRows; r++) {
        const v128_t x = wasm_v128_load32_splat(panel + r);
        lo[r] = Op::madd(x, wlo, lo[r]);
        hi[r] = Op::madd(x, whi, hi[r]);
      }
    }
  }
  v128_t s = wasm_f32x4_splat(0.0f);
  for (size_t r = 0; r < kRows; r++) s = wasm_f32x4_add(s, wasm_f32x4_add(lo[r], hi[r]));
  return wasm_f32x4_extract_lane(s, 0);
}

}  // namespace

// The engine's full-tile contract (src/kernels/gemm/gemm-full-tile.h), with relaxed_madd:
// JavaScript puts this function into the engine's function-table slot of its SIMD128 tile
// (bench/relaxed-simd.mjs), and the engine's GEMM then calls it for every full 4x8 tile.
EXPORT(full_tile_4x8) void full_tile_4x8(size_t k, const float* panel, const float* w, float* c,
                                         size_t c_stride, const float* residual,
                                         size_t residual_stride, v128_t vmin, v128_t vmax) {
  v128_t lo[4], hi[4];
  lo[0] = lo[1] = lo[2] = lo[3] = wasm_v128_load(w);
  hi[0] = hi[1] = hi[2] = hi[3] = wasm_v128_load(w + 4);
  w += kBlock;
  for (size_t kk = k; kk != 0; kk--) {
    const v128_t wlo = wasm_v128_load(w);
    const v128_t whi = wasm_v128_load(w + 4);
    w += kBlock;
#pragma clang loop unroll(full)
    for (size_t r = 0; r < 4; r++) {
      const v128_t x = wasm_v128_load32_splat(panel + r);
      lo[r] = wasm_f32x4_relaxed_madd(x, wlo, lo[r]);
      hi[r] = wasm_f32x4_relaxed_madd(x, whi, hi[r]);
    }
    panel += 4;
  }
#pragma clang loop unroll(full)
  for (size_t r = 0; r < 4; r++) {
    v128_t a = wasm_f32x4_pmin(wasm_f32x4_pmax(lo[r], vmin), vmax);
    v128_t b = wasm_f32x4_pmin(wasm_f32x4_pmax(hi[r], vmin), vmax);
    if (residual != nullptr) {
      a = wasm_f32x4_add(a, wasm_v128_load(residual + r * residual_stride));
      b = wasm_f32x4_add(b, wasm_v128_load(residual + r * residual_stride + 4));
    }
    wasm_v128_store(c + r * c_stride, a);
    wasm_v128_store(c + r * c_stride + 4, b);
  }
}

EXPORT(gemm_muladd) void gemm_muladd(size_t m, size_t k, size_t n, const float* panels,
                                     const float* packed, float* c, size_t c_stride, float min,
                                     float max) {
  gemm<MulAdd>(m, k, n, panels, packed, c, c_stride, min, max);
}
EXPORT(gemm_madd) void gemm_madd(size_t m, size_t k, size_t n, const float* panels,
                                 const float* packed, float* c, size_t c_stride, float min,
                                 float max) {
  gemm<RelaxedMadd>(m, k, n, panels, packed, c, c_stride, min, max);
}
// Operands: a [depth][6] panel then [depth][8] weights (6 rows serve every tile height).
EXPORT(peak_muladd_4x8) float peak_muladd_4x8(const float* ops, size_t depth, size_t passes) {
  return peak<MulAdd, 4>(ops, ops + 6 * depth, depth, passes);
}
EXPORT(peak_madd_4x8) float peak_madd_4x8(const float* ops, size_t depth, size_t passes) {
  return peak<RelaxedMadd, 4>(ops, ops + 6 * depth, depth, passes);
}
// 6x8: 12 accumulators + 2 weights + 1 broadcast = 15 registers, which only fits with a
// fused multiply-add (mul + add needs a 16th for the product).
EXPORT(peak_muladd_6x8) float peak_muladd_6x8(const float* ops, size_t depth, size_t passes) {
  return peak<MulAdd, 6>(ops, ops + 6 * depth, depth, passes);
}
EXPORT(peak_madd_6x8) float peak_madd_6x8(const float* ops, size_t depth, size_t passes) {
  return peak<RelaxedMadd, 6>(ops, ops + 6 * depth, depth, passes);
}
