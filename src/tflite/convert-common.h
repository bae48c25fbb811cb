// What the two TFLite converters (convert-classifier.h, convert-detector.h) share: the error
// they throw inside and turn into a result at their boundary, the width multipliers MobileNetV2
// is published for, the checks of one convolution (options, shapes, types, quantization), and
// the writing of constant tensors and activation quantization records into a .mnv2 file, so
// that both accept the same layers and write the same bytes for the same tensor.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "model/weight-writer.h"
#include "tflite/conv-layer.h"
#include "tflite/tflite-reader.h"

namespace mnv2::tflite {

// Thrown by the converters' checks and turned into the result's error at their API boundary.
struct ConvertError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

[[noreturn]] inline void fail(const std::string& message) { throw ConvertError(message); }

// The width multipliers MobileNetV2 checkpoints are published for.
inline constexpr float kAlphas[] = {0.35f, 0.5f, 0.75f, 1.0f, 1.3f, 1.4f};

// "[1,224,224,3]", for messages.
std::string shape_text(const std::vector<int32_t>& shape);

// "operator #12 (CONV_2D, block 3 expand)", for messages.
std::string layer_ref(const ConvLayer& l);

// What one convolution must look like.
struct ConvExpected {
  size_t out_channels, kernel, in_channels, stride;
  Activation activation;
  bool depthwise;
};

// Fails unless tensor `what` of the layer has the expected shape. `needs` introduces the
// expected shape in the message ("expected", "MobileNetV2 alpha 1 needs").
void check_shape(const ConvLayer& l, const Tensor& t, const char* what,
                 const std::vector<int32_t>& expected, const std::string& needs = "expected");

// Fails unless weights and bias are FLOAT32 / FLOAT32 or UINT8, INT8 / INT32 with usable
// quantization (positive finite scales, zero points in range, per channel only along
// weight_channel_axis).
void check_types(const ConvLayer& l, size_t weight_channel_axis);

// Checks a convolution's options (stride, dilation, SAME padding, activation, depth
// multiplier), shapes over an in_size x in_size input and types; returns its output size.
size_t check_conv(const ConvLayer& l, const ConvExpected& e, size_t in_size,
                  const std::string& needs = "expected");

// The .mnv2 element type of a TFLite tensor the checks admitted (UINT8, INT8, INT32, FLOAT32).
TensorType stored_type(ElementType type);

// Writes a constant tensor under `name` with the given shape (the tensor's own by default) and
// its quantization; fails with the builder's message.
void add_tensor(WeightFileBuilder& builder, const std::string& name, const Tensor& t,
                const std::vector<int32_t>& shape);
inline void add_tensor(WeightFileBuilder& builder, const std::string& name, const Tensor& t) {
  add_tensor(builder, name, t, t.shape);
}

// Whether an activation tensor holds quantized integers (UINT8 or INT8).
bool quantized_activation(const Tensor& t);

// Writes "<layer>.out_q": a one-element tensor of the activation's type whose quantization is
// the activation's (one scale, one zero point) and whose element is the zero point. Fails for
// an activation that is not quantized per tensor.
void add_activation_quant(WeightFileBuilder& builder, const std::string& layer, const Tensor& t);

// The engine's input normalization (pixel - mean) / std from the graph input's quantization;
// MobileNetV2's [-1, 1] convention for a float input. Fails for an unusable input type.
void input_normalization(const Tensor& input, float* mean, float* std);

}  // namespace mnv2::tflite
