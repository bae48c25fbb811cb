// Preparation-time arithmetic of the integer kernels: fixed-point multipliers (TFLite's
// QuantizeMultiplier) and the parameters of ADD and average pooling, from tensor scales.
#include <algorithm>
#include <cmath>

#include "kernels/kernels-q8.h"
#include "kernels/q8/requantize.h"

namespace mnv2 {
namespace q8 {

Requantization quantize_multiplier(double real) {
  if (!(real > 0.0) || !std::isfinite(real)) return {0, 0};
  int exponent = 0;
  const double fraction = std::frexp(real, &exponent);  // real = fraction * 2^exponent
  int64_t fixed = static_cast<int64_t>(std::round(fraction * static_cast<double>(int64_t{1} << 31)));
  if (fixed == (int64_t{1} << 31)) {  // the fraction rounded up to 1.0
    fixed /= 2;
    ++exponent;
  }
  // Below 2^-31 every accumulator rounds to zero: TFLite stores that as a zero multiplier
  // rather than an out-of-range shift. Above 2^30 the left shift could not be represented.
  if (exponent < -31) return {0, 0};
  if (exponent > 30) return {std::numeric_limits<int32_t>::max(), 30};
  return {static_cast<int32_t>(fixed), exponent};
}

}  // namespace q8

Q8AddParams q8_add_params(float a_scale, int32_t a_zero_point, float b_scale,
                          int32_t b_zero_point, float output_scale, Q8Output output) {
  // TFLite's 8-bit ADD preparation: inputs are scaled up by 2^20 so that bringing them to a
  // common scale (twice the larger one, making both multipliers <= 1/2) loses no precision.
  Q8AddParams p;
  p.a_zero_point = a_zero_point;
  p.b_zero_point = b_zero_point;
  p.left_shift = 20;
  const double twice_max = 2.0 * std::max<double>(a_scale, b_scale);
  p.a = q8::quantize_multiplier(static_cast<double>(a_scale) / twice_max);
  p.b = q8::quantize_multiplier(static_cast<double>(b_scale) / twice_max);
  p.output_requant = q8::quantize_multiplier(
      twice_max / (static_cast<double>(int64_t{1} << p.left_shift) * output_scale));
  p.output = output;
  return p;
}

Q8PoolParams q8_pool_params(float input_scale, int32_t input_zero_point, float output_scale,
                            Q8Output output) {
  Q8PoolParams p;
  p.input_zero_point = input_zero_point;
  // Equal scales give the exact identity (multiplier 2^30, left shift 1).
  p.requant = q8::quantize_multiplier(static_cast<double>(input_scale) / output_scale);
  p.output = output;
  return p;
}

Q8PoolParams q8_mean_params(float input_scale, int32_t input_zero_point, float output_scale,
                            size_t pixels, bool uint8_model, Q8Output output) {
  Q8PoolParams p;
  p.input_zero_point = input_zero_point;
  p.output = output;
  p.mean = true;
  p.model_offset = uint8_model ? 128 : 0;
  // TFLite computes both in float, in this order, then takes the multiplier from the float.
  const float count = static_cast<float>(pixels);
  const float real_scale = input_scale / (count * output_scale);
  p.mean_requant = q8::quantize_multiplier(static_cast<double>(real_scale));
  float zero = static_cast<float>(input_zero_point + p.model_offset) * input_scale / output_scale;
  zero = zero > 0.0f ? zero + 0.5f : zero - 0.5f;
  // Hostile scales (a file's, not a real model's) can put this far past int32, where the cast
  // is undefined (a fuzz-weight-file finding): beyond +-2^30 every output clamps anyway.
  constexpr float kLimit = 1073741824.0f;  // 2^30
  if (!(zero > -kLimit)) zero = -kLimit;     // NaN too
  if (zero > kLimit) zero = kLimit;
  p.mean_bias = output.zero_point + p.model_offset - static_cast<int32_t>(zero);
  return p;
}

}  // namespace mnv2
