#include "tflite/tflite-reader.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <utility>

#include "tflite-subset_generated.h"
#include "tflite/error-boundary.h"

namespace mnv2::tflite {
namespace {

namespace fb = ::tflite;

// Thrown inside this file only and turned into ReadResult::error at the API boundary
// (error-boundary.h), so the checks below can stop at the first problem without threading
// errors through every helper.
struct ReadError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

[[noreturn]] void fail(const std::string& message) { throw ReadError(message); }

// Anything larger is not a MobileNet and would overflow size arithmetic long before it
// mattered; the limit only has to keep element_count * 8 far from SIZE_MAX.
constexpr uint64_t kMaxElements = uint64_t{1} << 31;

// FlatBuffers lets any number of tables point at one vector or string, so a small crafted
// file can declare far more shape entries, operator inputs, names or buffer bytes than it
// holds. Files written by TFLite converters do not share these, so what this reader copies
// out stays below the file size; the budget allows four times that and stops the rest.
class CopyBudget {
 public:
  explicit CopyBudget(size_t file_size) : left_(4 * uint64_t{file_size} + (1u << 20)) {}

  void spend(uint64_t bytes, const std::string& what) {
    if (bytes > left_) {
      fail("malformed TFLite model: copying " + what + " would exceed four times the file "
           "size (tables sharing one large vector?)");
    }
    left_ -= bytes;
  }

 private:
  uint64_t left_;
};

std::string tensor_ref(const fb::Tensor* tensor, size_t index) {
  std::string name = tensor && tensor->name() ? tensor->name()->str() : std::string();
  return "tensor '" + display_name(name) + "' (#" + std::to_string(index) + ")";
}

std::vector<int32_t> to_vector(const flatbuffers::Vector<int32_t>* values, CopyBudget& budget,
                               const std::string& what) {
  if (!values) return {};
  budget.spend(uint64_t{values->size()} * sizeof(int32_t), what);
  return std::vector<int32_t>(values->begin(), values->end());
}

void read_shape(const fb::Tensor* src, size_t index, Tensor& dst, CopyBudget& budget) {
  dst.shape = to_vector(src->shape(), budget, "the shape of " + tensor_ref(src, index));
  uint64_t count = 1;
  for (size_t d = 0; d < dst.shape.size(); ++d) {
    if (dst.shape[d] < 0) {
      fail(tensor_ref(src, index) + " has dimension " + std::to_string(d) + " = " +
           std::to_string(dst.shape[d]) + " (shapes must be fully known)");
    }
    count *= static_cast<uint64_t>(dst.shape[d]);
    if (count > kMaxElements) fail(tensor_ref(src, index) + " has too many elements");
  }
  dst.element_count = static_cast<size_t>(count);
}

using BufferCache = std::vector<std::shared_ptr<const std::vector<uint8_t>>>;

void read_data(const fb::Model* model, const fb::Tensor* src, size_t index, Tensor& dst,
               BufferCache& cache, CopyBudget& budget) {
  const auto* buffers = model->buffers();
  const uint32_t buffer_index = src->buffer();
  // Buffer 0 is the format's "no data" sentinel and may be missing from an empty list.
  if (buffer_index == 0 && (!buffers || buffers->size() == 0)) return;
  if (!buffers || buffer_index >= buffers->size()) {
    fail(tensor_ref(src, index) + " refers to buffer " + std::to_string(buffer_index) +
         " but the model has " + std::to_string(buffers ? buffers->size() : 0) + " buffers");
  }
  const fb::Buffer* buffer = buffers->Get(buffer_index);
  if (!buffer) fail("buffer " + std::to_string(buffer_index) + " is null");
  if (buffer->offset() > 1 || buffer->size() > 0) {
    fail("buffer " + std::to_string(buffer_index) + " (of " + tensor_ref(src, index) +
         ") keeps its data outside the FlatBuffer (offset/size); such files are not supported");
  }
  const auto* bytes = buffer->data();
  if (!bytes || bytes->size() == 0) return;

  const size_t element_bytes = element_size(dst.type);
  if (element_bytes == 0) {
    fail(tensor_ref(src, index) + " has constant data of type " +
         element_type_name(dst.type) + ", which has no fixed element size");
  }
  const uint64_t expected = static_cast<uint64_t>(dst.element_count) * element_bytes;
  if (bytes->size() != expected) {
    fail(tensor_ref(src, index) + " of shape " + shape_text(dst.shape) + " and type " +
         element_type_name(dst.type) + " needs " + std::to_string(expected) +
         " bytes of data but buffer " + std::to_string(buffer_index) + " has " +
         std::to_string(bytes->size()));
  }
  if (cache.size() != buffers->size()) cache.resize(buffers->size());
  if (!cache[buffer_index]) {
    budget.spend(bytes->size(), "buffer " + std::to_string(buffer_index));
    cache[buffer_index] =
        std::make_shared<const std::vector<uint8_t>>(bytes->begin(), bytes->end());
  }
  dst.buffer = cache[buffer_index];
}

void read_quantization(const fb::Tensor* src, size_t index, Tensor& dst, CopyBudget& budget) {
  const fb::QuantizationParameters* q = src->quantization();
  if (!q) return;
  const auto* scales = q->scale();
  const auto* zero_points = q->zero_point();
  const size_t scale_count = scales ? scales->size() : 0;
  const size_t zero_point_count = zero_points ? zero_points->size() : 0;
  if (scale_count == 0 && zero_point_count == 0) return;  // min/max only, or nothing
  if (scale_count != zero_point_count) {
    fail(tensor_ref(src, index) + " has " + std::to_string(scale_count) + " scales but " +
         std::to_string(zero_point_count) + " zero points");
  }
  const int32_t axis = q->quantized_dimension();
  if (scale_count > 1) {
    if (axis < 0 || static_cast<size_t>(axis) >= dst.shape.size()) {
      fail(tensor_ref(src, index) + " is quantized along dimension " + std::to_string(axis) +
           " but has rank " + std::to_string(dst.shape.size()));
    }
    if (static_cast<size_t>(dst.shape[axis]) != scale_count) {
      fail(tensor_ref(src, index) + " has " + std::to_string(scale_count) +
           " per-channel scales but dimension " + std::to_string(axis) + " is " +
           std::to_string(dst.shape[axis]));
    }
  }
  for (flatbuffers::uoffset_t i = 0; i < scales->size(); ++i) {
    if (!std::isfinite(scales->Get(i))) {
      fail(tensor_ref(src, index) + " has a non-finite scale at position " + std::to_string(i));
    }
  }
  budget.spend(uint64_t{scale_count} * (sizeof(float) + sizeof(int64_t)),
               "the quantization of " + tensor_ref(src, index));
  dst.quant.scales.assign(scales->begin(), scales->end());
  // The verifier only checks a vector's 4-byte length field for alignment, so a crafted file
  // can place these 8-byte zero points at any address: copy bytes, never load int64 in place.
  dst.quant.zero_points.resize(zero_point_count);
  if (zero_point_count > 0) {
    std::memcpy(dst.quant.zero_points.data(), zero_points->Data(),
                zero_point_count * sizeof(int64_t));
  }
  dst.quant.axis = axis;
}

std::vector<Tensor> read_tensors(const fb::Model* model, const fb::SubGraph* subgraph,
                                 CopyBudget& budget) {
  std::vector<Tensor> tensors;
  const auto* src = subgraph->tensors();
  if (!src) return tensors;
  budget.spend(uint64_t{src->size()} * sizeof(Tensor), "the tensor list");
  tensors.resize(src->size());
  BufferCache cache;
  for (flatbuffers::uoffset_t i = 0; i < src->size(); ++i) {
    const fb::Tensor* t = src->Get(i);
    if (!t) fail("tensor #" + std::to_string(i) + " is null");
    Tensor& dst = tensors[i];
    dst.index = static_cast<int32_t>(i);
    if (t->name()) {
      budget.spend(t->name()->size(), "the name of tensor #" + std::to_string(i));
      dst.name = t->name()->str();
    }
    dst.type = static_cast<ElementType>(t->type());
    read_shape(t, i, dst, budget);
    read_data(model, t, i, dst, cache, budget);
    read_quantization(t, i, dst, budget);
  }
  return tensors;
}

void check_tensor_indices(const std::vector<int32_t>& indices, size_t tensor_count,
                          bool allow_omitted, const std::string& owner, const char* role) {
  for (size_t i = 0; i < indices.size(); ++i) {
    const int32_t t = indices[i];
    if (allow_omitted && t == -1) continue;
    if (t < 0 || static_cast<size_t>(t) >= tensor_count) {
      fail(owner + " " + role + " " + std::to_string(i) + " is tensor " + std::to_string(t) +
           " but the graph has " + std::to_string(tensor_count) + " tensors");
    }
  }
}

Padding read_padding(fb::Padding padding, const Operator& op) {
  if (padding != fb::Padding_SAME && padding != fb::Padding_VALID) {
    fail(op_ref(op) + " has unknown padding " + std::to_string(static_cast<int>(padding)));
  }
  return static_cast<Padding>(padding);
}

Activation read_activation(fb::ActivationFunctionType activation, const Operator& op) {
  if (activation < fb::ActivationFunctionType_MIN ||
      activation > fb::ActivationFunctionType_MAX) {
    fail(op_ref(op) + " has unknown fused activation " +
         std::to_string(static_cast<int>(activation)));
  }
  return static_cast<Activation>(activation);
}

void check_window(const Operator& op, const char* what, int32_t w, int32_t h) {
  if (w < 1 || h < 1) {
    fail(op_ref(op) + " has " + what + " " + std::to_string(w) + "x" + std::to_string(h) +
         " (must be >= 1)");
  }
}

// The option table of type Options, the one op.code's operator carries: a table of another
// type is an error (the file is inconsistent).
template <typename Options>
const Options& options_of(const fb::Operator* src, const Operator& op) {
  const Options* options = src->builtin_options_as<Options>();
  if (!options) {
    fail(op_ref(op) + " carries options of type " +
         std::to_string(static_cast<int>(src->builtin_options_type())) +
         ", not those of its operator");
  }
  return *options;
}

// Conv2D, DepthwiseConv2D and Pool2D options share these fields (same names in all three).
template <typename WindowOptions>
void read_window(const WindowOptions& w, Operator& op) {
  OperatorOptions& o = op.options;
  o.padding = read_padding(w.padding(), op);
  o.stride_w = w.stride_w();
  o.stride_h = w.stride_h();
  o.activation = read_activation(w.fused_activation_function(), op);
  check_window(op, "stride", o.stride_w, o.stride_h);
}

// And the convolutions' dilation.
template <typename ConvolutionOptions>
void read_convolution_window(const ConvolutionOptions& c, Operator& op) {
  OperatorOptions& o = op.options;
  read_window(c, op);
  o.dilation_w = c.dilation_w_factor();
  o.dilation_h = c.dilation_h_factor();
  check_window(op, "dilation", o.dilation_w, o.dilation_h);
}

// The fused activation of an operator whose options have nothing else the engines read.
template <typename Options>
Activation activation_of(const fb::Operator* src, const Operator& op) {
  return read_activation(options_of<Options>(src, op).fused_activation_function(), op);
}

// Reads the option table that belongs to op.code. A table of another type is an error; a
// missing table leaves has_options false for the caller to judge.
void read_options(const fb::Operator* src, Operator& op, CopyBudget& budget) {
  OperatorOptions& o = op.options;
  if (src->builtin_options_type() == fb::BuiltinOptions_NONE) return;
  switch (op.code) {
    case op::kConv2D:
      read_convolution_window(options_of<fb::Conv2DOptions>(src, op), op);
      break;
    case op::kDepthwiseConv2D: {
      const auto& c = options_of<fb::DepthwiseConv2DOptions>(src, op);
      read_convolution_window(c, op);
      o.depth_multiplier = c.depth_multiplier();
      break;
    }
    case op::kAveragePool2D:
    case op::kMaxPool2D: {
      const auto& p = options_of<fb::Pool2DOptions>(src, op);
      read_window(p, op);
      o.filter_w = p.filter_width();
      o.filter_h = p.filter_height();
      check_window(op, "filter", o.filter_w, o.filter_h);
      break;
    }
    case op::kFullyConnected: {
      const auto& f = options_of<fb::FullyConnectedOptions>(src, op);
      o.activation = read_activation(f.fused_activation_function(), op);
      o.fc_default_weights_format =
          f.weights_format() == fb::FullyConnectedOptionsWeightsFormat_DEFAULT;
      o.keep_dims = f.keep_num_dims();
      break;
    }
    case op::kSoftmax:
      o.softmax_beta = options_of<fb::SoftmaxOptions>(src, op).beta();
      break;
    case op::kConcatenation: {
      const auto& c = options_of<fb::ConcatenationOptions>(src, op);
      o.axis = c.axis();
      o.activation = read_activation(c.fused_activation_function(), op);
      break;
    }
    case op::kAdd:
      o.activation = activation_of<fb::AddOptions>(src, op);
      break;
    case op::kMul:
      o.activation = activation_of<fb::MulOptions>(src, op);
      break;
    case op::kReshape:
      o.new_shape = to_vector(options_of<fb::ReshapeOptions>(src, op).new_shape(), budget,
                              op_ref(op) + " new_shape");
      break;
    case op::kMean:
      o.keep_dims = options_of<fb::ReducerOptions>(src, op).keep_dims();
      break;
    case op::kSqueeze:
      o.squeeze_dims = to_vector(options_of<fb::SqueezeOptions>(src, op).squeeze_dims(), budget,
                                 op_ref(op) + " squeeze_dims");
      break;
    default:
      return;  // options of operators we do not interpret are not read
  }
  o.has_options = true;
}

std::vector<Operator> read_operators(const fb::Model* model, const fb::SubGraph* subgraph,
                                     size_t tensor_count, CopyBudget& budget) {
  std::vector<Operator> ops;
  const auto* src = subgraph->operators();
  if (!src) return ops;
  budget.spend(uint64_t{src->size()} * sizeof(Operator), "the operator list");
  const auto* codes = model->operator_codes();
  const size_t code_count = codes ? codes->size() : 0;
  ops.resize(src->size());
  for (flatbuffers::uoffset_t i = 0; i < src->size(); ++i) {
    const fb::Operator* s = src->Get(i);
    Operator& op = ops[i];
    op.index = static_cast<int32_t>(i);
    if (!s) fail("operator #" + std::to_string(i) + " is null");
    if (s->opcode_index() >= code_count) {
      fail("operator #" + std::to_string(i) + " uses operator code " +
           std::to_string(s->opcode_index()) + " but the model has " +
           std::to_string(code_count));
    }
    const fb::OperatorCode* code = codes->Get(s->opcode_index());
    if (!code) fail("operator code " + std::to_string(s->opcode_index()) + " is null");
    // Old files only set the byte field; new ones put 127 there once codes outgrew a byte.
    op.code = std::max<int32_t>(code->deprecated_builtin_code(), code->builtin_code());
    op.version = code->version();
    if (code->custom_code()) {
      budget.spend(code->custom_code()->size(), op_ref(op) + " custom code");
      op.custom_code = code->custom_code()->str();
    }
    op.inputs = to_vector(s->inputs(), budget, op_ref(op) + " inputs");
    op.outputs = to_vector(s->outputs(), budget, op_ref(op) + " outputs");
    check_tensor_indices(op.inputs, tensor_count, true, op_ref(op), "input");
    check_tensor_indices(op.outputs, tensor_count, false, op_ref(op), "output");
    read_options(s, op, budget);
    if (op.code == op::kCustom && s->custom_options()) {
      budget.spend(s->custom_options()->size(), op_ref(op) + " custom options");
      op.custom_options.assign(s->custom_options()->begin(), s->custom_options()->end());
    }
  }
  return ops;
}

Graph read_graph(const uint8_t* data, size_t size) {
  if (size < 8) {
    fail("not a TFLite model: " + std::to_string(size) + " bytes is too short for a FlatBuffer");
  }
  if (!fb::ModelBufferHasIdentifier(data)) {
    fail("not a TFLite model: the FlatBuffer file identifier at bytes 4..7 is not \"TFL3\"");
  }
  const uint32_t root = flatbuffers::ReadScalar<uint32_t>(data);
  if (root >= size) {
    fail("malformed TFLite model: its root table offset " + std::to_string(root) +
         " lies past the end of the " + std::to_string(size) + "-byte file (truncated?)");
  }
  flatbuffers::Verifier verifier(data, size);
  if (!fb::VerifyModelBuffer(verifier)) {
    fail("malformed TFLite model: the FlatBuffer verifier rejected the file (an offset, size "
         "or alignment in its tables does not fit the " + std::to_string(size) +
         " bytes, or a string or table is malformed; truncated or corrupted?)");
  }
  const fb::Model* model = fb::GetModel(data);
  const auto* subgraphs = model->subgraphs();
  if (!subgraphs || subgraphs->size() == 0) fail("the TFLite model has no subgraph");
  const fb::SubGraph* subgraph = subgraphs->Get(0);
  if (!subgraph) fail("subgraph 0 is null");

  CopyBudget budget(size);
  Graph graph;
  graph.schema_version = model->version();
  if (model->description()) graph.description = model->description()->str();
  graph.subgraph_count = subgraphs->size();
  graph.tensors = read_tensors(model, subgraph, budget);
  graph.operators = read_operators(model, subgraph, graph.tensors.size(), budget);
  graph.inputs = to_vector(subgraph->inputs(), budget, "the subgraph inputs");
  graph.outputs = to_vector(subgraph->outputs(), budget, "the subgraph outputs");
  check_tensor_indices(graph.inputs, graph.tensors.size(), false, "subgraph", "input");
  check_tensor_indices(graph.outputs, graph.tensors.size(), false, "subgraph", "output");
  return graph;
}

}  // namespace

size_t element_size(ElementType type) {
  switch (type) {
    case ElementType::kFloat32: return 4;
    case ElementType::kFloat16: return 2;
    case ElementType::kInt32: return 4;
    case ElementType::kUInt8: return 1;
    case ElementType::kInt64: return 8;
    case ElementType::kBool: return 1;
    case ElementType::kInt16: return 2;
    case ElementType::kComplex64: return 8;
    case ElementType::kInt8: return 1;
    case ElementType::kFloat64: return 8;
    case ElementType::kString: return 0;
  }
  return 0;
}

const char* element_type_name(ElementType type) {
  switch (type) {
    case ElementType::kFloat32: return "FLOAT32";
    case ElementType::kFloat16: return "FLOAT16";
    case ElementType::kInt32: return "INT32";
    case ElementType::kUInt8: return "UINT8";
    case ElementType::kInt64: return "INT64";
    case ElementType::kString: return "STRING";
    case ElementType::kBool: return "BOOL";
    case ElementType::kInt16: return "INT16";
    case ElementType::kComplex64: return "COMPLEX64";
    case ElementType::kInt8: return "INT8";
    case ElementType::kFloat64: return "FLOAT64";
  }
  return "unknown type";
}

std::string op_name(int32_t code) {
  switch (code) {
    case op::kAdd: return "ADD";
    case op::kAveragePool2D: return "AVERAGE_POOL_2D";
    case op::kConcatenation: return "CONCATENATION";
    case op::kConv2D: return "CONV_2D";
    case op::kDepthwiseConv2D: return "DEPTHWISE_CONV_2D";
    case op::kDequantize: return "DEQUANTIZE";
    case op::kFullyConnected: return "FULLY_CONNECTED";
    case op::kLogistic: return "LOGISTIC";
    case op::kMaxPool2D: return "MAX_POOL_2D";
    case op::kMul: return "MUL";
    case op::kRelu: return "RELU";
    case op::kRelu6: return "RELU6";
    case op::kReshape: return "RESHAPE";
    case op::kSoftmax: return "SOFTMAX";
    case op::kCustom: return "CUSTOM";
    case op::kPad: return "PAD";
    case op::kMean: return "MEAN";
    case op::kSqueeze: return "SQUEEZE";
    case op::kQuantize: return "QUANTIZE";
    default: return "builtin operator " + std::to_string(code);
  }
}

const char* activation_name(Activation activation) {
  switch (activation) {
    case Activation::kNone: return "NONE";
    case Activation::kRelu: return "RELU";
    case Activation::kReluN1To1: return "RELU_N1_TO_1";
    case Activation::kRelu6: return "RELU6";
    case Activation::kTanh: return "TANH";
    case Activation::kSignBit: return "SIGN_BIT";
  }
  return "unknown activation";
}

std::string shape_text(const std::vector<int32_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

std::string op_ref(const Operator& op) {
  const bool custom = op.code == op::kCustom && !op.custom_code.empty();
  return "operator #" + std::to_string(op.index) + " (" +
         (custom ? op.custom_code : op_name(op.code)) + ")";
}

std::string display_name(const std::string& name) {
  constexpr size_t kMaxChars = 80;
  std::string shown = name.substr(0, name.find(';'));
  if (shown.size() > kMaxChars) shown = shown.substr(0, kMaxChars - 3) + "...";
  return shown;
}

std::string Graph::tensor_label(int32_t index) const {
  return "'" + display_name(tensors.at(static_cast<size_t>(index)).name) + "' (#" +
         std::to_string(index) + ")";
}

std::string Graph::consistency_error() const {
  auto valid = [&](int32_t t) { return t >= 0 && static_cast<size_t>(t) < tensors.size(); };
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    const size_t bytes = t.element_count * element_size(t.type);
    if (t.index != static_cast<int32_t>(i) || (t.is_constant() && t.data_bytes() != bytes) ||
        t.quant.scales.size() != t.quant.zero_points.size()) {
      return "graph tensor #" + std::to_string(i) +
             " is inconsistent (index, data size or quantization)";
    }
  }
  for (size_t i = 0; i < operators.size(); ++i) {
    const Operator& op = operators[i];
    bool ok = op.index == static_cast<int32_t>(i);
    for (int32_t t : op.inputs) ok = ok && (t == -1 || valid(t));
    for (int32_t t : op.outputs) ok = ok && valid(t);
    if (!ok) return "graph operator #" + std::to_string(i) + " has an invalid index";
  }
  for (int32_t t : inputs) {
    if (!valid(t)) return "graph input " + std::to_string(t) + " is not a tensor";
  }
  for (int32_t t : outputs) {
    if (!valid(t)) return "graph output " + std::to_string(t) + " is not a tensor";
  }
  return "";
}

ReadResult read_tflite(const uint8_t* data, size_t size) {
  return reporting_errors<ReadError, ReadResult>("reading the TFLite model", [&] {
    // The verifier checks alignment relative to the buffer start, while reads dereference
    // absolute addresses; a copy makes both agree for callers (fuzzers) with odd pointers.
    std::vector<uint64_t> aligned;
    const uint8_t* bytes = data;
    if (size > 0 && reinterpret_cast<uintptr_t>(data) % alignof(uint64_t) != 0) {
      aligned.resize((size + 7) / 8);
      std::memcpy(aligned.data(), data, size);
      bytes = reinterpret_cast<const uint8_t*>(aligned.data());
    }
    if (size > 0 && !bytes) fail("null data pointer with a non-zero size");
    ReadResult result;
    result.graph = read_graph(bytes, size);
    result.ok = true;
    return result;
  });
}

}  // namespace mnv2::tflite
