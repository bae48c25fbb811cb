// What both TFLite converters (convert-classifier.h, convert-detector.h) return: the .mnv2
// bytes and a summary of the model, or an error; and the part of the summary every model has.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "model/weight-format.h"

namespace mnv2::tflite {

struct ModelSummary {
  float alpha = 0.0f;
  uint32_t input_size = 0;
  uint32_t num_classes = 0;  // a detector's without the background
  float input_mean = 0.0f;
  float input_std = 0.0f;
  size_t block_count = 0;
  size_t tensor_count = 0;
  TensorType weight_type = TensorType::kF32;
  bool per_channel = false;  // weights quantized per channel
  // Activations are quantized and their "<layer>.out_q" parameters were written (what the
  // integer engines need; see the converters).
  bool activation_quantization = false;
};

template <typename Summary>
struct ConversionResult {
  bool ok = false;
  std::string error;          // set when !ok
  std::vector<uint8_t> file;  // the .mnv2 bytes when ok
  Summary summary;
};

}  // namespace mnv2::tflite
