#include "tflite/float-graph.h"

#include <cstring>
#include <memory>
#include <new>
#include <stdexcept>
#include <utility>
#include <vector>

namespace mnv2::tflite {
namespace {

struct FloatGraphError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

bool is_requantization(const Operator& op) {
  return op.code == op::kQuantize || op.code == op::kDequantize;
}

template <typename Stored>
float stored_value(const uint8_t* data, size_t i) {
  Stored value;
  std::memcpy(&value, data + i * sizeof(Stored), sizeof(Stored));
  return static_cast<float>(value);
}

// The constant's values in float: scale[c] * (q - zero_point[c]) in float32 arithmetic, as
// the engine's own loader dequantizes.
std::vector<uint8_t> dequantized_data(const Graph& graph, const Tensor& tensor) {
  const Quantization& q = tensor.quant;
  size_t inner = 1;
  if (q.per_channel()) {
    for (size_t d = static_cast<size_t>(q.axis) + 1; d < tensor.shape.size(); ++d) {
      inner *= static_cast<size_t>(tensor.shape[d]);
    }
  }
  const size_t channels = q.scales.size();
  std::vector<uint8_t> bytes(tensor.element_count * sizeof(float));
  for (size_t i = 0; i < tensor.element_count; ++i) {
    float stored = 0.0f;
    switch (tensor.type) {
      case ElementType::kUInt8: stored = stored_value<uint8_t>(tensor.data(), i); break;
      case ElementType::kInt8: stored = stored_value<int8_t>(tensor.data(), i); break;
      case ElementType::kInt16: stored = stored_value<int16_t>(tensor.data(), i); break;
      case ElementType::kInt32: stored = stored_value<int32_t>(tensor.data(), i); break;
      default:
        throw FloatGraphError("tensor " + graph.tensor_label(tensor.index) + " is a quantized " +
                              element_type_name(tensor.type) + " constant, which is not dequantized here");
    }
    const size_t c = q.per_channel() ? (i / inner) % channels : 0;
    const float value = q.scales[c] * (stored - static_cast<float>(q.zero_points[c]));
    std::memcpy(bytes.data() + i * sizeof(float), &value, sizeof(float));
  }
  return bytes;
}

// The tensor as the float graph has it, at position `index`.
Tensor float_tensor(const Graph& graph, const Tensor& source, int32_t index, size_t& dequantized) {
  Tensor tensor = source;
  tensor.index = index;
  const bool eight_bit = source.type == ElementType::kUInt8 || source.type == ElementType::kInt8;
  if (!source.quant.quantized()) {
    if (eight_bit) {
      throw FloatGraphError("tensor " + graph.tensor_label(source.index) + " is " +
                            element_type_name(source.type) + " without quantization parameters");
    }
    return tensor;  // float, or integers that are not values (a RESHAPE's shape)
  }
  if (source.is_constant()) {
    tensor.buffer = std::make_shared<const std::vector<uint8_t>>(dequantized_data(graph, source));
    ++dequantized;
  }
  tensor.type = ElementType::kFloat32;
  tensor.quant = Quantization{};
  return tensor;
}

FloatGraphResult convert(const Graph& quantized) {
  FloatGraphResult result;
  const size_t count = quantized.tensors.size();
  // What each tensor reads as once the (de)quantizations are gone: their output is their input.
  std::vector<int32_t> source(count);
  for (size_t t = 0; t < count; ++t) source[t] = static_cast<int32_t>(t);
  const auto resolve = [&](int32_t t) { return t < 0 ? t : source[static_cast<size_t>(t)]; };
  for (const Operator& op : quantized.operators) {
    if (!is_requantization(op)) continue;
    if (op.inputs.size() != 1 || op.outputs.size() != 1 || op.inputs[0] < 0) {
      throw FloatGraphError("operator #" + std::to_string(op.index) + " (" + op_name(op.code) +
                            ") does not have one input and one output");
    }
    source[static_cast<size_t>(op.outputs[0])] = resolve(op.inputs[0]);
    ++result.dropped_operators;
  }

  // Tensors still used, renumbered in their original order.
  std::vector<int32_t> renumbered(count, -1);
  const auto mark = [&](int32_t t) { if (t >= 0) renumbered[static_cast<size_t>(resolve(t))] = 0; };
  for (const Operator& op : quantized.operators) {
    if (is_requantization(op)) continue;
    for (int32_t t : op.inputs) mark(t);
    for (int32_t t : op.outputs) mark(t);
  }
  for (int32_t t : quantized.inputs) mark(t);
  for (int32_t t : quantized.outputs) mark(t);

  Graph& out = result.graph;
  out.schema_version = quantized.schema_version;
  out.description = quantized.description + " (float32 copy: constants dequantized)";
  out.subgraph_count = 1;
  for (size_t t = 0; t < count; ++t) {
    if (renumbered[t] < 0) continue;
    renumbered[t] = static_cast<int32_t>(out.tensors.size());
    out.tensors.push_back(float_tensor(quantized, quantized.tensors[t], renumbered[t],
                                       result.dequantized_constants));
  }
  const auto map = [&](int32_t t) { return t < 0 ? t : renumbered[static_cast<size_t>(resolve(t))]; };
  for (const Operator& source_op : quantized.operators) {
    if (is_requantization(source_op)) continue;
    Operator op = source_op;
    op.index = static_cast<int32_t>(out.operators.size());
    if (op.code != op::kCustom) op.version = 1;
    for (int32_t& t : op.inputs) t = map(t);
    for (int32_t& t : op.outputs) t = map(t);
    out.operators.push_back(std::move(op));
  }
  for (int32_t t : quantized.inputs) out.inputs.push_back(map(t));
  for (int32_t t : quantized.outputs) out.outputs.push_back(map(t));
  result.ok = true;
  return result;
}

}  // namespace

FloatGraphResult float_graph(const Graph& quantized) {
  try {
    return convert(quantized);
  } catch (const FloatGraphError& e) {
    FloatGraphResult result;
    result.error = e.what();
    return result;
  } catch (const std::bad_alloc&) {
    FloatGraphResult result;
    result.error = "out of memory while making the float graph";
    return result;
  }
}

}  // namespace mnv2::tflite
