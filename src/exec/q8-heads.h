// The int8 network's heads as TFLite's builtin kernels compute them (used by q8-executor.cc):
// the classifier's 8-bit SOFTMAX, and the tables that turn a detector predictor's int8 output
// into the graph's concatenated outputs and their floats.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "model/q8-layer-weights.h"
#include "model/weight-file.h"

namespace mnv2 {

inline float dequantized(int32_t q, const ActivationQuant& quant) {
  return quant.scale * static_cast<float>(q - quant.zero_point);
}

// The class probabilities from the fully connected layer's int8 logits: TFLite's SOFTMAX for
// 8-bit tensors read back like the model's output tensor, or, for a model without SOFTMAX,
// the softmax of the dequantized logits in float.
class Q8Softmax {
 public:
  // logits: the fully connected layer's output quantization; uint8_model: whether the model
  // stores its activations as uint8 (TFLite's SOFTMAX rounds in the stored type).
  bool load(const WeightFileView& file, const ActivationQuant& logits, bool uint8_model,
            std::string* error);
  void run(const int8_t* logits, size_t n, float* probabilities) const;

 private:
  ActivationQuant logits_{};
  bool uint8_model_ = false;
  bool has_output_ = false;  // the model's output tensor (after SOFTMAX and any QUANTIZE)
  float output_scale_ = 0.0f;
  int32_t output_zero_point_ = 0, output_min_ = 0, output_max_ = 0;  // in its own type
  float table_[256] = {};  // TFLite's SOFTMAX table
};

// The detector's output quantizations: the concatenated box encodings, the concatenated class
// logits and the LOGISTIC's scores.
struct SsdOutputQuant {
  ActivationQuant boxes, logits, scores;
};
bool read_ssd_output_quant(const WeightFileView& file, SsdOutputQuant* out, std::string* error);

// A predictor's int8 output value (q + 128) -> its value in the concatenated output, and that
// value's float: box encodings requantized to the concatenation (the graph's QUANTIZE) and
// dequantized; class logits requantized, through the LOGISTIC, dequantized.
struct Q8OutputTable {
  int8_t code[256];
  float value[256];
};
void build_output_table(bool box, const ActivationQuant& raw, const SsdOutputQuant& outputs,
                        Q8OutputTable* table);

}  // namespace mnv2
