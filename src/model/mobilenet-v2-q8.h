// MobileNetV2 on integers, with TFLite's integer semantics: the quantized model runs the way
// TFLite runs it (uint8 per-tensor or int8 per-channel weights, int8/uint8 activations,
// fixed-point requantization, ReLU6 as a clamp of the quantized range), on the kernels of
// kernels-q8.h. uint8 tensors are shifted to int8 (q - 128, zero point - 128): the same
// arithmetic (see kernels-q8.h), one set of kernels.
//
// What runs, per the weight file (all parameters from the TFLite graph, see
// convert-classifier.cc):
//   pixels (uint8 RGB) -> quantized input (TFLite's uint8 input, or its QUANTIZE to int8)
//   -> stem 3x3/2 conv (im2col rows through the integer GEMM) -> 17 bottleneck blocks
//   (1x1 expand, 3x3 depthwise, 1x1 project, residual ADD) -> 1x1 head conv -> global average
//   pool (AVERAGE_POOL_2D or MEAN, each rounded as TFLite rounds it) -> classifier -> logits
//   -> SOFTMAX as TFLite's builtin kernel computes it for 8-bit tensors (a float table of exp
//   values, a float sum, rounding to the 8-bit output), read back like the model's output
//   tensor (the uint8 scores TFLite returns) -> dequantized.
// tests/node/int8-vs-tflite.test.js checks the scores against the TFLite runtime itself (its
// builtin kernels; its XNNPACK delegate requantizes through float and differs).
//
// Blocks on maps of 28x28 and more run in bands of rows (expand rows into a small ring,
// depthwise, project); every other layer's output is materialized (int8 tensors are a quarter
// of the float engine's). All of it lives in one arena planned at load time (MemoryPlan), so
// inference allocates nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "kernels/kernels-q8.h"
#include "model/architecture.h"
#include "model/memory-plan.h"
#include "model/mobilenet-v2.h"
#include "model/q8-pointwise.h"
#include "model/weight-file.h"

namespace mnv2 {

// Where the integer network's input comes from: rows of uint8 RGB pixels, the values a
// decoder and resizer hand TFLite's uint8 input tensor.
class PixelRows {
 public:
  virtual ~PixelRows() = default;
  // Writes rows [first, first + count) of the [size][size][3] pixels to out.
  virtual void read_pixel_rows(size_t first, size_t count, uint8_t* out) = 0;
};

// One activation tensor's quantization in the int8 domain.
struct ActivationQuant {
  float scale;
  int32_t zero_point;  // -128..127 (a uint8 tensor's zero point minus 128)
};

// Loading helpers shared by the integer networks (defined in mobilenet-v2-q8.cc).
namespace q8_load {
// "<layer>.out_q": an activation's scale and zero point (see convert-classifier.cc).
bool read_activation(const WeightFileView& file, const std::string& layer, ActivationQuant* out,
                     std::string* error);
Q8Output relu6_output(const ActivationQuant& q);   // TFLite's clamp for a fused ReLU6
Q8Output linear_output(const ActivationQuant& q);  // no activation: the whole int8 range
// A 1x1 conv "<layer>.w" [out_c][1][1][in_c] with its int32 bias, packed for the GEMM.
bool read_pointwise(const WeightFileView& file, const std::string& layer, size_t in_c,
                    size_t out_c, const ActivationQuant& input, const ActivationQuant& output,
                    Q8Pointwise* packed, std::string* error);
// A depthwise 3x3 "<layer>.w" [1][3][3][channels], packed for the depthwise kernels.
bool read_depthwise(const WeightFileView& file, const std::string& layer, size_t channels,
                    const ActivationQuant& input, const ActivationQuant& output,
                    std::vector<int32_t>* packed, std::string* error);
}  // namespace q8_load

class MobileNetV2Q8 {
 public:
  // Returns false and sets *error when the file is not a quantized MobileNetV2 classifier
  // with activation quantization (files converted before it was recorded, float models and
  // detectors are refused with a message saying so).
  bool load(const WeightFileView& file, const QuantizedKernelTable& kernels,
            std::string* error);

  size_t input_size() const { return input_size_; }
  size_t feature_size() const { return arch_.head_channels; }
  size_t num_classes() const { return num_classes_; }
  MemoryStats memory_stats() const;
  // Rows in the order and with the names of MobileNetV2::summary(); activation bytes are
  // this engine's (int8) live tensors; after load_backbone() they end at the head conv.
  std::vector<LayerSummary> summary() const;
  void set_profiling(bool on) { profiling_ = on; }
  const std::vector<double>& layer_ms() const { return layer_ms_; }

  // Runs the network; returns the pooled features dequantized (feature_size() floats), valid
  // until the next call.
  const float* features(PixelRows& input);
  // Class probabilities from the last features() (num_classes() floats).
  const float* classify();

  // The integer tensors of the last run (tests compare engines on them).
  const std::vector<int8_t>& pooled() const { return pooled_; }
  const std::vector<int8_t>& logits() const { return logits_; }

  // SSDLite's backbone (ssdlite-q8.h): loads the stem, the blocks and the head only, from a
  // classifier or a detector file, and keeps the expansion output of block keep_block alive
  // to the end of a run; run_backbone() runs the network up to the head conv.
  bool load_backbone(const WeightFileView& file, const QuantizedKernelTable& kernels,
                     size_t keep_block, std::string* error);
  void run_backbone(PixelRows& input);
  const ArchitectureShape& architecture() const { return arch_; }
  size_t block_input_size(size_t block) const { return blocks_[block].in_h; }
  size_t head_size() const { return final_size_; }
  const int8_t* expansion(size_t block) { return tensor(blocks_[block].expanded_tensor); }
  const int8_t* head_output() { return tensor(head_tensor_); }

 private:
  static constexpr size_t kNone = static_cast<size_t>(-1);

  struct Block {
    BlockShape shape;
    size_t in_h, in_w, out_h, out_w, pad_top, pad_left;
    Q8Pointwise expand, project;
    std::vector<int32_t> depthwise;  // packed
    Q8Output expand_out, depthwise_out, project_out;
    Q8AddParams add;
    size_t expanded_tensor = kNone, depthwise_tensor = kNone, output_tensor = kNone;
    size_t first_step = 0, last_step = 0;
    // Set by plan() (band_plan()): the block runs in bands of band_rows output rows through an
    // expand ring of ring_rows rows; band_rows 0: every tensor is materialized.
    size_t band_rows = 0, ring_rows = 0;
  };

  bool load_layers(const WeightFileView& file, const QuantizedKernelTable& kernels,
                   std::string* error);
  void plan();
  int8_t* tensor(size_t id) { return arena_.data() + plan_.offset(id); }
  void run_stem(const int8_t* image, int8_t* output);
  void run_block(Block& block, const int8_t* input, int8_t* output);
  void run_block_in_bands(Block& block, const int8_t* input, int8_t* output);

  const QuantizedKernelTable* kernels_ = nullptr;
  ArchitectureShape arch_;
  size_t input_size_ = 0, num_classes_ = 0;
  size_t stem_size_ = 0, stem_pad_ = 0, final_size_ = 0;

  // Input quantization: uint8 pixel -> int8 input value.
  int8_t input_table_[256] = {};
  int32_t input_zero_point_ = 0;

  Q8Pointwise stem_, head_, logits_packed_;
  Q8Output stem_out_{}, head_out_{}, logits_out_{};
  std::vector<Block> blocks_;
  Q8PoolParams pool_{};
  ActivationQuant head_quant_{}, pool_quant_{}, logits_quant_{};
  size_t keep_block_ = kNone;  // load_backbone(): the block whose expansion outlives it
  bool has_output_quant_ = false;
  float output_scale_ = 0.0f;
  int32_t output_zero_point_ = 0, output_min_ = 0, output_max_ = 0;  // the model's own domain
  float softmax_table_[256] = {};  // TFLite's SOFTMAX table (classify())
  bool softmax_uint8_ = false;     // the model's softmax output is uint8 (else int8)

  MemoryPlan plan_;
  std::vector<int8_t> arena_;
  std::vector<uint8_t> pixels_;   // one row band of input pixels
  std::vector<int8_t> im2col_;    // stem rows as [pixels][27]
  size_t image_tensor_ = kNone, stem_tensor_ = kNone, head_tensor_ = kNone;
  size_t stem_step_ = 0, head_step_ = 0;
  std::vector<const int8_t*> rows_;
  std::vector<int8_t> pooled_, logits_;
  std::vector<float> features_, probabilities_;
  bool profiling_ = false;
  std::vector<double> layer_ms_;
};

}  // namespace mnv2
