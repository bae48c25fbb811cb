// Packing of the integer kernels' weights, run once at load time (layouts in kernels-q8.h).
// Besides the weights this precomputes everything per channel that does not depend on the
// data: the bias with the input zero point folded in (GEMM), and what the SIMD twins need to
// requantize all lanes with one shift count, after proving their accumulators stay below 2^30
// (see Q8RequantMode).
#include <algorithm>
#include <cstdlib>
#include <vector>

#include "kernels/kernels.h"
#include "kernels/kernels-q8.h"
#include "kernels/q8/packed.h"

namespace mnv2 {
namespace {

struct ModeChoice {
  Q8RequantMode mode;
  int32_t common_shift;  // E
};

// bounds[c]: the largest |accumulator| any input can produce in channel c.
ModeChoice choose_mode(size_t n, const q8::Requantization* requant, const int64_t* bounds,
                       bool single_rounding = false) {
  int32_t lo = 0, hi = 0;
  bool left_shift = false;
  int64_t max_bound = 0;
  for (size_t c = 0; c < n; c++) {
    left_shift = left_shift || requant[c].shift > 0;
    const int32_t e = -requant[c].shift;
    lo = c == 0 ? e : std::min(lo, e);
    hi = c == 0 ? e : std::max(hi, e);
    max_bound = std::max(max_bound, bounds[c]);
  }
  if (left_shift || max_bound > kQ8MaxAccumulator) return {Q8RequantMode::kGeneric, 0};
  if (lo == hi && hi <= kQ8MaxUniformShift && !single_rounding) return {Q8RequantMode::kUniform, hi};
  if (hi > kQ8MaxCommonShift) return {Q8RequantMode::kGeneric, 0};
  // Without the clamp, lane c scales y - 1 (|y| <= |acc| * M / 2^31 + 1 + 2^(e-1)) by 2^(E-e).
  for (size_t c = 0; c < n; c++) {
    const int32_t e = -requant[c].shift;
    const int64_t y = (bounds[c] * int64_t{requant[c].multiplier} >> 31) + 2 +
                      (e == 0 ? 0 : int64_t{1} << (e - 1));
    if ((y << (hi - e)) > INT32_MAX) return {Q8RequantMode::kPerChannel, hi};
  }
  return {Q8RequantMode::kPerChannelBounded, hi};
}

void write_header(int32_t* packed, const ModeChoice& choice, int32_t input_zero_point,
                  bool single_rounding = false) {
  packed[0] = static_cast<int32_t>(choice.mode);
  packed[1] = choice.common_shift;
  packed[2] = input_zero_point;
  packed[kQ8RoundingWord] = single_rounding ? 1 : 0;
  packed[kQ8LayoutWord] = static_cast<int32_t>(Q8GemmLayout::kI16Pairs);
  packed[kQ8WeightOffsetWord] = 0;
}

// The requantization arrays of one group of `group` channels starting at channel `first`
// (channels past n are padding: zero multiplier, the common shift).
void write_requant(int32_t* arrays, size_t group, size_t first, size_t n, const int32_t* bias,
                   const q8::Requantization* requant, const ModeChoice& choice,
                   bool single_rounding = false) {
  for (size_t j = 0; j < group; j++) {
    const size_t c = first + j;
    const bool real = c < n;
    q8::Requantization r = real ? requant[c] : q8::Requantization{0, -choice.common_shift};
    const int32_t e = std::max(0, -r.shift);
    arrays[kQ8Bias * group + j] = real ? bias[c] : 0;
    arrays[kQ8Multiplier * group + j] = r.multiplier;
    arrays[kQ8Shift * group + j] = r.shift;
    arrays[kQ8Half * group + j] = e == 0 || single_rounding ? INT32_MIN : int32_t{1} << (e - 1);
    const bool scaled = choice.mode == Q8RequantMode::kPerChannel ||
                        choice.mode == Q8RequantMode::kPerChannelBounded;
    const bool clamped = choice.mode == Q8RequantMode::kPerChannel;
    arrays[kQ8Bound * group + j] = clamped ? int32_t{1} << (e + 8) : INT32_MAX;
    arrays[kQ8NegBound * group + j] = clamped ? -(int32_t{1} << (e + 8)) : INT32_MIN;
    arrays[kQ8ScaleUp * group + j] = scaled ? int32_t{1} << (choice.common_shift - e) : 1;
    // Two roundings: 2^31 (the high multiply's) + 2^(31+e) (the shift's, before the sign
    // correction); one rounding: 2^(31+e) alone (2^31 for e = 0, where both forms agree).
    const int64_t nudge = single_rounding ? int64_t{1} << (31 + e)
                                          : (int64_t{1} << 31) + (e == 0 ? 0 : int64_t{1} << (31 + e));
    arrays[kQ8Nudge * group + 2 * j] = static_cast<int32_t>(static_cast<uint64_t>(nudge));
    arrays[kQ8Nudge * group + 2 * j + 1] = static_cast<int32_t>(static_cast<uint64_t>(nudge) >> 32);
  }
}

int32_t pair_word(int16_t lo, int16_t hi) {
  return static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint16_t>(lo)) |
                              (static_cast<uint32_t>(static_cast<uint16_t>(hi)) << 16));
}

// Per channel, |bias| + max|input| * sum|w|: a bound on every accumulator.
std::vector<int64_t> accumulator_bounds(size_t n, size_t terms, size_t channel_stride,
                                        size_t term_stride, const int16_t* weights,
                                        const int32_t* bias, int64_t max_input) {
  std::vector<int64_t> bounds(n);
  for (size_t c = 0; c < n; c++) {
    int64_t sum = 0;
    for (size_t t = 0; t < terms; t++) sum += std::abs(int64_t{weights[c * channel_stride + t * term_stride]});
    bounds[c] = std::abs(int64_t{bias[c]}) + max_input * sum;
  }
  return bounds;
}

}  // namespace

Q8GemmLayout qs8_gemm_fitting_layout(size_t count, const int16_t* weights, Q8GemmLayout wanted) {
  if (wanted != Q8GemmLayout::kU8Quads || count == 0) return wanted;
  // One offset z with every w + z in [0, 255] exists when the weights span at most 256 values
  // (always for weights that came from one byte each).
  const auto [lowest, highest] = std::minmax_element(weights, weights + count);
  return int32_t{*highest} - *lowest <= 255 ? wanted : Q8GemmLayout::kI16Pairs;
}

size_t qs8_gemm_packed_words(size_t k, size_t n, Q8GemmLayout layout) {
  const size_t blocks = round_up(n, kQ8GemmBlock) / kQ8GemmBlock;
  const size_t rows = layout == Q8GemmLayout::kU8Quads ? (k + 3) / 4 : (k + 1) / 2;
  return kQ8HeaderWords + blocks * kQ8GemmBlock * (kQ8ArrayWords + rows);
}

void qs8_gemm_pack(size_t k, size_t n, const int16_t* weights, const int32_t* bias,
                   int32_t input_zero_point, const q8::Requantization* requant,
                   int32_t* packed, bool single_rounding, Q8GemmLayout layout) {
  // Folded bias: sum_k (a - zp) * w + b = sum_k a * w + (b - zp * sum_k w), in wrapping int32
  // arithmetic like the accumulation itself.
  std::vector<int32_t> folded(n);
  for (size_t c = 0; c < n; c++) {
    uint32_t sum = 0;
    for (size_t kk = 0; kk < k; kk++) sum += static_cast<uint32_t>(int32_t{weights[c * k + kk]});
    folded[c] = static_cast<int32_t>(static_cast<uint32_t>(bias[c]) -
                                     static_cast<uint32_t>(input_zero_point) * sum);
  }
  // The kernel multiplies raw int8 inputs (|a| <= 128) after the folded bias.
  const std::vector<int64_t> bounds = accumulator_bounds(n, k, k, 1, weights, folded.data(), 128);
  const ModeChoice choice = choose_mode(n, requant, bounds.data(), single_rounding);
  // kU8Quads: the offset z = -min(w) brings every weight into [0, 255].
  if (qs8_gemm_fitting_layout(n * k, weights, layout) != layout) std::abort();  // caller's bug
  const int32_t offset = layout == Q8GemmLayout::kU8Quads && n * k != 0
                             ? -int32_t{*std::min_element(weights, weights + n * k)}
                             : 0;
  write_header(packed, choice, input_zero_point, single_rounding);
  packed[kQ8LayoutWord] = static_cast<int32_t>(layout);
  packed[kQ8WeightOffsetWord] = offset;
  int32_t* out = packed + kQ8HeaderWords;
  const auto weight = [&](size_t c, size_t kk) -> int32_t {
    return c < n && kk < k ? int32_t{weights[c * k + kk]} : 0;
  };
  for (size_t block = 0; block < n; block += kQ8GemmBlock) {
    write_requant(out, kQ8GemmBlock, block, n, folded.data(), requant, choice, single_rounding);
    out += kQ8ArrayWords * kQ8GemmBlock;
    if (layout == Q8GemmLayout::kU8Quads) {
      for (size_t q = 0; q < (k + 3) / 4; q++) {
        for (size_t j = 0; j < kQ8GemmBlock; j++) {
          uint32_t word = 0;
          for (size_t b = 0; b < 4; b++) {
            const size_t c = block + j, kk = 4 * q + b;
            const uint32_t value = c < n && kk < k ? static_cast<uint32_t>(weight(c, kk) + offset) : 0;
            word |= value << (8 * b);
          }
          *out++ = static_cast<int32_t>(word);
        }
      }
    } else {
      for (size_t p = 0; p < (k + 1) / 2; p++) {
        for (size_t j = 0; j < kQ8GemmBlock; j++) {
          const size_t c = block + j;
          *out++ = pair_word(static_cast<int16_t>(weight(c, 2 * p)),
                             static_cast<int16_t>(weight(c, 2 * p + 1)));
        }
      }
    }
  }
}

size_t qs8_dwconv3x3_packed_words(size_t channels) {
  const size_t cp = round_up(channels, kQ8DwBlock);
  return kQ8HeaderWords + (kQ8ArrayWords + 1) * cp + cp / kQ8DwBlock * kQ8DwTapPairs * 8;
}

void qs8_dwconv3x3_pack(size_t channels, const int16_t* weights, const int32_t* bias,
                        int32_t input_zero_point, const q8::Requantization* requant,
                        int32_t* packed) {
  const size_t cp = round_up(channels, kQ8DwBlock);
  // Full groups of 8 channels take raw inputs (|q| <= 128) at every pixel, edges included
  // (padding reads the zero point), with the zero point folded into this `interior` bias; only
  // a partial last group takes centred inputs (|q - zp| <= 255) with the plain bias.
  std::vector<int32_t> interior(cp, 0);
  for (size_t c = 0; c < channels; c++) {
    uint32_t sum = 0;
    for (size_t t = 0; t < 9; t++) sum += static_cast<uint32_t>(int32_t{weights[t * channels + c]});
    interior[c] = static_cast<int32_t>(static_cast<uint32_t>(bias[c]) -
                                       static_cast<uint32_t>(input_zero_point) * sum);
  }
  std::vector<int64_t> bounds = accumulator_bounds(channels, 9, 1, channels, weights, bias, 255);
  const std::vector<int64_t> interior_bounds =
      accumulator_bounds(channels, 9, 1, channels, weights, interior.data(), 128);
  for (size_t c = 0; c < channels; c++) bounds[c] = std::max(bounds[c], interior_bounds[c]);
  const ModeChoice choice = choose_mode(channels, requant, bounds.data());
  write_header(packed, choice, input_zero_point);
  int32_t* arrays = packed + kQ8HeaderWords;
  write_requant(arrays, cp, 0, channels, bias, requant, choice);
  std::copy(interior.begin(), interior.end(), arrays + kQ8ArrayWords * cp);
  int32_t* taps = arrays + (kQ8ArrayWords + 1) * cp;
  const auto weight = [&](size_t t, size_t c) -> int16_t {
    return c < channels && t < 9 ? weights[t * channels + c] : 0;
  };
  // Word w of the taps holds int16 values 2w and 2w + 1; dw_tap_index gives their places.
  const size_t words = cp / kQ8DwBlock * kQ8DwTapPairs * 8;
  std::vector<int16_t> values(2 * words, 0);
  for (size_t c = 0; c < cp; c++) {
    for (size_t t = 0; t < 2 * kQ8DwTapPairs; t++) values[q8::dw_tap_index(t, c)] = weight(t, c);
  }
  for (size_t w = 0; w < words; w++) taps[w] = pair_word(values[2 * w], values[2 * w + 1]);
}

}  // namespace mnv2
