// Reading one integer layer out of a weight file for the int8 executor (exec/q8-executor.h):
// the activation quantization the converter records ("<layer>.out_q"), the integer weights
// minus their zero points with the int32 bias and TFLite's per-channel requantization, checked
// against the shape the network description implies, then packed for the q8 kernels.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "kernels/kernels-q8.h"
#include "model/q8-pointwise.h"
#include "model/weight-file.h"

namespace mnv2 {

// One activation tensor's quantization in the int8 domain.
struct ActivationQuant {
  float scale;
  int32_t zero_point;  // -128..127 (a uint8 tensor's zero point minus 128)
};

namespace q8_load {

// "<layer>.out_q": an activation's scale and zero point (see convert-classifier.cc).
bool read_activation(const WeightFileView& file, const std::string& layer, ActivationQuant* out,
                     std::string* error);
Q8Output relu6_output(const ActivationQuant& q);   // TFLite's clamp for a fused ReLU6
Q8Output linear_output(const ActivationQuant& q);  // no activation: the whole int8 range

// A convolution's integer weights (minus their zero points), int32 bias and per-channel
// requantization from `input` to `output`. channel_axis: the output channel's axis (0 for
// OHWI convolutions, 3 for 1HWC depthwise).
struct IntegerLayer {
  std::vector<int16_t> weights;
  std::vector<int32_t> bias;
  std::vector<q8::Requantization> requant;
  bool single_rounding = false;  // as a convolution (GEMM); depthwise layers ignore it
};
bool read_layer(const WeightFileView& file, const std::string& layer,
                const std::vector<size_t>& dims, size_t channel_axis,
                const ActivationQuant& input, const ActivationQuant& output, IntegerLayer* out,
                std::string* error);

// A 1x1 conv "<layer>.w" [out_c][1][1][in_c] with its int32 bias, packed for the GEMM.
bool read_pointwise(const WeightFileView& file, const std::string& layer, size_t in_c,
                    size_t out_c, const ActivationQuant& input, const ActivationQuant& output,
                    Q8GemmLayout layout, Q8Pointwise* packed, std::string* error);
// A depthwise 3x3 "<layer>.w" [1][3][3][channels], packed for the depthwise kernels.
bool read_depthwise(const WeightFileView& file, const std::string& layer, size_t channels,
                    const ActivationQuant& input, const ActivationQuant& output,
                    std::vector<int32_t>* packed, std::string* error);

}  // namespace q8_load
}  // namespace mnv2
