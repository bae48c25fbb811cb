// SSDLite on integers: the quantized detector run with TFLite's integer semantics, the way
// the int8 SSDLite .tflite graph runs it (see ssdlite.h for the network itself).
//
//   uint8 pixels -> MobileNetV2Q8's backbone (load_backbone: stem, blocks, head; block 13's
//   expansion kept) -> extra layers (1x1 / depthwise 3x3 stride 2 / 1x1, ReLU6) -> on every
//   map the box and class predictors (depthwise 3x3 ReLU6, linear 1x1), all on the q8 kernels
//   with fixed-point requantization -> each predictor's int8 output requantized to the
//   concatenation's quantization (the graph's QUANTIZE ops, TFLite's fixed-point Requantize)
//   -> boxes: dequantized; class logits: the graph's LOGISTIC, i.e. sigmoid of the dequantized
//   logit quantized to the LOGISTIC's output (1/256 steps) as TFLite's lookup-table kernel and
//   the reference runtime compute it, then dequantized like the graph's DEQUANTIZE.
// Both tails are tables over the 256 int8 values, one per predictor. The float outputs then go
// through the float engine's box decoding, anchors and NMS unchanged (api/detector.h).
//
// Needs a weight file with activation quantization ("<layer>.out_q", convert-detector.cc).
// Single-threaded; weights are packed and every buffer is sized at load: run() allocates
// nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "kernels/kernels-q8.h"
#include "model/anchors.h"
#include "model/mobilenet-v2-q8.h"
#include "model/postprocess-params.h"
#include "model/weight-file.h"

namespace mnv2 {

class SSDLiteQ8 {
 public:
  // Returns false and sets *error when the file is not a quantized SSDLite detector with
  // activation quantization.
  bool load(const WeightFileView& file, const QuantizedKernelTable& kernels, std::string* error);

  size_t input_size() const { return backbone_.input_size(); }
  size_t num_classes() const { return num_classes_; }  // without the background
  size_t num_anchors() const { return anchors_.size(); }
  const std::vector<Anchor>& anchors() const { return anchors_; }
  const PostprocessParams& postprocess() const { return postprocess_; }
  size_t score_stride() const { return num_classes_ + 1; }
  size_t feature_map_count() const { return maps_.size(); }

  // Runs the network on [input_size][input_size] RGB pixels. Afterwards box_encodings() holds
  // [num_anchors][4] (ty, tx, th, tw) and class_scores() [num_anchors][score_stride()]
  // sigmoid scores (column 0 the background), as the float engine's outputs; both valid until
  // the next call.
  void run(PixelRows& input);
  const float* box_encodings() const { return encodings_.data(); }
  const float* class_scores() const { return scores_.data(); }

  // The integer tensors behind them (tests compare kernel tables on these): the concatenated
  // box encodings and the LOGISTIC's output, in the graph's quantization.
  const std::vector<int8_t>& box_codes() const { return box_codes_; }
  const std::vector<int8_t>& score_codes() const { return score_codes_; }

  // The layers and memory as SSDLite::summary() / memory_stats() report them
  // (ssdlite-q8-summary.cc), with this engine's int8 activations (1 byte per value).
  std::vector<LayerSummary> summary() const;
  MemoryStats memory_stats() const;

 private:
  struct Extra {
    size_t in_size, out_size;
    size_t in_channels, mid_channels, out_channels;
    Q8Pointwise expand, project;
    std::vector<int32_t> depthwise;  // packed
    Q8Output expand_out, depthwise_out, project_out;
    ActivationQuant output_quant;
    std::vector<int8_t> output;
  };
  struct FeatureMap {
    size_t size, channels, anchors_per_cell, first_anchor;
    ActivationQuant quant;  // the map's activation quantization (the predictors' input)
    Q8Pointwise box_pw, class_pw;
    std::vector<int32_t> box_dw, class_dw;  // packed
    Q8Output box_dw_out, box_pw_out, class_dw_out, class_pw_out;
    // Predictor output value (q + 128) -> requantized concatenation value, and -> float.
    int8_t box_code[256], score_code[256];
    float box_value[256], score_value[256];
  };

  static FeatureMap feature_map(size_t size, size_t channels, const ActivationQuant& quant);
  bool load_extras(const WeightFileView& file, std::string* error);
  bool load_predictors(const WeightFileView& file, std::string* error);
  void build_tables(FeatureMap& map, const ActivationQuant& box_out,
                    const ActivationQuant& class_out);
  const int8_t* map_data(size_t map);
  void depthwise(const int8_t* input, size_t size, size_t channels, size_t stride,
                 const int32_t* packed, const Q8Output& output_params, int8_t* output);
  void run_extra(Extra& extra, const int8_t* input);
  void run_predictor(const FeatureMap& map, const int8_t* input);

  const QuantizedKernelTable* kernels_ = nullptr;
  MobileNetV2Q8 backbone_;
  size_t num_classes_ = 0;
  AnchorParams anchor_params_;
  PostprocessParams postprocess_;
  std::vector<Anchor> anchors_;
  std::vector<Extra> extras_;
  std::vector<FeatureMap> maps_;
  ActivationQuant boxes_quant_{}, logits_quant_{}, scores_quant_{};

  // Scratch shared by the layers (sized for the largest use), then the outputs.
  std::vector<int8_t> expanded_, depthwise_out_, predicted_;
  std::vector<const int8_t*> rows_;
  std::vector<int8_t> box_codes_, score_codes_;
  std::vector<float> encodings_, scores_;
};

}  // namespace mnv2
