// What the two graph walkers share (convert-classifier.cc walks forward from the image input,
// detector-graph.cc back from the detection postprocess): claiming every operator they pass
// once, so that a second visit (a cycle in a malformed file) and operators left over are
// caught, and taking a convolution-like operator with its constant weights and bias. Their
// failures are ConvertError (convert-common.h).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "tflite/conv-layer.h"
#include "tflite/tflite-reader.h"

namespace mnv2::tflite {

class GraphWalk {
 protected:
  // Fails for a graph that breaks what read_tflite() guarantees (Graph::consistency_error).
  explicit GraphWalk(const Graph& graph);

  const Tensor& tensor(int32_t index) const { return graph_.tensors[static_cast<size_t>(index)]; }

  // Marks op as part of the model, `as` what; fails when it already is.
  void claim(const Operator& op, const std::string& as);

  // Claims op as `expected`: it must have one of `codes`, a data input (input 0) and one
  // output.
  const Operator& take(const Operator& op, std::initializer_list<int32_t> codes,
                       const std::string& expected);

  // Claims op as the `role` layer ("block 3 expand") of operator `code`, with its constant
  // weights and bias (inputs 1 and 2).
  ConvLayer take_layer(const Operator& op, int32_t code, const std::string& role);

  // Fails for the first operator not claimed: "<operator> is not part of <what>".
  void check_all_taken(const std::string& what) const;

  const Graph& graph_;

 private:
  const Tensor& constant_input(const Operator& op, size_t position, const char* what) const;

  std::vector<bool> taken_;
};

}  // namespace mnv2::tflite
