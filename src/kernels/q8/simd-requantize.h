// SIMD128 requantization for the integer kernels' epilogues (the arithmetic is derived at
// Q8RequantMode in kernels-q8.h), exact for every lane of a kUniform or kPerChannel layer:
//
//   y = high32(2 * acc * M + C)       i64x2.extmul of the doubled accumulator, plus the nudge
//   t = y - [y < 2^(e-1)]             the sign correction of RoundingDivideByPOT (none for a
//                                     single-rounding layer: its arrays hold half = INT32_MIN)
//   (kPerChannel: t clamped to +-2^(e+8); both per-channel modes: times 2^(E-e))
//   result = t >> E
//
// The caller narrows the results with saturation, adds the output zero point and clamps.
// kGeneric layers go through requantize_scalar (the scalar definition, lane by lane).
// high_mul and RoundShift, the plain SIMD forms of the two gemmlowp functions, serve kernels
// whose multipliers are per tensor but not covered by an accumulator bound (ADD).
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/kernels-q8.h"
#include "kernels/simd.h"

namespace mnv2::q8 {

// The value of x, which the compiler may no longer assume it knows (an empty asm statement
// "changes" it), so that what is computed from it stays where it is written. Why: LLVM hoists
// a splat shift count or multiplier out of a loop, and instruction selection, which sees one
// basic block at a time, then no longer knows the count is one value for all lanes (it emits
// four extract/shift/replace lanes per i32x4.shr) or that the multiplier is sign-extended (a
// generic i64x2.mul, a dozen instructions per 2 lanes under V8, per i64x2.extmul).
template <typename T>
inline T opaque(T x) {
  __asm__ volatile("" : "+r"(x));
  return x;
}

// A packed layer's requantization constants, set up once per kernel call.
struct Requantizer {
  Q8RequantMode mode;
  int32_t shift;  // E
  v128_t nudge;   // kUniform: C as i64x2
  v128_t half;    // kUniform: 2^(E-1) (INT32_MIN for E = 0)

  explicit Requantizer(const int32_t* packed)
      : mode(static_cast<Q8RequantMode>(packed[0])),
        shift(packed[1]),
        nudge(wasm_i64x2_splat((int64_t{1} << 31) +
                               (packed[1] == 0 ? 0 : int64_t{1} << (31 + packed[1])))),
        half(wasm_i32x4_splat(packed[1] == 0 ? INT32_MIN : int32_t{1} << (packed[1] - 1))) {}
};

// What every requantizing kernel's epilogue needs of a packed layer and its output: the
// layer's constants, and the output zero point and clamp as vectors.
struct OutputRequantizer {
  Requantizer requant;
  v128_t zero_point;  // i16x8
  v128_t min, max;    // i8x16
  const Q8Output* output;

  OutputRequantizer(const int32_t* packed, const Q8Output& out)
      : requant(packed),
        zero_point(wasm_i16x8_splat(static_cast<int16_t>(out.zero_point))),
        min(wasm_i8x16_splat(static_cast<int8_t>(out.min))),
        max(wasm_i8x16_splat(static_cast<int8_t>(out.max))),
        output(&out) {}
};

// kShift for requantize_lanes when the common shift E is known only at run time (q.shift).
constexpr int kRuntimeShift = -1;

// 4 accumulators of channels c..c+3 of a group whose arrays start at `arrays` (each array
// `stride` words, the nudge 2 * stride); returns the values before the output zero point.
// kMode: the layer's mode (not kGeneric), as a template argument so the code has no branches.
// kShift: E when the caller was compiled for one (it must equal q.shift), else kRuntimeShift.
// Why: V8 lowers i32x4.shr_s by a run-time count to a masking of the count and a move into an
// XMM register around the shift, by a constant to one psrad; in the GEMM epilogues that was
// worth ~30% of the stem and expansion layers' time.
template <Q8RequantMode kMode, int kShift = kRuntimeShift>
inline v128_t requantize_lanes(v128_t acc, const int32_t* arrays, size_t stride, size_t c,
                               const Requantizer& q) {
  const v128_t doubled = wasm_i32x4_add(acc, acc);
  const v128_t multiplier = wasm_v128_load(arrays + kQ8Multiplier * stride + c);
  v128_t lo = wasm_i64x2_extmul_low_i32x4(doubled, multiplier);
  v128_t hi = wasm_i64x2_extmul_high_i32x4(doubled, multiplier);
  v128_t half;
  if constexpr (kMode == Q8RequantMode::kUniform) {
    lo = wasm_i64x2_add(lo, q.nudge);
    hi = wasm_i64x2_add(hi, q.nudge);
    half = q.half;
  } else {
    const int32_t* nudge = arrays + kQ8Nudge * stride + 2 * c;
    lo = wasm_i64x2_add(lo, wasm_v128_load(nudge));
    hi = wasm_i64x2_add(hi, wasm_v128_load(nudge + 4));
    half = wasm_v128_load(arrays + kQ8Half * stride + c);
  }
  const v128_t y = wasm_i32x4_shuffle(lo, hi, 1, 3, 5, 7);  // high halves (little-endian)
  // Comparisons give -1 for true: t = y - [y < half].
  v128_t t = wasm_i32x4_add(y, wasm_i32x4_gt(half, y));
  if constexpr (kMode == Q8RequantMode::kPerChannel) {
    t = wasm_i32x4_max(t, wasm_v128_load(arrays + kQ8NegBound * stride + c));
    t = wasm_i32x4_min(t, wasm_v128_load(arrays + kQ8Bound * stride + c));
  }
  if constexpr (kMode != Q8RequantMode::kUniform) {
    t = wasm_i32x4_mul(t, wasm_v128_load(arrays + kQ8ScaleUp * stride + c));
  }
  if constexpr (kShift == kRuntimeShift) {
    return wasm_i32x4_shr(t, opaque(q.shift));
  } else {
    static_assert(kShift >= 0 && kShift <= kQ8MaxUniformShift);
    return wasm_i32x4_shr(t, kShift);
  }
}

// multiply_by_quantized_multiplier with one (multiplier, shift) for all lanes, for values
// known to stay below 2^30 in magnitude and right shifts 0..kQ8MaxUniformShift: the kUniform
// arithmetic above, used in a loop (ADD). The multiplier is loaded at every use from memory
// the compiler cannot see into, and the shift count is made opaque (see opaque()): with them
// as known splats, LLVM hoisted the multiplier's sign extension (folded into a lane shuffle
// and two 64-bit shifts) and the shift count out of the loop, and every ADD layer ran ~2x
// slower.
struct UniformRequantizer {
  v128_t nudge, half;
  int32_t shift;
  int32_t multipliers[4];  // the multiplier in every lane

  explicit UniformRequantizer(Requantization r)
      : nudge(wasm_i64x2_splat((int64_t{1} << 31) + (r.shift == 0 ? 0 : int64_t{1} << (31 - r.shift)))),
        half(wasm_i32x4_splat(r.shift == 0 ? INT32_MIN : int32_t{1} << (-r.shift - 1))),
        shift(-r.shift),
        multipliers{r.multiplier, r.multiplier, r.multiplier, r.multiplier} {}

  // Whether r is one this form computes exactly (given inputs below 2^30).
  static bool covers(Requantization r) { return r.shift <= 0 && -r.shift <= kQ8MaxUniformShift; }

  v128_t operator()(v128_t x) const {
    const v128_t doubled = wasm_i32x4_add(x, x);
    const v128_t multiplier = wasm_v128_load(opaque(&multipliers[0]));
    const v128_t lo = wasm_i64x2_add(wasm_i64x2_extmul_low_i32x4(doubled, multiplier), nudge);
    const v128_t hi = wasm_i64x2_add(wasm_i64x2_extmul_high_i32x4(doubled, multiplier), nudge);
    const v128_t y = wasm_i32x4_shuffle(lo, hi, 1, 3, 5, 7);
    return wasm_i32x4_shr(wasm_i32x4_add(y, wasm_i32x4_gt(half, y)), opaque(shift));
  }
};

// Saturating narrow of 8 rounded values to int16, plus the output zero point.
inline v128_t narrow_add_zero_point(v128_t lo, v128_t hi, v128_t zero_point) {
  return wasm_i16x8_add_sat(wasm_i16x8_narrow_i32x4(lo, hi), zero_point);
}

// The scalar definition for kGeneric layers: 4 accumulators to 4 finished int8 outputs.
inline void requantize_scalar(v128_t acc, const int32_t* arrays, size_t stride, size_t c,
                              const Q8Output& output, int8_t out[4], bool single_rounding = false) {
  int32_t lanes[4];
  wasm_v128_store(lanes, acc);
  for (size_t j = 0; j < 4; j++) {
    const Requantization r = {arrays[kQ8Multiplier * stride + c + j],
                              arrays[kQ8Shift * stride + c + j]};
    out[j] = q8_requantize(lanes[j], r, output, single_rounding);
  }
}

// SaturatingRoundingDoublingHighMul for multipliers m >= 0 (the saturating case needs
// m = INT32_MIN) and any x: the 64-bit products plus 2^30, doubled, keep their high halves,
// floor((x*m + 2^30) / 2^31).
inline v128_t high_mul(v128_t x, v128_t m) {
  const v128_t nudge = wasm_i64x2_splat(int64_t{1} << 30);
  v128_t lo = wasm_i64x2_add(wasm_i64x2_extmul_low_i32x4(x, m), nudge);
  v128_t hi = wasm_i64x2_add(wasm_i64x2_extmul_high_i32x4(x, m), nudge);
  lo = wasm_i64x2_shl(lo, 1);
  hi = wasm_i64x2_shl(hi, 1);
  return wasm_i32x4_shuffle(lo, hi, 1, 3, 5, 7);
}

// RoundingDivideByPOT with one exponent for all lanes and any x (mask form: no addition that
// could overflow). Exponent 0 is the identity.
struct RoundShift {
  int32_t exponent;
  v128_t mask, half;

  explicit RoundShift(int32_t e)
      : exponent(e),
        mask(wasm_i32x4_splat(static_cast<int32_t>((int64_t{1} << e) - 1))),
        half(wasm_i32x4_splat(static_cast<int32_t>(((int64_t{1} << e) - 1) >> 1))) {}

  v128_t operator()(v128_t z) const {
    const v128_t remainder = wasm_v128_and(z, mask);
    // threshold = half + (z < 0); comparisons give -1 for true, so subtract them.
    const v128_t threshold = wasm_i32x4_sub(half, wasm_i32x4_shr(z, 31));
    return wasm_i32x4_sub(wasm_i32x4_shr(z, exponent), wasm_i32x4_gt(remainder, threshold));
  }
};

// Stores the first count (0..16) bytes of v.
inline void store_i8_partial(int8_t* p, v128_t v, size_t count) {
  if (count >= 16) {
    wasm_v128_store(p, v);
    return;
  }
  int8_t lanes[16];
  wasm_v128_store(lanes, v);
  for (size_t i = 0; i < count; i++) p[i] = lanes[i];
}

}  // namespace mnv2::q8
