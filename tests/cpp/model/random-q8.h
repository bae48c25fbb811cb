// What the random-weight generators (random-model.h, random-detector.h) add to a weight file so
// that the int8 engines run it too, without a TFLite model to convert: int32 biases and the
// one-element "<layer>.out_q" activation records, in the layout the converter writes them
// (tflite/convert-common.cc, add_activation_quant: the activation's type, its scale and zero
// point as the tensor's quantization, the zero point as the element). Weights stay as the
// generators store them (uint8 per tensor, int8 per channel); the float engines dequantize the
// same files, so one file drives both precisions.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "model/weight-writer.h"

namespace mnv2::testing {

// Adds `name` with random uint8 weights per tensor (zero point 128) uniform in +-range: the
// layout of TFLite's uint8 models, which both engines read.
void add_random_uint8(WeightFileBuilder& builder, std::mt19937& rng, const std::string& name,
                      const std::vector<uint32_t>& dims, float range);

// What a layer's output holds: a fused ReLU6 (0..6) or a linear value (about -6..6).
enum class Q8Range { kRelu6, kLinear };

class Q8Records {
 public:
  // int8 activations (zero points -128..127) or uint8 ones (TFLite's legacy models).
  explicit Q8Records(bool int8_activations) : int8_(int8_activations) {}

  // "<layer>.out_q" for an output in `range`.
  void activation(WeightFileBuilder& builder, const std::string& layer, Q8Range range) const;
  // "input.out_q": pixels normalized with mean 128 and std 128, i.e. (p - 128) / 128.
  void input(WeightFileBuilder& builder) const;
  // "<layer>.out_q" with the given scale; uint8_zero_point is the zero point as a uint8
  // tensor has it (an int8 one is 128 less: the same real values).
  void record(WeightFileBuilder& builder, const std::string& layer, float scale,
              int32_t uint8_zero_point) const;
  bool int8_activations() const { return int8_; }
  // An int32 bias of `count` small random values (the integer engines read the integers;
  // their scale is only checked for being positive).
  static void bias(WeightFileBuilder& builder, std::mt19937& rng, const std::string& name,
                   uint32_t count);

 private:
  bool int8_;
};

}  // namespace mnv2::testing
