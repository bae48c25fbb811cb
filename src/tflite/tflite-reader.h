// Reads a .tflite file (a FlatBuffer) into plain C++ structs: the main subgraph's tensors with
// their constant data and quantization, and its operators in execution order with the options
// the converter needs. Native only (the converter and its tests); never part of the WASM build.
//
// The input is untrusted: the FlatBuffer verifier runs before anything is read, and every
// index, count and size the file declares is checked afterwards, so a malformed file gives an
// error message naming the tensor or operator at fault, never a crash. Memory use is bounded
// by a small multiple of the file size even when a crafted file points many tables at one
// large vector (which the FlatBuffer format allows).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace mnv2::tflite {

// Values of the format's TensorType enum (kept as the file stores them).
enum class ElementType : int8_t {
  kFloat32 = 0,
  kFloat16 = 1,
  kInt32 = 2,
  kUInt8 = 3,
  kInt64 = 4,
  kString = 5,
  kBool = 6,
  kInt16 = 7,
  kComplex64 = 8,
  kInt8 = 9,
  kFloat64 = 10,
};

// Values of the format's BuiltinOperator enum for the operators MobileNetV2 graphs contain.
// Operator::code holds any value the file has, named here or not.
namespace op {
inline constexpr int32_t kAdd = 0;
inline constexpr int32_t kAveragePool2D = 1;
inline constexpr int32_t kConcatenation = 2;
inline constexpr int32_t kConv2D = 3;
inline constexpr int32_t kDepthwiseConv2D = 4;
inline constexpr int32_t kDequantize = 6;
inline constexpr int32_t kFullyConnected = 9;
inline constexpr int32_t kLogistic = 14;
inline constexpr int32_t kMaxPool2D = 17;
inline constexpr int32_t kMul = 18;
inline constexpr int32_t kRelu = 19;
inline constexpr int32_t kRelu6 = 21;
inline constexpr int32_t kReshape = 22;
inline constexpr int32_t kSoftmax = 25;
inline constexpr int32_t kCustom = 32;
inline constexpr int32_t kPad = 34;
inline constexpr int32_t kMean = 40;
inline constexpr int32_t kSqueeze = 43;
inline constexpr int32_t kQuantize = 114;
}  // namespace op

enum class Padding : int8_t { kSame = 0, kValid = 1 };

enum class Activation : int8_t {
  kNone = 0,
  kRelu = 1,
  kReluN1To1 = 2,
  kRelu6 = 3,
  kTanh = 4,
  kSignBit = 5,
};

// Element size in bytes, 0 for types without a fixed size (STRING) or unknown values.
size_t element_size(ElementType type);
const char* element_type_name(ElementType type);
std::string op_name(int32_t code);  // "CONV_2D", ..., or "builtin operator 57"
const char* activation_name(Activation activation);
// A tensor name short enough for a message: converters join every name a fused tensor had
// with ';', so keep the first of them, and at most 80 characters.
std::string display_name(const std::string& name);
// "[1,224,224,3]", for messages.
std::string shape_text(const std::vector<int32_t>& shape);

struct Quantization {
  // Empty when the tensor is not quantized. Otherwise scales.size() == zero_points.size() and
  // is 1 (per tensor) or shape[axis] (per channel along axis).
  std::vector<float> scales;
  std::vector<int64_t> zero_points;
  int32_t axis = 0;

  bool quantized() const { return !scales.empty(); }
  bool per_channel() const { return scales.size() > 1; }
};

struct Tensor {
  int32_t index = 0;
  std::string name;
  std::vector<int32_t> shape;  // every dimension >= 0
  ElementType type = ElementType::kFloat32;
  size_t element_count = 0;    // product of shape (1 for a scalar)
  // Constant data, element_count * element_size(type) bytes copied out of the file; null for
  // activations (tensors computed at run time). Tensors reading the same file buffer share
  // one copy.
  std::shared_ptr<const std::vector<uint8_t>> buffer;
  Quantization quant;

  const uint8_t* data() const { return buffer ? buffer->data() : nullptr; }
  size_t data_bytes() const { return buffer ? buffer->size() : 0; }
  bool is_constant() const { return data_bytes() > 0; }
};

// Options of the operators this reader knows. Fields an operator does not have keep their
// defaults; has_options says whether the file carried the option table matching the operator.
struct OperatorOptions {
  bool has_options = false;
  Padding padding = Padding::kSame;
  int32_t stride_w = 1;
  int32_t stride_h = 1;
  int32_t dilation_w = 1;
  int32_t dilation_h = 1;
  int32_t depth_multiplier = 1;  // DEPTHWISE_CONV_2D
  int32_t filter_w = 0;          // pooling
  int32_t filter_h = 0;
  Activation activation = Activation::kNone;
  float softmax_beta = 1.0f;             // SOFTMAX
  int32_t axis = 0;                      // CONCATENATION
  bool keep_dims = false;                // MEAN; FULLY_CONNECTED keep_num_dims
  bool fc_default_weights_format = true; // FULLY_CONNECTED: false for shuffled weights
  std::vector<int32_t> new_shape;        // RESHAPE
  std::vector<int32_t> squeeze_dims;     // SQUEEZE
};

struct Operator {
  int32_t index = 0;             // position in execution order
  int32_t code = 0;              // BuiltinOperator value (see op::)
  std::string custom_code;       // for CUSTOM
  int32_t version = 1;
  std::vector<int32_t> inputs;   // tensor indices; -1 = optional input left out
  std::vector<int32_t> outputs;  // tensor indices, never -1
  OperatorOptions options;
  // CUSTOM operators only: their options blob as stored (TFLite's custom ops keep their
  // parameters there, usually as a FlexBuffer map, e.g. TFLite_Detection_PostProcess).
  std::vector<uint8_t> custom_options;
};

// "operator #12 (CONV_2D)", a custom operator by its custom code once it is read, for
// messages.
std::string op_ref(const Operator& op);

struct Graph {
  uint32_t schema_version = 0;
  std::string description;
  std::vector<Tensor> tensors;
  std::vector<Operator> operators;  // in execution order
  std::vector<int32_t> inputs;      // tensor indices
  std::vector<int32_t> outputs;
  size_t subgraph_count = 0;        // only subgraph 0 (the main graph) is read

  // "'name' (#index)" for error messages; index must be valid.
  std::string tensor_label(int32_t index) const;

  // What read_tflite() guarantees and a graph built or edited in code (tests do) may break:
  // every tensor and operator at its own position, valid tensor indices (-1 only for an
  // optional operator input left out), constant data of the size the tensor's element count
  // and type give, as many scales as zero points. Empty when all of that holds, else what does
  // not; the converters refuse such a graph, their walks rely on it.
  std::string consistency_error() const;
};

struct ReadResult {
  bool ok = false;
  std::string error;  // set when !ok
  Graph graph;
};

// Never throws; any problem with the bytes is reported in ReadResult::error.
ReadResult read_tflite(const uint8_t* data, size_t size);

}  // namespace mnv2::tflite
