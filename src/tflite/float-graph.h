// The float32 twin of a quantized TFLite graph: the same network computed in float, for
// runtimes whose float path is to be timed against their integer path on the same weights
// (the browser benchmark gives LiteRT.js this copy of the uint8 classifier).
//
// Every quantized constant is dequantized, real = scale[c] * (q - zero_point[c]) along the
// quantization axis (int32 biases included); every quantized activation becomes a float32
// tensor; QUANTIZE and DEQUANTIZE operators are dropped, their readers reading the operator's
// input instead. So a uint8 input of scale 1/128 and zero point 128 becomes a float input
// that expects (x - 128) / 128, and a uint8 softmax output a float one. Builtin operators
// are declared at version 1 (the float kernels'); custom operators keep theirs.
#pragma once

#include <cstddef>
#include <string>

#include "tflite/tflite-reader.h"

namespace mnv2::tflite {

struct FloatGraphResult {
  bool ok = false;
  std::string error;  // set when !ok
  Graph graph;
  size_t dropped_operators = 0;     // QUANTIZE / DEQUANTIZE
  size_t dequantized_constants = 0;
};

// Never throws. Fails on an 8-bit tensor without quantization (nothing says what it means)
// or on quantized constants of a type it cannot read.
FloatGraphResult float_graph(const Graph& quantized);

}  // namespace mnv2::tflite
