// A convolution-like operator of a TFLite graph with its constant weights and bias, as the
// graph walkers find it (convert-classifier.cc, detector-graph.h) and the converters check
// and write it (convert-common.h).
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

}  // namespace mnv2::tflite
