// Contracts of the integer kernels: int8 activations with zero points, TFLite's integer
// semantics (q8/requantize.h), NHWC, channels innermost.
//
// Like the float kernels (kernels.h), every kernel exists as `<name>__ref` (plain loops, the
// readable definition) and `<name>__wasmsimd` (SIMD128; SIMDe natively) with one signature,
// listed once in kernels-q8.def; both twins read the same packed weights and must agree bit
// for bit. uint8 models run through the same kernels: a uint8 tensor (q, zp) is the int8
// tensor (q - 128, zp - 128) with identical real values and identical integer arithmetic,
// since every formula only uses q - zp and clamps after adding zp.
//
// Packed weights (pack-q8.cc, run once at load) are int32 words: a small header, then per
// group of output channels the requantization (bias with the input zero point folded in,
// multiplier, shift, and two helper values for the SIMD twins), then the weights minus their
// zero point as int16, paired along k for i32x4.dot_i16x8_s (GEMM) or per tap (depthwise).
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/q8/requantize.h"

namespace mnv2 {

// Output channels per packed GEMM block (4 vectors of 4 int32 accumulators).
constexpr size_t kQ8GemmBlock = 16;
// Channel padding of packed depthwise weights (one i16x8 vector).
constexpr size_t kQ8DwBlock = 8;

// The output side of a requantizing kernel: zero point, then the clamp [min, max] (the fused
// activation, within [-128, 127]).
struct Q8Output {
  int32_t zero_point;
  int32_t min;
  int32_t max;
};

// How a packed layer's SIMD twin requantizes (decided at pack time from all its channels).
// Both fast modes need a proof, from the packed weights and biases, that every accumulator
// stays below 2^30 in magnitude (|bias| + max|input| * sum|w|); then 2 * acc fits int32, and
// one 64-bit product per lane gives TFLite's two roundings at once: with the nudge
// C = 2^31 + 2^(31+e),
//     y = high32(2 * acc * M + C) = SaturatingRoundingDoublingHighMul(acc, M) + 2^(e-1),
//     RoundingDivideByPOT(., e) = (y - [y < 2^(e-1)]) >> e      (e = 0: C = 2^31, y itself).
//   kUniform:    every channel has the same right shift E (per-tensor models): C, 2^(E-1) and
//                the shift are constants of the layer.
//   kPerChannel: right shifts e <= E <= kQ8MaxCommonShift differ per channel: C and 2^(e-1)
//                come from per-channel arrays; the value before the shift is clamped to
//                +-2^(e+8) (beyond which every output saturates anyway) and multiplied by
//                2^(E-e), so that one shift by E divides every lane by its own 2^e exactly.
//   kPerChannelBounded: the same without the clamp, when the accumulator bound proves that
//                the scaled values cannot overflow int32 (most per-channel layers).
//   kGeneric:    anything else (left shifts, larger shifts, accumulators that might reach
//                2^30): the twin requantizes each accumulator with the scalar definition.
enum class Q8RequantMode : int32_t {
  kUniform = 0,
  kPerChannel = 1,
  kPerChannelBounded = 2,
  kGeneric = 3,
};
constexpr int32_t kQ8MaxCommonShift = 22;
constexpr int32_t kQ8MaxUniformShift = 30;
constexpr int64_t kQ8MaxAccumulator = (int64_t{1} << 30) - 1;

// Packed layout shared by both twins; word offsets.
// Header: mode, common shift E, input zero point (depthwise), rounding, then (GEMM) the weight
// layout and the weight offset.
constexpr size_t kQ8HeaderWords = 6;
// Header word 3 of a packed GEMM: 1 when it requantizes with one rounding
// (q8::multiply_by_quantized_multiplier_single_rounding, TFLite's convolutions with int8
// weights), 0 for TFLite's two roundings (uint8 convolutions, depthwise). A single-rounding
// layer never takes kUniform; in the per-channel modes its arrays hold the nudge 2^(31+e) and no
// sign correction (half = INT32_MIN), which makes y >> e = floor((acc * M + 2^(30+e)) / 2^(31+e)).
constexpr size_t kQ8RoundingWord = 3;
// Header words 4 and 5 of a packed GEMM: its Q8GemmLayout, and the offset z added to every
// weight in the kU8Quads layout (0 in kI16Pairs).
constexpr size_t kQ8LayoutWord = 4;
constexpr size_t kQ8WeightOffsetWord = 5;
// Requantization arrays of one channel group of `group` channels, in this order, each
// `group` words long except the nudge (2 words, one int64, per channel). The reference twins
// read bias, multiplier and shift; the rest serve the SIMD twins.
enum Q8RequantArray : size_t {
  kQ8Bias = 0,
  kQ8Multiplier,
  kQ8Shift,
  kQ8Half,       // 2^(e-1), INT32_MIN for e = 0 (no correction)
  kQ8Bound,      // 2^(e+8) (kPerChannel)
  kQ8NegBound,   // -2^(e+8)
  kQ8ScaleUp,    // 2^(E-e)
  kQ8Nudge,      // int64 2^31 + 2^(31+e), or 2^31 for e = 0
};
constexpr size_t kQ8ArrayWords = kQ8Nudge + 2;  // per channel of a group

// ---- Packing (shared by both twins) -----------------------------------------------------

// GEMM / 1x1 conv / fully connected. weights: [n][k] minus their zero point (int16, |w| <=
// 255), bias: [n] int32, requant: [n]. input_zero_point is folded into the bias
// (bias - zp_in * sum_k w), so the kernel multiplies raw int8 inputs.
// packed: header, then per block of 16 channels: the requantization arrays (16 * kQ8ArrayWords),
// then the weights in one of two layouts (header word kQ8LayoutWord):
//  - kI16Pairs: ceil(k/2) rows of 16 words, word j of row p = int16 pair (w[j][2p], w[j][2p+1])
//    (zero past k and past n): the operand of i32x4.dot_i16x8_s.
//  - kU8Quads: ceil(k/4) rows of 16 words, word j of row q = the 4 bytes w[j][4q..4q+3] + z as
//    uint8 (0 past k and past n), z = the layer's weight offset (header word
//    kQ8WeightOffsetWord) that brings every weight into [0, 255]: the unsigned operand of
//    relaxed SIMD's i32x4.relaxed_dot_i8x16_i7x16_add_s where it multiplies unsigned by signed
//    bytes exactly (q8_usdot_exact). The kernel then subtracts z * (sum of the row's inputs).
//    Only for weights that span at most 256 values (qs8_gemm_fitting_layout).
enum class Q8GemmLayout : int32_t {
  kI16Pairs = 0,
  kU8Quads = 1,
};
// `wanted` if the `count` weights fit it, else kI16Pairs (which every layer fits).
Q8GemmLayout qs8_gemm_fitting_layout(size_t count, const int16_t* weights, Q8GemmLayout wanted);
size_t qs8_gemm_packed_words(size_t k, size_t n, Q8GemmLayout layout = Q8GemmLayout::kI16Pairs);
void qs8_gemm_pack(size_t k, size_t n, const int16_t* weights, const int32_t* bias,
                   int32_t input_zero_point, const q8::Requantization* requant,
                   int32_t* packed, bool single_rounding = false,
                   Q8GemmLayout layout = Q8GemmLayout::kI16Pairs);

// Depthwise 3x3: weights [3][3][c] minus their zero point, bias [c], requant [c].
// packed: header (input zero point in word 2), the requantization arrays (group = cp words
// each, cp = round_up(c, 8)), the interior bias (cp words: bias - zp_in * sum of the 9 taps,
// for pixels whose window lies inside the input, which then take raw inputs), then per group
// of 8 channels 40 words: for each tap pair p = 0..4 (taps 2p and 2p + 1, tap 9 being zero)
// two vectors, channels 0-3 then 4-7, each word the int16 pair (w[2p][c], w[2p+1][c]) - the
// operand layout of i32x4.dot_i16x8_s on two taps' inputs interleaved. Zero padded.
// Padding taps contribute nothing (a padded input is the input zero point, real 0).
constexpr size_t kQ8DwTapPairs = 5;
size_t qs8_dwconv3x3_packed_words(size_t channels);
void qs8_dwconv3x3_pack(size_t channels, const int16_t* weights, const int32_t* bias,
                        int32_t input_zero_point, const q8::Requantization* requant,
                        int32_t* packed);

// ---- Parameters of the elementwise kernels ----------------------------------------------

// TFLite's quantized ADD: both inputs are centred, scaled up by 2^left_shift (20), brought to
// a common scale (twice the larger input scale) by their multipliers, added, and requantized
// to the output.
struct Q8AddParams {
  int32_t a_zero_point, b_zero_point;
  int32_t left_shift;
  q8::Requantization a, b, output_requant;
  Q8Output output;
};
Q8AddParams q8_add_params(float a_scale, int32_t a_zero_point, float b_scale,
                          int32_t b_zero_point, float output_scale, Q8Output output);

// Global average pool, in one of two TFLite forms, chosen by the operator the model has:
//  - AVERAGE_POOL_2D over the whole map (mean = false): sum of (q - zp_in) over the pixels,
//    requantized by scale_in / scale_out, divided by the pixel count rounding half away from
//    zero, plus zp_out, clamped. TFLite requires equal input and output quantization there,
//    so the requantization is the identity and this is its rounded average exactly.
//  - MEAN over H and W (mean = true), as TFLite's builtin kernel computes it for int8/uint8
//    (checked bit for bit against the TFLite runtime, tests/node/int8-vs-tflite.test.js): the
//    sum of the stored values in the model's own type (uint8 models: q + 128), multiplied by
//    the fixed-point form of the float scale_in / (pixels * scale_out), plus a bias
//    zp_out - (int)(zp_in * scale_in / scale_out rounded half away in float), clamped. Its
//    roundings differ from the average pool's, by one step on ~8% of a real model's channels.
struct Q8PoolParams {
  int32_t input_zero_point;
  q8::Requantization requant;
  Q8Output output;
  bool mean = false;
  int32_t model_offset = 0;  // 128 for uint8 models (stored value = int8 value + 128), else 0
  q8::Requantization mean_requant{};
  int32_t mean_bias = 0;     // in the model's own type
};
Q8PoolParams q8_pool_params(float input_scale, int32_t input_zero_point, float output_scale,
                            Q8Output output);
// MEAN's parameters for `pixels` pixels; zero points in the int8 domain as everywhere here.
Q8PoolParams q8_mean_params(float input_scale, int32_t input_zero_point, float output_scale,
                            size_t pixels, bool uint8_model, Q8Output output);

// One channel's pooled value from the sum of its int8 values over `count` pixels: the part of
// the pool that __ref and its SIMD twin share, so both round alike.
inline int8_t q8_pool_output(int32_t sum, int32_t count, const Q8PoolParams& p) {
  int64_t value;
  if (p.mean) {
    const int32_t scaled =
        q8::multiply_by_quantized_multiplier(sum + count * p.model_offset, p.mean_requant);
    value = int64_t{scaled} + p.mean_bias - p.model_offset;
  } else {
    const int32_t scaled =
        q8::multiply_by_quantized_multiplier(sum - count * p.input_zero_point, p.requant);
    // C++ division truncates, so adding half the divisor away from zero rounds half away. In
    // 64 bits: a requantized sum near the int32 limits (hostile scales) overflowed the int32
    // addition (a fuzz-weight-file finding); real pools are far from it and round the same.
    const int64_t wide = scaled;
    const int64_t mean = wide > 0 ? (wide + count / 2) / count : (wide - count / 2) / count;
    value = mean + p.output.zero_point;
  }
  return static_cast<int8_t>(value < p.output.min ? p.output.min
                                                  : (value > p.output.max ? p.output.max : value));
}

// The output value of one accumulator: q8::multiply_by_quantized_multiplier, plus the zero
// point, clamped. The addition is exact (64-bit) where TFLite's int32 addition would wrap:
// the two differ only for accumulators within 2^7 of int32 overflow, which no real layer
// produces, and the SIMD twins saturate the same way.
inline int8_t q8_requantize(int32_t acc, q8::Requantization r, const Q8Output& output,
                            bool single_rounding = false) {
  const int32_t scaled = single_rounding ? q8::multiply_by_quantized_multiplier_single_rounding(acc, r)
                                         : q8::multiply_by_quantized_multiplier(acc, r);
  const int64_t value = int64_t{scaled} + output.zero_point;
  return static_cast<int8_t>(value < output.min ? output.min
                                                : (value > output.max ? output.max : value));
}

// ---- Kernel signatures ------------------------------------------------------------------

// c[m][n] = requantize(a[m][k] . w[k][n] + bias) with packed weights; strides in bytes.
using qs8_gemm_fn = void(size_t m, size_t k, size_t n, const int8_t* a, size_t a_stride,
                         const int32_t* packed, int8_t* c, size_t c_stride,
                         const Q8Output& output);

// Depthwise 3x3 (stride 1 or 2, one kernel each), same row interface as the float kernel:
// input_rows[iy] points at input row iy ([in_w][channels]); only the rows the output rows
// [out_row_begin, out_row_end) need are read. Output points at row out_row_begin.
using qs8_dwconv3x3_fn = void(const int8_t* const* input_rows, size_t in_h, size_t in_w,
                              size_t channels, size_t pad_top, size_t pad_left,
                              const int32_t* packed, int8_t* output, size_t out_w,
                              size_t out_row_begin, size_t out_row_end,
                              const Q8Output& requant_output);

// out[i] = a[i] + b[i] in TFLite's quantized ADD arithmetic; out may alias a or b.
using qs8_vadd_fn = void(size_t n, const int8_t* a, const int8_t* b, int8_t* out,
                         const Q8AddParams& params);

// output[c] = the average over pixels of input[p][c] (see Q8PoolParams).
using qs8_global_avgpool_fn = void(const int8_t* input, size_t pixels, size_t channels,
                                   int8_t* output, const Q8PoolParams& params);

// ---- Declarations of every listed kernel ------------------------------------------------
#define MNV2_Q8_KERNEL(name, type) \
  type name##__ref;                \
  type name##__wasmsimd;
#include "kernels-q8.def"
#undef MNV2_Q8_KERNEL

// The single place that picks the integer implementations (select-q8.cc).
struct QuantizedKernelTable {
#define MNV2_Q8_KERNEL(name, type) type* name;
#include "kernels-q8.def"
#undef MNV2_Q8_KERNEL
  // The weight layout to pack GEMMs in for this table's qs8_gemm_minmax (every GEMM twin
  // reads both layouts; this one is its fast one).
  Q8GemmLayout gemm_layout;
};

const QuantizedKernelTable& reference_q8_kernels();
const QuantizedKernelTable& simd_q8_kernels();

// qs8_gemm_minmax's relaxed-SIMD twin: kU8Quads packings on i32x4.relaxed_dot_i8x16_i7x16_add_s
// (16 multiply-adds per instruction), kI16Pairs packings as __wasmsimd. Exact, and so bit for
// bit equal to __ref, only where q8_usdot_exact() holds.
qs8_gemm_fn qs8_gemm_minmax__wasmrelaxedsimd;

// Whether the relaxed integer dot product computes, on this machine, every unsigned-by-signed
// byte product exactly and adds them with wrapping int32 arithmetic (x86 with AVX-VNNI under
// V8: vpdpbusd). Relaxed SIMD lets engines differ here (x86 without VNNI saturates pairs to
// int16, Arm multiplies signed by signed); each engine must be consistent, so one check at
// first use, of the micro-kernel itself on operands that tell the variants apart, decides.
// False where the relaxed kernels are not installed.
bool q8_usdot_exact();

// simd_q8_kernels() with qs8_gemm_minmax__wasmrelaxedsimd and the kU8Quads layout; only for
// use where q8_usdot_exact().
const QuantizedKernelTable& relaxed_simd_q8_kernels();

// The integer kernels an int8 model runs where the float kernels would be `float_kernels`:
// the relaxed twins when those are relaxed_simd_kernels() and q8_usdot_exact(), else
// simd_q8_kernels(). So asking for relaxed SIMD means its integer kernels wherever they are
// exact, and the SIMD128 ones elsewhere.
struct KernelTable;
const QuantizedKernelTable& q8_kernels_for(const KernelTable& float_kernels);

}  // namespace mnv2
