// Finding the layers of an SSD(Lite) MobileNetV2 detector in a TFLite graph by following
// tensors from the TFLite_Detection_PostProcess operator backwards, never by tensor or
// operator position:
//
//   postprocess inputs: box encodings, class scores, anchors (a constant)
//   box encodings  <- (DE)QUANTIZE / RESHAPE ... <- CONCATENATION of one input per feature map
//   class scores   <- (DE)QUANTIZE ... <- LOGISTIC <- ... <- CONCATENATION, likewise
//   each concatenated input <- QUANTIZE / RESHAPE ... <- 1x1 CONV_2D <- DEPTHWISE_CONV_2D
//     <- the feature map, which must be the same tensor for the box and the class predictor
//   map 0: the expansion output of a backbone block; map 1: the backbone's head conv output;
//   map m >= 2: 1x1 CONV_2D <- DEPTHWISE_CONV_2D <- 1x1 CONV_2D <- map m - 1 (extra layers)
//   backbone, from the head conv back to the input: inverted residual blocks (project
//   CONV_2D <- DEPTHWISE_CONV_2D <- optional expand CONV_2D, ADD when residual), the 3x3 stem
//   CONV_2D, (DE)QUANTIZE, the graph input.
//
// Every operator of the graph must be reached. Only the wiring is established here; shapes,
// strides, activations and types are checked by the converter (convert-detector.h).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "tflite/conv-layer.h"
#include "tflite/tflite-reader.h"

namespace mnv2::tflite {

struct ExtraLayer {
  ConvLayer expand, depthwise, project;
};

struct FeatureMapHeads {
  const Tensor* source = nullptr;  // the feature map both predictors read
  ConvLayer box_depthwise, box_pointwise, class_depthwise, class_pointwise;
};

struct DetectorGraph {
  const Tensor* input = nullptr;
  ConvLayer stem;
  std::vector<BackboneBlock> blocks;
  ConvLayer head;
  std::vector<ExtraLayer> extras;      // extras[i] produces maps[2 + i]
  std::vector<FeatureMapHeads> maps;   // in the order the anchors follow
  size_t tap_block = 0;                // the block whose expansion is maps[0]
  const Operator* postprocess = nullptr;
  const Tensor* anchors = nullptr;
  const Tensor* box_concat = nullptr;    // the concatenated encodings / class logits
  const Tensor* class_concat = nullptr;
  const Operator* logistic = nullptr;    // the sigmoid between class_concat and the postprocess
};

// Returns false and sets *error (naming the operator or tensor) when the graph is not wired
// like an SSD MobileNetV2 detector.
bool walk_detector_graph(const Graph& graph, DetectorGraph* out, std::string* error);

}  // namespace mnv2::tflite
