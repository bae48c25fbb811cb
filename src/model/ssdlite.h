// SSDLite on MobileNetV2 (paper section 6.2): SSD whose prediction layers use depthwise
// separable convolutions instead of regular 3x3 ones.
//
//   backbone (MobileNetV2)
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
// (postprocess-params.h). The engine runs these layers as stages of the network description
// (graph/ssd-description.h); this file holds the names and parameters the converter shares.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "model/anchors.h"
#include "model/postprocess-params.h"
#include "model/weight-file.h"

namespace mnv2 {

// The bottleneck block whose expansion feeds the first feature map (expanded_conv_13 in the
// TF Object Detection API's feature extractor: output stride 16).
inline constexpr size_t kSsdTapBlock = 13;
inline constexpr size_t kSsdMaxExtraLayers = 8;

// "extra0.expand", "box3.pw", ...: a layer's tensor name without ".w" / ".b".
std::string ssd_layer_name(const char* group, size_t index, const char* layer);

// Reads "anchors.params" and "postprocess.params" and checks that the postprocess declares the
// header's class count.
bool load_ssd_params(const WeightFileView& file, size_t num_classes, AnchorParams* anchors,
                     PostprocessParams* postprocess, std::string* error);

// The outputs and the Detector's NMS buffers grow with anchors x classes; a hostile file can make
// that exceed WASM memory, and a failed allocation aborts the module, so such a file is refused
// before anything is allocated (see plan/memory-budget.h). bytes_per_value: what the engine
// and the Detector hold per anchor and output column.
bool check_ssd_output_budget(const std::vector<size_t>& grid_sizes, const AnchorParams& anchors,
                             size_t num_classes, uint64_t bytes_per_value, std::string* error);

}  // namespace mnv2
