#include "tflite/graph-walk.h"

#include "tflite/convert-common.h"

namespace mnv2::tflite {

GraphWalk::GraphWalk(const Graph& graph) : graph_(graph) {
  if (const std::string error = graph.consistency_error(); !error.empty()) fail(error);
  taken_.assign(graph.operators.size(), false);
}

void GraphWalk::claim(const Operator& op, const std::string& as) {
  if (taken_[static_cast<size_t>(op.index)]) {
    fail(op_ref(op) + " is reached twice while walking the graph (as " + as + ")");
  }
  taken_[static_cast<size_t>(op.index)] = true;
}

const Operator& GraphWalk::take(const Operator& op, std::initializer_list<int32_t> codes,
                                const std::string& expected) {
  bool match = false;
  for (int32_t code : codes) match = match || op.code == code;
  if (!match) fail(op_ref(op) + " found where " + expected + " was expected");
  claim(op, expected);
  if (op.outputs.size() != 1) {
    fail(op_ref(op) + " has " + std::to_string(op.outputs.size()) + " outputs, expected 1");
  }
  if (op.inputs.empty() || op.inputs[0] < 0) fail(op_ref(op) + " has no data input");
  return op;
}

const Tensor& GraphWalk::constant_input(const Operator& op, size_t position,
                                        const char* what) const {
  if (op.inputs.size() <= position || op.inputs[position] < 0) {
    fail(op_ref(op) + " has no " + what + " input");
  }
  const Tensor& t = tensor(op.inputs[position]);
  if (!t.is_constant()) {
    fail(op_ref(op) + " " + what + " " + graph_.tensor_label(t.index) + " is not a constant");
  }
  return t;
}

ConvLayer GraphWalk::take_layer(const Operator& op, int32_t code, const std::string& role) {
  take(op, {code}, role + " " + op_name(code));
  ConvLayer layer;
  layer.role = role;
  layer.op = &op;
  layer.input = &tensor(op.inputs[0]);
  layer.weights = &constant_input(op, 1, "weights");
  layer.bias = &constant_input(op, 2, "bias");
  layer.output = &tensor(op.outputs[0]);
  return layer;
}

void GraphWalk::check_all_taken(const std::string& what) const {
  for (const Operator& op : graph_.operators) {
    if (!taken_[static_cast<size_t>(op.index)]) fail(op_ref(op) + " is not part of " + what);
  }
}

}  // namespace mnv2::tflite
