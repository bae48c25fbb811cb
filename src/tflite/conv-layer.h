// A convolution-like operator of a TFLite graph with its constant weights and bias, and an
// inverted residual block of them, as the graph walkers find them (convert-classifier.cc,
// detector-graph.h) and the converters check and write them (convert-common.h).
#pragma once

#include <string>

#include "tflite/tflite-reader.h"

namespace mnv2::tflite {

struct ConvLayer {
  std::string role;  // "stem", "block 3 expand", "extra 1 depthwise", ... for messages
  const Operator* op = nullptr;
  const Tensor* input = nullptr;
  const Tensor* weights = nullptr;
  const Tensor* bias = nullptr;
  const Tensor* output = nullptr;
};

// A MobileNetV2 bottleneck: optional 1x1 expand, 3x3 depthwise, linear 1x1 project, and the
// residual ADD of the block input when present.
struct BackboneBlock {
  bool has_expand = false;
  ConvLayer expand, depthwise, project;
  const Operator* add = nullptr;  // the residual ADD, when present
  const Tensor* input = nullptr;
  const Tensor* output = nullptr;  // the ADD's output when there is one
};

}  // namespace mnv2::tflite
