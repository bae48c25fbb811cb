// SSDLite on MobileNetV2 (paper section 6.2): SSD whose prediction layers use depthwise
// separable convolutions instead of regular 3x3 ones.
//
//   backbone (MobileNetV2, see mobilenet-v2.h)
//     map 0: block 13's expansion after ReLU6 (19x19x576 at 300x300)
//     map 1: the head 1x1 conv output (10x10x1280)
//   extra layers i = 0..: 1x1 conv -> depthwise 3x3 stride 2 -> 1x1 conv, each ReLU6, SAME
//     padding; map 2 + i is extra layer i's output (5x5x512, 3x3x256, 2x2x256, 1x1x128)
//   on every map, two predictors: depthwise 3x3 (ReLU6) -> 1x1 conv (linear) giving
//     A x 4 box encodings and A x (classes + 1) class logits per cell, A anchors per cell
//   class scores = sigmoid(logits), column 0 being the background.
//
// Weight file tensors besides the backbone's: "extra<i>.expand", "extra<i>.dw",
// "extra<i>.project", "box<m>.dw", "box<m>.pw", "class<m>.dw", "class<m>.pw" (each ".w" and
// ".b", OHWI like the backbone), "anchors.params" (anchors.h) and "postprocess.params"
// (postprocess-params.h). Channel counts and the number of extra layers are read from the
// tensors and checked against each other; anchors are generated at load, never stored.
//
// Weights are packed and every buffer is sized at load; run() allocates nothing.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "kernels/kernels.h"
#include "model/anchors.h"
#include "model/mobilenet-v2.h"
#include "model/postprocess-params.h"
#include "model/weight-file.h"

namespace mnv2 {

// The bottleneck block whose expansion feeds the first feature map (expanded_conv_13 in the
// TF Object Detection API's feature extractor: output stride 16).
inline constexpr size_t kSsdTapBlock = 13;
inline constexpr size_t kSsdMaxExtraLayers = 8;

// "extra0.expand", "box3.pw", ...: a layer's tensor name without ".w" / ".b".
std::string ssd_layer_name(const char* group, size_t index, const char* layer);

class SSDLite {
 public:
  // Returns false and sets *error when the file's tensors do not form an SSDLite detector.
  // execution chooses how the backbone runs (mobilenet-v2.h); the head is the same either way.
  bool load(const WeightFileView& file, const KernelTable& kernels, std::string* error,
            Execution execution = Execution::kFused);

  size_t input_size() const { return backbone_.input_size(); }
  size_t num_classes() const { return num_classes_; }  // without the background
  size_t num_anchors() const { return anchors_.size(); }
  const std::vector<Anchor>& anchors() const { return anchors_; }
  const AnchorParams& anchor_params() const { return anchor_params_; }
  const PostprocessParams& postprocess() const { return postprocess_; }

  size_t feature_map_count() const { return maps_.size(); }
  size_t feature_map_size(size_t map) const { return maps_[map].size; }
  size_t feature_map_channels(size_t map) const { return maps_[map].channels; }
  size_t anchors_per_cell(size_t map) const { return maps_[map].anchors_per_cell; }

  // input: rows of the [input_size][input_size][3] normalized image (a Preprocessor streams
  // them). Afterwards box_encodings() holds [num_anchors][4] (ty, tx, th, tw) and
  // class_scores() [num_anchors][score_stride()] sigmoid scores, column 0 the background;
  // both valid until the next call.
  void run(InputRows& input);
  void run(const float* input);  // the whole normalized image at once
  const float* box_encodings() const { return encodings_.data(); }
  const float* class_scores() const { return scores_.data(); }
  size_t score_stride() const { return num_classes_ + 1; }

  // Per-layer parameters, multiply-adds and activation bytes (ssdlite-summary.cc): the
  // backbone's rows up to its head conv (stem, block0..16, head; no pool or logits), then
  // extra0.. and, per feature map m, box<m> and class<m>.
  std::vector<LayerSummary> summary() const;
  // Weights, activations (backbone arena + extra layers' outputs + box and score outputs) and
  // scratch (backbone rings + the head's expand and depthwise buffers), as allocated.
  MemoryStats memory_stats() const;
  Execution execution() const { return backbone_.execution(); }

 private:
  struct Extra {
    size_t in_size, out_size;
    size_t in_channels, mid_channels, out_channels;
    std::vector<float> expand, depthwise, project;  // packed weights
    std::vector<float> output;
  };
  struct FeatureMap {
    size_t size, channels, anchors_per_cell, first_anchor;
    std::vector<float> box_dw, box_pw, class_dw, class_pw;  // packed weights
  };

  bool load_extras(const WeightFileView& file, std::string* error);
  bool load_predictors(const WeightFileView& file, std::string* error);
  const float* map_data(size_t map) const;
  void run_extra(Extra& extra, const float* input);
  void run_predictor(const FeatureMap& map, const float* input);
  void depthwise(const float* input, size_t size, size_t channels, size_t stride,
                 const float* packed, float* output);

  const KernelTable* kernels_ = nullptr;
  MobileNetV2 backbone_;
  size_t num_classes_ = 0;
  AnchorParams anchor_params_;
  PostprocessParams postprocess_;
  std::vector<Anchor> anchors_;
  std::vector<Extra> extras_;
  std::vector<FeatureMap> maps_;

  // Scratch shared by the layers (sized for the largest use), then the head outputs.
  std::vector<float> expanded_, depthwise_out_;
  std::vector<const float*> rows_;
  std::vector<float> encodings_, scores_;
};

}  // namespace mnv2
