#include "tflite/tflite-writer.h"

#include <map>
#include <new>
#include <stdexcept>
#include <tuple>
#include <utility>

#include "tflite-subset_generated.h"

namespace mnv2::tflite {
namespace {

namespace fb = ::tflite;

struct WriteError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The format's version of the schema these files follow (upstream writes 3).
constexpr uint32_t kSchemaVersion = 3;
// Buffer.data is declared force_align: 16; runtimes may map constant data in place.
constexpr size_t kBufferAlignment = 16;
// Operator codes above this value no longer fit deprecated_builtin_code, which then holds
// the placeholder 127 (the format's rule; the reader takes the larger of the two fields).
constexpr int32_t kPlaceholderCode = 127;

class ModelWriter {
 public:
  explicit ModelWriter(const Graph& graph) : graph_(graph) {
    // Buffer 0 is the format's empty sentinel, referenced by every tensor without data.
    buffers_.push_back(fb::CreateBuffer(fbb_));
  }

  std::vector<uint8_t> write() {
    std::vector<flatbuffers::Offset<fb::Tensor>> tensors;
    tensors.reserve(graph_.tensors.size());
    for (const Tensor& tensor : graph_.tensors) tensors.push_back(write_tensor(tensor));
    std::vector<flatbuffers::Offset<fb::Operator>> operators;
    operators.reserve(graph_.operators.size());
    for (const Operator& op : graph_.operators) operators.push_back(write_operator(op));
    const auto subgraph = fb::CreateSubGraph(
        fbb_, fbb_.CreateVector(tensors), fbb_.CreateVector(checked(graph_.inputs, "input")),
        fbb_.CreateVector(checked(graph_.outputs, "output")), fbb_.CreateVector(operators),
        fbb_.CreateString("main"));
    const auto codes = fbb_.CreateVector(codes_);
    const auto subgraphs = fbb_.CreateVector(&subgraph, 1);
    const auto description = fbb_.CreateString(graph_.description);
    const auto buffers = fbb_.CreateVector(buffers_);
    fb::FinishModelBuffer(fbb_, fb::CreateModel(fbb_, kSchemaVersion, codes, subgraphs,
                                                description, buffers));
    return std::vector<uint8_t>(fbb_.GetBufferPointer(), fbb_.GetBufferPointer() + fbb_.GetSize());
  }

 private:
  const std::vector<int32_t>& checked(const std::vector<int32_t>& indices, const char* role) {
    for (int32_t index : indices) {
      if (index < 0 || static_cast<size_t>(index) >= graph_.tensors.size()) {
        throw WriteError(std::string("graph ") + role + " " + std::to_string(index) +
                         " is not a tensor of the graph");
      }
    }
    return indices;
  }

  // Tensors that shared one buffer in the source file share one here too.
  uint32_t buffer_of(const Tensor& tensor) {
    if (!tensor.is_constant()) return 0;
    const auto found = buffer_index_.find(tensor.buffer.get());
    if (found != buffer_index_.end()) return found->second;
    fbb_.ForceVectorAlignment(tensor.data_bytes(), 1, kBufferAlignment);
    const auto data = fbb_.CreateVector(tensor.data(), tensor.data_bytes());
    const auto index = static_cast<uint32_t>(buffers_.size());
    buffers_.push_back(fb::CreateBuffer(fbb_, data));
    buffer_index_.emplace(tensor.buffer.get(), index);
    return index;
  }

  flatbuffers::Offset<fb::Tensor> write_tensor(const Tensor& tensor) {
    const uint32_t buffer = buffer_of(tensor);
    flatbuffers::Offset<fb::QuantizationParameters> quant = 0;
    if (tensor.quant.quantized()) {
      quant = fb::CreateQuantizationParameters(
          fbb_, 0, 0, fbb_.CreateVector(tensor.quant.scales),
          fbb_.CreateVector(tensor.quant.zero_points), fb::QuantizationDetails_NONE, 0,
          tensor.quant.axis);
    }
    return fb::CreateTensor(fbb_, fbb_.CreateVector(tensor.shape),
                            static_cast<fb::TensorType>(tensor.type), buffer,
                            fbb_.CreateString(tensor.name), quant);
  }

  uint32_t code_index(const Operator& op) {
    const auto key = std::make_tuple(op.code, op.custom_code, op.version);
    const auto found = code_index_.find(key);
    if (found != code_index_.end()) return found->second;
    const auto deprecated = static_cast<int8_t>(op.code < kPlaceholderCode ? op.code : kPlaceholderCode);
    const auto custom = op.custom_code.empty() ? flatbuffers::Offset<flatbuffers::String>()
                                              : fbb_.CreateString(op.custom_code);
    codes_.push_back(fb::CreateOperatorCode(fbb_, deprecated, custom, op.version,
                                            static_cast<fb::BuiltinOperator>(op.code)));
    const auto index = static_cast<uint32_t>(codes_.size() - 1);
    code_index_.emplace(key, index);
    return index;
  }

  // The option table of op.code from the fields the reader filled in; NONE for operators
  // whose upstream options table is empty or absent.
  std::pair<fb::BuiltinOptions, flatbuffers::Offset<void>> options(const Operator& op) {
    const OperatorOptions& o = op.options;
    const auto padding = static_cast<fb::Padding>(o.padding);
    const auto activation = static_cast<fb::ActivationFunctionType>(o.activation);
    switch (op.code) {
      case op::kConv2D:
        return {fb::BuiltinOptions_Conv2DOptions,
                fb::CreateConv2DOptions(fbb_, padding, o.stride_w, o.stride_h, activation,
                                        o.dilation_w, o.dilation_h).Union()};
      case op::kDepthwiseConv2D:
        return {fb::BuiltinOptions_DepthwiseConv2DOptions,
                fb::CreateDepthwiseConv2DOptions(fbb_, padding, o.stride_w, o.stride_h,
                                                 o.depth_multiplier, activation, o.dilation_w,
                                                 o.dilation_h).Union()};
      case op::kAveragePool2D:
      case op::kMaxPool2D:
        return {fb::BuiltinOptions_Pool2DOptions,
                fb::CreatePool2DOptions(fbb_, padding, o.stride_w, o.stride_h, o.filter_w,
                                        o.filter_h, activation).Union()};
      case op::kFullyConnected:
        return {fb::BuiltinOptions_FullyConnectedOptions,
                fb::CreateFullyConnectedOptions(
                    fbb_, activation,
                    o.fc_default_weights_format ? fb::FullyConnectedOptionsWeightsFormat_DEFAULT
                                                : fb::FullyConnectedOptionsWeightsFormat_SHUFFLED4x16INT8,
                    o.keep_dims).Union()};
      case op::kSoftmax:
        return {fb::BuiltinOptions_SoftmaxOptions, fb::CreateSoftmaxOptions(fbb_, o.softmax_beta).Union()};
      case op::kConcatenation:
        return {fb::BuiltinOptions_ConcatenationOptions,
                fb::CreateConcatenationOptions(fbb_, o.axis, activation).Union()};
      case op::kAdd:
        return {fb::BuiltinOptions_AddOptions, fb::CreateAddOptions(fbb_, activation).Union()};
      case op::kMul:
        return {fb::BuiltinOptions_MulOptions, fb::CreateMulOptions(fbb_, activation).Union()};
      case op::kReshape:
        return {fb::BuiltinOptions_ReshapeOptions,
                fb::CreateReshapeOptions(fbb_, fbb_.CreateVector(o.new_shape)).Union()};
      case op::kMean:
        return {fb::BuiltinOptions_ReducerOptions, fb::CreateReducerOptions(fbb_, o.keep_dims).Union()};
      case op::kSqueeze:
        return {fb::BuiltinOptions_SqueezeOptions,
                fb::CreateSqueezeOptions(fbb_, fbb_.CreateVector(o.squeeze_dims)).Union()};
      default:
        return {fb::BuiltinOptions_NONE, 0};
    }
  }

  static bool writable(int32_t code) {
    switch (code) {
      case op::kConv2D: case op::kDepthwiseConv2D: case op::kAveragePool2D: case op::kMaxPool2D:
      case op::kFullyConnected: case op::kSoftmax: case op::kConcatenation: case op::kAdd:
      case op::kMul: case op::kReshape: case op::kMean: case op::kSqueeze:
      // No options, or an empty options table upstream:
      case op::kDequantize: case op::kQuantize: case op::kLogistic: case op::kRelu:
      case op::kRelu6: case op::kPad: case op::kCustom:
        return true;
      default:
        return false;
    }
  }

  flatbuffers::Offset<fb::Operator> write_operator(const Operator& op) {
    // The reader keeps the options of the operators above only; any other operator's options
    // would be lost silently.
    if (!writable(op.code)) throw WriteError(op_ref(op) + ": this writer does not know its options");
    for (int32_t index : op.inputs) {
      if (index < -1 || index >= static_cast<int32_t>(graph_.tensors.size())) {
        throw WriteError(op_ref(op) + " reads tensor " + std::to_string(index) + ", not in the graph");
      }
    }
    for (int32_t index : op.outputs) {
      if (index < 0 || index >= static_cast<int32_t>(graph_.tensors.size())) {
        throw WriteError(op_ref(op) + " writes tensor " + std::to_string(index) + ", not in the graph");
      }
    }
    const uint32_t code = code_index(op);
    const auto inputs = fbb_.CreateVector(op.inputs);
    const auto outputs = fbb_.CreateVector(op.outputs);
    auto [type, table] = op.options.has_options ? options(op)
                                                : std::make_pair(fb::BuiltinOptions_NONE, flatbuffers::Offset<void>());
    const auto custom = op.custom_options.empty() ? flatbuffers::Offset<flatbuffers::Vector<uint8_t>>()
                                                : fbb_.CreateVector(op.custom_options);
    return fb::CreateOperator(fbb_, code, inputs, outputs, type, table, custom);
  }

  const Graph& graph_;
  flatbuffers::FlatBufferBuilder fbb_{1 << 20};
  std::vector<flatbuffers::Offset<fb::Buffer>> buffers_;
  std::map<const std::vector<uint8_t>*, uint32_t> buffer_index_;
  std::vector<flatbuffers::Offset<fb::OperatorCode>> codes_;
  std::map<std::tuple<int32_t, std::string, int32_t>, uint32_t> code_index_;
};

}  // namespace

WriteResult write_tflite(const Graph& graph) {
  WriteResult result;
  try {
    result.bytes = ModelWriter(graph).write();
    result.ok = true;
  } catch (const WriteError& e) {
    result.error = e.what();
  } catch (const std::bad_alloc&) {
    result.error = "out of memory while writing the TFLite model";
  }
  return result;
}

}  // namespace mnv2::tflite
