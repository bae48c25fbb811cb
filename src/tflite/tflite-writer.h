// Writes a Graph (tflite-reader.h) back as a .tflite FlatBuffer, so a tool can edit a real
// model and hand it to another runtime (the float copy of the quantized classifier that the
// browser benchmark gives LiteRT.js: tflite/float-graph.h). Native only, like the reader.
//
// What is written is what the reader keeps: one subgraph with its tensors (shape, type, name,
// constant data, scales / zero points / axis), operators with their option tables, inputs and
// outputs. What the reader drops is not written: min/max of the quantization, signature
// definitions, metadata, further subgraphs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tflite/tflite-reader.h"

namespace mnv2::tflite {

struct WriteResult {
  bool ok = false;
  std::string error;           // set when !ok
  std::vector<uint8_t> bytes;  // the .tflite file
};

// Never throws. Fails (with a message naming it) on an operator whose options this writer
// does not know how to write, or on a tensor or operator index out of range.
WriteResult write_tflite(const Graph& graph);

}  // namespace mnv2::tflite
