// TFLite's integer requantization, scalar: the definition every quantized kernel (and its SIMD
// twin) must reproduce bit for bit.
//
// A quantized tensor holds q with real = scale * (q - zero_point). An integer layer computes an
// int32 accumulator acc (bias + sum of (q_in - zp_in) * (q_w - zp_w)) whose real value is
// acc * scale_in * scale_w; the output is
//     q_out = clamp(zp_out + round(acc * M_real), act_min, act_max),
//     M_real = scale_in * scale_w / scale_out.
// TFLite (and gemmlowp before it) does not multiply by M_real in floating point. It writes
//     M_real = M / 2^31 * 2^shift,   M in [2^30, 2^31)
// once at preparation (QuantizeMultiplier: frexp, then M = round(fraction * 2^31)) and at run
// time computes
//     RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(acc * 2^max(shift, 0), M),
//                         max(-shift, 0))
// (MultiplyByQuantizedMultiplier). The two roundings are:
//   - SaturatingRoundingDoublingHighMul(a, b): the high 32 bits of 2*a*b, rounded to nearest
//     with ties toward +infinity (gemmlowp adds 2^30, or 1 - 2^30 for negative products, to
//     a*b and divides by 2^31 truncating; both cases equal floor((a*b + 2^30) / 2^31)); it
//     saturates the single overflowing case a = b = INT32_MIN to INT32_MAX.
//   - RoundingDivideByPOT(x, e): x / 2^e rounded to nearest with ties away from zero.
// Sources: gemmlowp's fixedpoint.h documentation of these two functions, TFLite's
// quantization spec (tensorflow.org/lite/performance/quantization_spec) and its
// kernels/internal/common.h description of MultiplyByQuantizedMultiplier. The code below is
// written from those formulas.
//
// Fused activations become the clamp range: ReLU6 is [max(qmin, zp), min(qmax, zp +
// round(6 / scale))], none is [qmin, qmax] (TFLite's CalculateActivationRangeQuantized).
#pragma once

#include <cstdint>
#include <limits>

namespace mnv2::q8 {

// One output channel's fixed-point multiplier: real = multiplier / 2^31 * 2^shift.
struct Requantization {
  int32_t multiplier;  // in [2^30, 2^31), or 0 for a zero scale
  int32_t shift;       // > 0: left shift of the accumulator first; < 0: rounding right shift
};

// QuantizeMultiplier: the fixed-point form of a positive real multiplier (computed in double,
// like TFLite). Reals too small for a 31-bit shift become multiplier 0.
Requantization quantize_multiplier(double real);

inline int32_t saturating_rounding_doubling_high_mul(int32_t a, int32_t b) {
  if (a == b && a == std::numeric_limits<int32_t>::min()) {
    return std::numeric_limits<int32_t>::max();
  }
  const int64_t product = int64_t{a} * int64_t{b};
  // floor((a*b + 2^30) / 2^31), written as an arithmetic shift of a value that cannot overflow.
  return static_cast<int32_t>((product + (int64_t{1} << 30)) >> 31);
}

// exponent in [0, 31].
inline int32_t rounding_divide_by_pot(int32_t x, int exponent) {
  const int32_t mask = static_cast<int32_t>((int64_t{1} << exponent) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

// Two's-complement wrapping multiply by 2^left_shift (TFLite multiplies in int32; wrapping is
// what its compiled code does and keeps this free of undefined behaviour).
inline int32_t wrapping_shift_left(int32_t x, int left_shift) {
  return static_cast<int32_t>(static_cast<uint32_t>(x) << left_shift);
}

inline int32_t multiply_by_quantized_multiplier(int32_t x, Requantization r) {
  const int left_shift = r.shift > 0 ? r.shift : 0;
  const int right_shift = r.shift > 0 ? 0 : -r.shift;
  return rounding_divide_by_pot(
      saturating_rounding_doubling_high_mul(wrapping_shift_left(x, left_shift), r.multiplier),
      right_shift);
}

// The single-rounding form that TFLite's convolutions with int8 weights use (their GEMM runs on
// ruy, whose requantization rounds once): round(x * multiplier / 2^(31 - shift)), ties toward
// +infinity, from the exact 64-bit product. It differs from the two roundings above only when
// the first one lands exactly on a tie of the second (measured on tf2_mobilenet_v2_1.0_224_ptq's
// stem: 544 of 401408 outputs; TFLite's runtime agreed with this form on all of them).
inline int32_t multiply_by_quantized_multiplier_single_rounding(int32_t x, Requantization r) {
  const int total_shift = 31 - r.shift;
  const int64_t rounded = int64_t{x} * int64_t{r.multiplier} + (int64_t{1} << (total_shift - 1));
  return static_cast<int32_t>(rounded >> total_shift);
}

// Wrapping int32 addition: accumulators follow TFLite's int32 arithmetic, whose overflow (not
// reachable with real models) wraps; computing through uint32 keeps the twins identical and
// free of undefined behaviour.
inline int32_t wrapping_add(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) + static_cast<uint32_t>(b));
}

inline int32_t clamp(int32_t v, int32_t lo, int32_t hi) { return v < lo ? lo : (v > hi ? hi : v); }

}  // namespace mnv2::q8
