// The int8 LayerExecutor: the quantized model run the way TFLite's builtin kernels run it
// (uint8 per-tensor or int8 per-channel weights, int8/uint8 activations, fixed-point
// requantization, ReLU6 as a clamp of the quantized range), on the kernels of kernels-q8.h.
// uint8 tensors are shifted to int8 (q - 128, zero point - 128): the same arithmetic (see
// kernels-q8.h), one set of kernels. All parameters come from the TFLite graph through the
// weight file (convert-classifier.cc, convert-detector.cc), which must record every
// activation's quantization ("<layer>.out_q"); older files are refused with a message.
//
//   pixels (uint8 RGB, PIL's resize: model/pixel-rows.h) -> quantized input (TFLite's uint8
//   input, or its QUANTIZE to int8) -> stem 3x3/2 conv (im2col rows through the integer GEMM)
//   -> stages (1x1 expand, 3x3 depthwise, 1x1 project, residual ADD as TFLite's quantized ADD)
//   -> classifier: global average pool (AVERAGE_POOL_2D or MEAN, each rounded as TFLite
//      rounds it) -> fully connected -> SOFTMAX as TFLite's builtin kernel computes it for
//      8-bit tensors, read back like the model's output tensor -> dequantized;
//   -> detector: each predictor's output requantized to the concatenation's quantization (the
//      graph's QUANTIZE ops, TFLite's fixed-point Requantize); boxes dequantized; class logits
//      through the graph's LOGISTIC (sigmoid of the dequantized logit quantized to 1/256
//      steps, as TFLite's lookup table computes it), then dequantized like its DEQUANTIZE.
//      Both tails are tables over the 256 int8 values, one per predictor.
// tests/node/int8-vs-tflite.test.js checks scores and head tensors against the TFLite runtime
// itself (its builtin kernels; its XNNPACK delegate requantizes through float and differs).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "exec/layer-executor.h"
#include "kernels/kernels-q8.h"
#include "model/pixel-rows.h"
#include "model/q8-layer-weights.h"
#include "model/q8-pointwise.h"

namespace mnv2 {

class Q8Executor final : public LayerExecutor {
 public:
  explicit Q8Executor(const QuantizedKernelTable& kernels) : kernels_(&kernels) {}

  bool load(const WeightFileView& file, const NetworkDescription& network,
            std::string* error) override;
  void prepare(const NetworkPlan& plan) override;
  size_t value_bytes() const override { return 1; }
  size_t stem_scratch_bytes() const override { return im2col_rows_ * stem_row_bytes(); }
  size_t weight_bytes() const override;

  void set_image(const uint8_t* rgba, size_t width, size_t height, float crop) override;
  // Another source of pixels (tests: RGB bytes held in memory).
  void set_input(PixelRows* input) { input_ = input; }
  void read_input(size_t first, size_t count, void* out, size_t thread) override;

  void stem(const void* window, size_t rows, size_t pad_top, size_t out_begin, size_t out_end,
            void* output, size_t thread) override;
  void pointwise(size_t layer, size_t pixels, const void* input, void* output,
                 const void* residual) override;
  void depthwise(const Stage& stage, const RowWindow& rows, size_t out_begin, size_t out_end,
                 void* output, size_t thread) override;
  void predict(size_t layer, size_t pixels, const void* input, void* raw,
               float* decoded) override;

  const float* pool(const void* head) override;
  void fully_connected(size_t band) override;
  const float* softmax() override;

  // The integer tensors of the last classification (tests compare kernel tables on them).
  const std::vector<int8_t>& pooled() const { return pooled_; }
  const std::vector<int8_t>& logits() const { return logits_; }

 private:
  struct PackedLayer {
    Q8Pointwise pointwise;           // stem (an im2col GEMM), 1x1 convs, fully connected
    std::vector<int32_t> depthwise;  // packed depthwise weights
    Q8Output output{};               // the output's zero point and activation clamp
    Q8AddParams add{};               // a residual stage's ADD, on its project layer
    // A predictor's output value (q + 128) -> requantized concatenation value, and -> float.
    std::unique_ptr<int8_t[]> code;
    std::unique_ptr<float[]> value;
  };
  // Activation quantizations while loading: each layer's input is what produced it.
  struct Quantizations {
    std::vector<ActivationQuant> values;  // per value of the description
    bool ssd = false;                     // the detector's output quantizations are read
    ActivationQuant boxes{}, logits{}, scores{};
  };

  bool load_stage(const WeightFileView& file, const Stage& stage, Quantizations& q,
                  std::string* error);
  bool load_classifier(const WeightFileView& file, const ActivationQuant& head,
                       std::string* error);
  bool load_predictor_tables(const WeightFileView& file, PackedLayer& layer, bool box,
                             const ActivationQuant& raw, Quantizations& q, std::string* error);
  size_t stem_row_bytes() const;

  const QuantizedKernelTable* kernels_;
  const NetworkDescription* network_ = nullptr;
  const WorkSplit* classifier_bands_ = nullptr;
  std::vector<PackedLayer> packed_;

  // Input quantization: uint8 pixel -> int8 input value.
  int8_t input_table_[256] = {};
  int32_t input_zero_point_ = 0;
  ResizedPixels pixels_;
  PixelRows* input_ = nullptr;
  size_t im2col_rows_ = 0;
  std::vector<int8_t> im2col_;  // per thread: stem rows as [pixels][27]
  RowTables<int8_t> rows_;

  // The classifier (q8-classifier.cc).
  Q8PoolParams pool_{};
  ActivationQuant pool_quant_{}, logits_quant_{};
  q8_load::IntegerLayer logits_layer_;
  std::vector<Q8Pointwise> logits_bands_;  // packed per band of plan.classifier_bands()
  bool has_output_quant_ = false;
  float output_scale_ = 0.0f;
  int32_t output_zero_point_ = 0, output_min_ = 0, output_max_ = 0;  // the model's own domain
  float softmax_table_[256] = {};  // TFLite's SOFTMAX table
  bool softmax_uint8_ = false;     // the model's softmax output is uint8 (else int8)
  std::vector<int8_t> pooled_, logits_;
  std::vector<float> features_, probabilities_;
};

}  // namespace mnv2
