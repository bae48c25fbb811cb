// Edits the converter tests make to a real model's Graph to check that the walkers notice them.
#pragma once

#include <cstdint>
#include <utility>

#include "tflite/tflite-reader.h"

namespace mnv2::tflite {

// Appends `op` (a copy of some operator, its inputs possibly changed) as a new operator whose
// only output is a new tensor that nothing reads: an operator outside the network's walk.
inline void append_dangling_operator(Graph& g, Operator op) {
  Tensor dangling;
  dangling.index = static_cast<int32_t>(g.tensors.size());
  dangling.name = "dangling";
  g.tensors.push_back(dangling);
  op.index = static_cast<int32_t>(g.operators.size());
  op.outputs = {dangling.index};
  g.operators.push_back(std::move(op));
}

}  // namespace mnv2::tflite
