// TFLite MobileNetV2 classifier -> .mnv2 weight file.
//
// The graph is walked from its input, following tensors rather than assuming operator or
// tensor positions: stem CONV_2D, then inverted residual blocks (optional 1x1 expand CONV_2D,
// DEPTHWISE_CONV_2D, 1x1 project CONV_2D, ADD when residual), the 1x1 head CONV_2D,
// AVERAGE_POOL_2D or MEAN, the classifier CONV_2D / FULLY_CONNECTED, then RESHAPE / SQUEEZE /
// SOFTMAX / (DE)QUANTIZE up to the graph output. Every operator must be used by that walk.
//
// The width multiplier alpha is inferred from the channel counts, then every layer is checked
// against mobilenet_v2_architecture(alpha): weight, bias and activation shapes, strides, SAME
// padding, 3x3 kernels, fused activations (RELU6 after stem/expand/depthwise/head, none after
// project and logits), element types and quantization. Errors name the operator index.
//
// Quantized graphs also get every activation's scale and zero point as "<layer>.out_q"
// tensors (listed at add_activation_quants in convert-classifier.cc) for the integer engine.
//
// Weights keep their stored integers and quantization: uint8 or int8 weights (per tensor, or
// per channel along the output channel: axis 0 for OHWI convs, axis 3 for 1HWC depthwise),
// int32 biases; float32 models are stored as float32. Classifier weights from a
// FULLY_CONNECTED [N][C] are stored as [N][1][1][C] like those of a 1x1 CONV_2D (same bytes).
//
// input_mean / input_std, the preprocessing (pixel - mean) / std that gives the real input
// value, come from the graph input's quantization (real = scale * (q - zero_point)):
//   uint8 input: q is the pixel, so mean = zero_point, std = 1 / scale
//                (the TF1 model: zero point 128, scale 1/128 -> mean 128, std 128);
//   int8 input:  TFLite's int8 image convention feeds q = pixel - 128, so
//                mean = zero_point + 128, std = 1 / scale;
//   float input: the file does not say; MobileNetV2 is trained on [-1, 1] inputs, so
//                mean = 127.5, std = 127.5.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "tflite/conversion-result.h"
#include "tflite/tflite-reader.h"

namespace mnv2::tflite {

// per_channel: any weight is quantized per channel.
using ClassifierSummary = ModelSummary;
using ConvertResult = ConversionResult<ClassifierSummary>;

// labels: one per class, index 0 first; their count must equal the classifier's outputs.
ConvertResult convert_classifier(const Graph& graph, const std::vector<std::string>& labels);

// read_tflite() followed by convert_classifier().
ConvertResult convert_classifier(const uint8_t* tflite, size_t size,
                                 const std::vector<std::string>& labels);

// Reads a label file: every line is a label (empty lines too, so a stray blank line shows up as
// a count mismatch instead of shifting classes), '\n' or "\r\n" line ends, the last line end
// optional. Returns false and sets *error when the file cannot be read.
bool read_label_file(const std::string& path, std::vector<std::string>* labels,
                     std::string* error);

// The bytes of a whole file; false and *error set when it cannot be read.
bool read_binary_file(const std::string& path, std::vector<uint8_t>* bytes, std::string* error);

}  // namespace mnv2::tflite
