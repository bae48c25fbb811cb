// Integer GEMM, SIMD128: a tile of 2 rows of `a` times one packed block of 16 output channels,
// on i32x4.dot_i16x8_s (8 multiply-adds per instruction).
//
// Per k pair a row's two int8 inputs are loaded as one 16-bit splat and sign-extended, which
// gives the int16 pair (a[k], a[k+1]) in every 32-bit lane; the packed weights hold the same
// pair of 4 channels per vector, so one dot adds 2 k steps to 4 channels. The input zero point
// is folded into the packed bias, so raw inputs are used. int32 sums are exact and order-free,
// so any accumulation order equals the reference.
//
// Why 2x16: 8 accumulators + 4 weight vectors + 1 input stay within x86-64's 16 XMM registers
// that V8 allocates from; 4x16 and 4x8 tiles measured 25-40% slower under V8 (spills, and
// twice the input splats per weight load respectively).
#include <algorithm>
#include <utility>

#include "kernels/kernels-q8.h"
#include "kernels/q8/simd-requantize.h"
#include "kernels/simd.h"

namespace mnv2 {
namespace {

constexpr size_t kTileRows = 2;
constexpr size_t kBlock = kQ8GemmBlock;
// Rows of `a` are processed in chunks of about this many bytes, and every weight block sweeps
// a whole chunk, so the chunk stays cached while the blocks stream past it.
constexpr size_t kChunkBytes = 16 * 1024;

inline v128_t pair_splat(const int8_t* a) {
  return wasm_i16x8_extend_low_i8x16(wasm_v128_load16_splat(a));
}

// The last, odd k: (a[k], a[k]) against the packed pair (w, 0). A scalar splat: V8 lowers
// load8_splat + extend to a byte broadcast, a shuffle mask built in registers, pshufb and two
// shifts.
inline v128_t single_splat(const int8_t* a) { return wasm_i16x8_splat(*a); }

struct Epilogue {
  q8::Requantizer requant;
  v128_t zero_point;  // i16x8
  v128_t min, max;    // i8x16
  const Q8Output* output;
  bool single_rounding;  // kGeneric only: the other modes have it in their packed arrays
};

// Requantizes and stores one row of kVectors * 4 accumulators (nr of them are real). The mode
// is a template argument so that each tile's epilogue compiles without branches; so is the
// common shift when the layer's is one of kConstantShifts (else kRuntimeShift).
template <size_t kVectors, Q8RequantMode kMode, int kShift>
inline void store_row(const v128_t* acc, const int32_t* arrays, int8_t* c, size_t nr,
                      const Epilogue& e) {
  if constexpr (kMode == Q8RequantMode::kGeneric) {
    int8_t out[kVectors * 4];
    for (size_t v = 0; v < kVectors; v++) {
      q8::requantize_scalar(acc[v], arrays, kBlock, 4 * v, *e.output, out + 4 * v, e.single_rounding);
    }
    for (size_t j = 0; j < nr; j++) c[j] = out[j];
    return;
  }
  const v128_t r0 = q8::requantize_lanes<kMode, kShift>(acc[0], arrays, kBlock, 0, e.requant);
  const v128_t r1 = q8::requantize_lanes<kMode, kShift>(acc[1], arrays, kBlock, 4, e.requant);
  const v128_t lo = q8::narrow_add_zero_point(r0, r1, e.zero_point);
  if constexpr (kVectors == 4) {
    const v128_t r2 = q8::requantize_lanes<kMode, kShift>(acc[2], arrays, kBlock, 8, e.requant);
    const v128_t r3 = q8::requantize_lanes<kMode, kShift>(acc[3], arrays, kBlock, 12, e.requant);
    const v128_t hi = q8::narrow_add_zero_point(r2, r3, e.zero_point);
    const v128_t bytes =
        wasm_i8x16_min(wasm_i8x16_max(wasm_i8x16_narrow_i16x8(lo, hi), e.min), e.max);
    q8::store_i8_partial(c, bytes, nr);
  } else {
    const v128_t bytes =
        wasm_i8x16_min(wasm_i8x16_max(wasm_i8x16_narrow_i16x8(lo, lo), e.min), e.max);
    if (nr == 8) {
      wasm_v128_store64_lane(c, bytes, 0);
    } else {
      q8::store_i8_partial(c, bytes, nr);
    }
  }
}

// Rows [0, mr) of a and c (mr <= 2) times the block at `block`, columns [0, nr) stored.
// kVectors = 4 covers 16 channels, 2 covers the first 8 (a narrow last block). A missing
// second row re-reads the first and is never stored.
template <size_t kVectors, Q8RequantMode kMode, int kShift>
void tile(size_t mr, size_t nr, size_t k, const int8_t* a, size_t a_stride,
          const int32_t* block, int8_t* c, size_t c_stride, const Epilogue& e) {
  const int8_t* a0 = a;
  const int8_t* a1 = mr > 1 ? a0 + a_stride : a0;

  v128_t acc0[kVectors], acc1[kVectors];
  for (size_t v = 0; v < kVectors; v++) {
    acc0[v] = acc1[v] = wasm_v128_load(block + kQ8Bias * kBlock + 4 * v);
  }
  const int32_t* w = block + kQ8ArrayWords * kBlock;
  for (size_t pairs = k / 2; pairs != 0; pairs--) {
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
  if (k % 2 != 0) {
    const v128_t x0 = single_splat(a0), x1 = single_splat(a1);
    for (size_t v = 0; v < kVectors; v++) {
      const v128_t wv = wasm_v128_load(w + 4 * v);
      acc0[v] = wasm_i32x4_add(acc0[v], wasm_i32x4_dot_i16x8(x0, wv));
      acc1[v] = wasm_i32x4_add(acc1[v], wasm_i32x4_dot_i16x8(x1, wv));
    }
  }

  store_row<kVectors, kMode, kShift>(acc0, block, c, nr, e);
  if (mr > 1) store_row<kVectors, kMode, kShift>(acc1, block, c + c_stride, nr, e);
}

// Each (mode, shift) instance stays a function of its own (noinline, called through a pointer
// chosen once per call): a dozen instances inlined into one dispatcher measured every GEMM ~2x
// slower under V8.
template <Q8RequantMode kMode, int kShift>
__attribute__((noinline)) void gemm(size_t m, size_t k, size_t n, const int8_t* a,
                                    size_t a_stride, const int32_t* packed, int8_t* c,
                                    size_t c_stride, const Epilogue& e) {
  const size_t block_words = kBlock * (kQ8ArrayWords + (k + 1) / 2);
  const size_t chunk_rows =
      std::max(kTileRows, kChunkBytes / std::max<size_t>(k, 1) / kTileRows * kTileRows);
  for (size_t chunk = 0; chunk < m; chunk += chunk_rows) {
    const size_t chunk_end = std::min(m, chunk + chunk_rows);
    const int32_t* block = packed + kQ8HeaderWords;
    for (size_t j = 0; j < n; j += kBlock, block += block_words) {
      const size_t nr = std::min(kBlock, n - j);
      for (size_t i = chunk; i < chunk_end; i += kTileRows) {
        const size_t mr = std::min(kTileRows, chunk_end - i);
        if (nr > 8) {
          tile<4, kMode, kShift>(mr, nr, k, a + i * a_stride, a_stride, block, c + i * c_stride + j,
                         c_stride, e);
        } else {
          tile<2, kMode, kShift>(mr, nr, k, a + i * a_stride, a_stride, block, c + i * c_stride + j,
                         c_stride, e);
        }
      }
    }
  }
}

using GemmFn = void(size_t m, size_t k, size_t n, const int8_t* a, size_t a_stride,
                    const int32_t* packed, int8_t* c, size_t c_stride, const Epilogue& e);

// The common shifts E compiled as constants, per mode: those of the two shipped classifiers'
// pointwise layers (mobilenet_v2_1.0_224: kUniform 2 and 4-9; tf2_mobilenet_v2_1.0_224_ptq:
// kPerChannelBounded 6, 8-12, 16, 17 and the stem's kPerChannel 21). Other shifts take the
// run-time-shift instance, which computes the same.
using UniformShifts = std::integer_sequence<int, 2, 4, 5, 6, 7, 8, 9>;
using PerChannelShifts = std::integer_sequence<int, 21>;
using PerChannelBoundedShifts = std::integer_sequence<int, 6, 8, 9, 10, 11, 12, 16, 17>;

template <Q8RequantMode kMode, int... kShifts>
GemmFn* select_gemm(int32_t shift, std::integer_sequence<int, kShifts...>) {
  GemmFn* fn = gemm<kMode, q8::kRuntimeShift>;
  ((fn = shift == kShifts ? gemm<kMode, kShifts> : fn), ...);
  return fn;
}

GemmFn* select_gemm(Q8RequantMode mode, int32_t shift) {
  switch (mode) {
    case Q8RequantMode::kUniform:
      return select_gemm<Q8RequantMode::kUniform>(shift, UniformShifts());
    case Q8RequantMode::kPerChannel:
      return select_gemm<Q8RequantMode::kPerChannel>(shift, PerChannelShifts());
    case Q8RequantMode::kPerChannelBounded:
      return select_gemm<Q8RequantMode::kPerChannelBounded>(shift, PerChannelBoundedShifts());
    case Q8RequantMode::kGeneric:
      break;
  }
  return gemm<Q8RequantMode::kGeneric, 0>;
}

}  // namespace

void qs8_gemm_minmax__wasmsimd(size_t m, size_t k, size_t n, const int8_t* a, size_t a_stride,
                               const int32_t* packed, int8_t* c, size_t c_stride,
                               const Q8Output& output) {
  const Epilogue e = {q8::Requantizer(packed),
                      wasm_i16x8_splat(static_cast<int16_t>(output.zero_point)),
                      wasm_i8x16_splat(static_cast<int8_t>(output.min)),
                      wasm_i8x16_splat(static_cast<int8_t>(output.max)), &output,
                      packed[kQ8RoundingWord] != 0};
  select_gemm(e.requant.mode, e.requant.shift)(m, k, n, a, a_stride, packed, c, c_stride, e);
}

}  // namespace mnv2
