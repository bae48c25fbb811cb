// What the two TFLite converters (convert-classifier.h, convert-detector.h) share: the error
// they throw inside and turn into a result at their boundary, the width multipliers MobileNetV2
// is published for, the checks of the image input, the labels and one convolution (options,
// shapes, types, quantization), and the writing of the header, constant tensors and activation
// quantization records into a .mnv2 file, so that both accept the same layers and write the
// same bytes for the same tensor.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "model/architecture.h"
#include "model/weight-writer.h"
#include "tflite/conversion-result.h"
#include "tflite/conv-layer.h"
#include "tflite/error-boundary.h"
#include "tflite/tflite-reader.h"

namespace mnv2::tflite {

// Thrown by the converters' checks and turned into the result's error at their API boundary.
struct ConvertError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

[[noreturn]] inline void fail(const std::string& message) { throw ConvertError(message); }

// A converter's API boundary: convert()'s result, or the error it threw (error-boundary.h).
template <typename Result, typename Convert>
Result converting(Convert&& convert) {
  return reporting_errors<ConvertError, Result>("converting the model", convert);
}

// The graph of a TFLite file, for a converter; fails with the reader's error.
Graph read_graph_or_fail(const uint8_t* tflite, size_t size);

// The width multipliers MobileNetV2 checkpoints are published for.
inline constexpr float kAlphas[] = {0.35f, 0.5f, 0.75f, 1.0f, 1.3f, 1.4f};

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

// Fails unless the graph input is one square RGB image, [1,S,S,3]; records S and the engine's
// input normalization (pixel - mean) / std in the summary: from the input's quantization, or
// MobileNetV2's [-1, 1] convention for a float input.
void check_image_input(const Tensor& input, ModelSummary* summary);

// Fails unless there is one label per class.
void check_label_count(const std::vector<std::string>& labels, size_t classes);

// How a shape mismatch is worded for a MobileNetV2 of this width multiplier:
// "MobileNetV2 alpha 0.35 needs" (see check_shape).
std::string alpha_needs(float alpha);

// Checks MobileNetV2's feature extractor against `arch` for an in_size x in_size input: the 3x3
// stride-2 stem, every block (an expand convolution exactly where the architecture has one,
// the depthwise convolution with its stride, the linear project, a residual ADD without
// activation exactly where the architecture has one) and the 1x1 head; returns the head's
// output size. blocks.size() must be arch.blocks.size().
size_t check_backbone(const ConvLayer& stem, const std::vector<BackboneBlock>& blocks,
                      const ConvLayer& head, const ArchitectureShape& arch, size_t in_size,
                      const std::string& needs);

// The .mnv2 element type of a TFLite tensor the checks admitted (UINT8, INT8, INT32, FLOAT32).
TensorType stored_type(ElementType type);

// Writes a constant tensor under `name` with the given shape (the tensor's own by default) and
// its quantization; fails with the builder's message.
void add_tensor(WeightFileBuilder& builder, const std::string& name, const Tensor& t,
                const std::vector<int32_t>& shape);
inline void add_tensor(WeightFileBuilder& builder, const std::string& name, const Tensor& t) {
  add_tensor(builder, name, t, t.shape);
}

// Writes a layer's weights and bias as "<name>.w" and "<name>.b", the weights with the given
// shape (their own by default).
void add_layer(WeightFileBuilder& builder, const std::string& name, const ConvLayer& l,
               const std::vector<int32_t>& weight_shape);
inline void add_layer(WeightFileBuilder& builder, const std::string& name, const ConvLayer& l) {
  add_layer(builder, name, l, l.weights->shape);
}

// Writes the feature extractor's weights: "stem", "block<i>.expand" / ".dw" / ".project",
// "head".
void add_backbone_layers(WeightFileBuilder& builder, const ConvLayer& stem,
                         const std::vector<BackboneBlock>& blocks, const ConvLayer& head);

// The header of a weight file: the model's kind, the summary's input size, alpha, class count
// and input normalization, and the labels.
void start_weight_file(WeightFileBuilder& builder, ModelKind kind, const ModelSummary& summary,
                       const std::vector<std::string>& labels);

// The finished file; fails with the builder's message. Records the tensor count.
std::vector<uint8_t> finish_weight_file(WeightFileBuilder& builder, ModelSummary* summary);

// Whether an activation tensor holds quantized integers (UINT8 or INT8).
bool quantized_activation(const Tensor& t);

// Writes "<layer>.out_q": a one-element tensor of the activation's type whose quantization is
// the activation's (one scale, one zero point) and whose element is the zero point. Fails for
// an activation that is not quantized per tensor.
void add_activation_quant(WeightFileBuilder& builder, const std::string& layer, const Tensor& t);

// Writes the feature extractor's activation quantization: "input" (what the stem reads),
// "stem", "block<i>.expand" / ".dw" / ".project" / ".add" (residual ADD), "head".
void add_backbone_activation_quants(WeightFileBuilder& builder, const ConvLayer& stem,
                                    const std::vector<BackboneBlock>& blocks,
                                    const ConvLayer& head);

}  // namespace mnv2::tflite
