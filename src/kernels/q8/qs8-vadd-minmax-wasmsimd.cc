// Integer elementwise ADD, SIMD128: 16 elements per step, each widened to 4 vectors of int32,
// centred, scaled up by 2^left_shift, brought to the common scale, added and requantized.
//
// Every value here is bounded: |q - zp| <= 255, so the shifted inputs stay below 2^28 and
// their rescaled sum below 2^29, which lets each requantization use the one-product form
// (UniformRequantizer). The input with the larger scale has the real multiplier 1/2 exactly
// (multiplier 2^30, no shift), which is an exact halving: it becomes a shift by left_shift - 1.
// Multipliers outside that form (a left shift, an output scale below 2^-30 of the inputs') and
// the last n % 16 elements take the scalar definition.
#include "kernels/kernels-q8.h"
#include "kernels/q8/simd-requantize.h"
#include "kernels/simd.h"

namespace mnv2 {
namespace {

bool is_half(q8::Requantization r) { return r.multiplier == (1 << 30) && r.shift == 0; }

struct Side {
  v128_t zero_point;  // i16x8
  bool half;          // the multiplier is exactly 1/2
  q8::UniformRequantizer requant;

  Side(int32_t zp, const q8::Requantization& r)
      : zero_point(wasm_i16x8_splat(static_cast<int16_t>(zp))), half(is_half(r)), requant(r) {}

  // kLeftShift: the left shift as a constant (TFLite's 20), or kRuntimeLeftShift to use
  // left_shift; V8 compiles a shift by a constant to one instruction, by a variable to four.
  template <int kLeftShift>
  v128_t scale(v128_t centred, int32_t left_shift) const {
    if constexpr (kLeftShift > 0) {
      if (half) return wasm_i32x4_shl(centred, kLeftShift - 1);
      return requant(wasm_i32x4_shl(centred, kLeftShift));
    } else {
      if (half) return wasm_i32x4_shl(centred, q8::opaque(left_shift - 1));
      return requant(wasm_i32x4_shl(centred, q8::opaque(left_shift)));
    }
  }
};

constexpr int kRuntimeLeftShift = -1;
constexpr int kTfliteLeftShift = 20;  // what q8_add_params (like TFLite) always sets

// The full 16-element steps; returns how many elements were done.
template <int kLeftShift>
size_t add_vectors(size_t n, const int8_t* a, const int8_t* b, int8_t* out, const Side& sa,
                   const Side& sb, const q8::UniformRequantizer& output, const Q8AddParams& p) {
  const v128_t zero_point = wasm_i16x8_splat(static_cast<int16_t>(p.output.zero_point));
  const v128_t vmin = wasm_i8x16_splat(static_cast<int8_t>(p.output.min));
  const v128_t vmax = wasm_i8x16_splat(static_cast<int8_t>(p.output.max));
  const int32_t ls = p.left_shift;
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const v128_t va = wasm_v128_load(a + i);
    const v128_t vb = wasm_v128_load(b + i);
    // |q - zp| <= 255 fits int16.
    const v128_t a16[2] = {wasm_i16x8_sub(wasm_i16x8_extend_low_i8x16(va), sa.zero_point),
                           wasm_i16x8_sub(wasm_i16x8_extend_high_i8x16(va), sa.zero_point)};
    const v128_t b16[2] = {wasm_i16x8_sub(wasm_i16x8_extend_low_i8x16(vb), sb.zero_point),
                           wasm_i16x8_sub(wasm_i16x8_extend_high_i8x16(vb), sb.zero_point)};
    v128_t r[4];
    for (size_t h = 0; h < 2; h++) {
      const v128_t a32[2] = {wasm_i32x4_extend_low_i16x8(a16[h]), wasm_i32x4_extend_high_i16x8(a16[h])};
      const v128_t b32[2] = {wasm_i32x4_extend_low_i16x8(b16[h]), wasm_i32x4_extend_high_i16x8(b16[h])};
      for (size_t q = 0; q < 2; q++) {
        r[2 * h + q] = output(wasm_i32x4_add(sa.scale<kLeftShift>(a32[q], ls),
                                             sb.scale<kLeftShift>(b32[q], ls)));
      }
    }
    const v128_t lo = q8::narrow_add_zero_point(r[0], r[1], zero_point);
    const v128_t hi = q8::narrow_add_zero_point(r[2], r[3], zero_point);
    wasm_v128_store(out + i, wasm_i8x16_min(wasm_i8x16_max(wasm_i8x16_narrow_i16x8(lo, hi), vmin), vmax));
  }
  return i;
}

}  // namespace

void qs8_vadd_minmax__wasmsimd(size_t n, const int8_t* a, const int8_t* b, int8_t* out,
                               const Q8AddParams& p) {
  using q8::UniformRequantizer;
  if (!UniformRequantizer::covers(p.a) || !UniformRequantizer::covers(p.b) ||
      !UniformRequantizer::covers(p.output_requant) || p.left_shift < 1 || p.left_shift > 20) {
    qs8_vadd_minmax__ref(n, a, b, out, p);
    return;
  }
  const Side sa(p.a_zero_point, p.a), sb(p.b_zero_point, p.b);
  const UniformRequantizer output(p.output_requant);
  const size_t i = p.left_shift == kTfliteLeftShift
                       ? add_vectors<kTfliteLeftShift>(n, a, b, out, sa, sb, output, p)
                       : add_vectors<kRuntimeLeftShift>(n, a, b, out, sa, sb, output, p);
  if (i < n) qs8_vadd_minmax__ref(n - i, a + i, b + i, out + i, p);
}

}  // namespace mnv2
