// Helpers shared by the integer kernel tests: seeded random tensors, weights in the two forms
// the models use (uint8 with a per-tensor zero point, int8 symmetric per channel), random
// requantization of the three packing modes, a random layer made of them, and TFLite's plain
// formula for one output. The comparison and the check of twins are kernel-test.h's.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "kernels/kernel-test.h"
#include "kernels/kernels-q8.h"

namespace mnv2_q8_test {

using mnv2_test::check_matches;
using mnv2_test::check_twins;
using mnv2_test::Conv3x3Shape;
using mnv2_test::describe;
using mnv2_test::dwconv3x3_shapes;
using mnv2_test::first_mismatch;
using mnv2_test::for_each_output;
using mnv2_test::input_rows;
using mnv2_test::InputRows;
using mnv2_test::kNoMismatch;
using mnv2_test::pad_image;
using mnv2_test::PaddedImage;
using mnv2_test::row_ranges;
using mnv2_test::RowRange;

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

// A layer's parameters as the models store them, drawn in this order: weights of `channels`
// output channels (`terms` each, channel-major or not), bias, requantization of `mode`, input
// zero point, output quantization (ReLU6 or linear). The kernels' packing is left to the caller.
struct LayerParams {
  Weights w;
  std::vector<int32_t> bias;
  std::vector<mnv2::q8::Requantization> requant;
  int32_t input_zero_point;
  mnv2::Q8Output output;
};

inline LayerParams random_layer_params(std::mt19937& rng, size_t channels, size_t terms,
                                        bool uint8_style, bool channel_major,
                                        int32_t bias_magnitude, Mode mode, bool relu6) {
  LayerParams l;
  l.w = random_weights(rng, channels, terms, uint8_style, channel_major);
  l.bias = random_bias(rng, channels, bias_magnitude);
  l.requant = random_requant(rng, channels, terms, mode);
  l.input_zero_point = random_int(rng, -128, 127);
  l.output = random_output(rng, relu6);
  return l;
}

// TFLite's plain formula for one output, from the accumulator over centred terms.
inline int8_t tflite_output(int64_t centred_acc_plus_bias, mnv2::q8::Requantization r,
                            const mnv2::Q8Output& o) {
  return mnv2::q8_requantize(static_cast<int32_t>(centred_acc_plus_bias), r, o);
}

constexpr int8_t kSentinel = 0x5a;

}  // namespace mnv2_q8_test
