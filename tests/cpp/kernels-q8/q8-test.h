// Helpers shared by the integer kernel tests: seeded random tensors, weights in the two forms
// the models use (uint8 with a per-tensor zero point, int8 symmetric per channel), random
// requantization of the three packing modes, and TFLite's plain formula for one output.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "kernels/kernels-q8.h"

namespace mnv2_q8_test {

inline std::vector<int8_t> random_i8(std::mt19937& rng, size_t count, int lo = -128, int hi = 127) {
  std::uniform_int_distribution<int> dist(lo, hi);
  std::vector<int8_t> values(count);
  for (int8_t& v : values) v = static_cast<int8_t>(dist(rng));
  return values;
}

inline int32_t random_int(std::mt19937& rng, int32_t lo, int32_t hi) {
  return std::uniform_int_distribution<int32_t>(lo, hi)(rng);
}

// Weights as stored by the models, with their zero points: uint8 per tensor (zero point
// 0..255), or int8 symmetric per channel (zero point 0).
struct Weights {
  std::vector<int32_t> raw;          // stored integers, [n][...]
  std::vector<int32_t> zero_point;   // per output channel
  std::vector<int16_t> centred;      // raw - zero point, what the pack functions take
};

inline Weights random_weights(std::mt19937& rng, size_t channels, size_t per_channel_count,
                              bool uint8_style, bool channel_major) {
  Weights w;
  const size_t count = channels * per_channel_count;
  w.raw.resize(count);
  w.zero_point.assign(channels, 0);
  const int32_t tensor_zp = random_int(rng, 0, 255);
  for (size_t c = 0; c < channels; c++) w.zero_point[c] = uint8_style ? tensor_zp : 0;
  w.centred.resize(count);
  for (size_t i = 0; i < count; i++) {
    const size_t c = channel_major ? i / per_channel_count : i % channels;
    w.raw[i] = uint8_style ? random_int(rng, 0, 255) : random_int(rng, -127, 127);
    w.centred[i] = static_cast<int16_t>(w.raw[i] - w.zero_point[c]);
  }
  return w;
}

// kPerChannelWide spreads the scales over 2^-22 ... 2^-1 so that the SIMD twins need their
// clamped per-channel form; kPerChannel's narrower spread gives the unclamped one.
enum class Mode { kPerTensor, kPerChannel, kPerChannelWide, kGeneric };
inline const char* mode_name(Mode m) {
  switch (m) {
    case Mode::kPerTensor: return "per-tensor";
    case Mode::kPerChannel: return "per-channel";
    case Mode::kPerChannelWide: return "per-channel-wide";
    case Mode::kGeneric: return "generic";
  }
  return "";
}

// Multipliers that map a typical accumulator (terms of ~|typical| each, k of them) into the
// int8 range, varied per channel for kPerChannel; kGeneric adds left shifts (scales above 1)
// and shifts beyond the SIMD common-shift limit (scales below 2^-23).
inline std::vector<mnv2::q8::Requantization> random_requant(std::mt19937& rng, size_t channels,
                                                             size_t terms, Mode mode) {
  const double typical = 64.0 / (std::sqrt(double(terms)) * 74.0 * 100.0);
  std::uniform_real_distribution<double> spread(-3.0, 3.0);
  std::vector<mnv2::q8::Requantization> r(channels);
  const double tensor_scale = typical * std::exp2(spread(rng));
  for (size_t c = 0; c < channels; c++) {
    double scale = tensor_scale;
    if (mode != Mode::kPerTensor) scale = typical * std::exp2(spread(rng));
    if (mode == Mode::kPerChannelWide) scale = std::exp2(-random_int(rng, 1, 21)) * (1.0 + spread(rng) / 8.0);
    if (mode == Mode::kGeneric) {
      const int pick = random_int(rng, 0, 3);
      if (pick == 0) scale = std::exp2(random_int(rng, 0, 2)) * (1.0 + spread(rng) / 8.0);
      if (pick == 1) scale = std::exp2(-random_int(rng, 23, 30)) * (1.0 + spread(rng) / 8.0);
    }
    r[c] = mnv2::q8::quantize_multiplier(scale);
  }
  if (mode == Mode::kGeneric) r[0] = mnv2::q8::quantize_multiplier(2.5);  // always a left shift
  return r;
}

inline std::vector<int32_t> random_bias(std::mt19937& rng, size_t channels, int32_t magnitude) {
  std::vector<int32_t> b(channels);
  for (int32_t& v : b) v = random_int(rng, -magnitude, magnitude);
  return b;
}

inline mnv2::Q8Output random_output(std::mt19937& rng, bool relu6) {
  const int32_t zp = random_int(rng, -128, 127);
  if (!relu6) return {zp, -128, 127};
  // ReLU6 as TFLite clamps it: [max(-128, zp), min(127, zp + round(6 / scale))].
  return {zp, std::max(-128, zp), std::min(127, zp + random_int(rng, 50, 300))};
}

// TFLite's plain formula for one output, from the accumulator over centred terms.
inline int8_t tflite_output(int64_t centred_acc_plus_bias, mnv2::q8::Requantization r,
                            const mnv2::Q8Output& o) {
  return mnv2::q8_requantize(static_cast<int32_t>(centred_acc_plus_bias), r, o);
}

constexpr size_t kNoMismatch = static_cast<size_t>(-1);

inline size_t first_mismatch(const std::vector<int8_t>& got, const std::vector<int8_t>& want) {
  if (got.size() != want.size()) return 0;
  for (size_t i = 0; i < got.size(); i++) {
    if (got[i] != want[i]) return i;
  }
  return kNoMismatch;
}

inline std::string describe(size_t index, const std::vector<int8_t>& got,
                            const std::vector<int8_t>& want) {
  if (index == kNoMismatch) return "";
  std::ostringstream s;
  s << "first mismatch at " << index << ": got " << int(got[index]) << ", want "
    << int(want[index]);
  return s.str();
}

constexpr int8_t kSentinel = 0x5a;

}  // namespace mnv2_q8_test
