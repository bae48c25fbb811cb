#include "native/tflite-seeds.h"

#include <flatbuffers/flexbuffers.h>

#include <algorithm>
#include <map>
#include <random>
#include <string>

#include "model/architecture.h"
#include "tflite-subset_generated.h"

namespace mnv2::fuzzing {
namespace {

namespace fb = ::tflite;

// Collects tensors, operators and buffers, then writes one Model with one subgraph. Tables
// are finished one at a time (FlatBuffers forbids nesting their construction), children first.
class GraphBuilder {
 public:
  explicit GraphBuilder(uint32_t seed) : rng_(seed) {
    buffers_.push_back(fb::CreateBuffer(fbb_));  // buffer 0: the format's "no data" sentinel
  }

  // A tensor computed at run time (no buffer). scale 0 means "not quantized".
  int32_t activation(const std::string& name, const std::vector<int32_t>& shape,
                     fb::TensorType type, float scale = 0.0f, int64_t zero_point = 0) {
    return add_tensor(name, shape, type, 0, scale, zero_point);
  }

  // A constant with random contents. Constants of equal shape and type share one buffer, as
  // a converter may emit them: it keeps the seed small and exercises the reader's sharing.
  int32_t constant(const std::string& name, const std::vector<int32_t>& shape,
                   fb::TensorType type, float scale, int64_t zero_point) {
    size_t count = 1;
    for (int32_t d : shape) count *= static_cast<size_t>(d);
    const size_t element = type == fb::TensorType_INT32 || type == fb::TensorType_FLOAT32 ? 4 : 1;
    std::string key = std::to_string(type) + ":";
    for (int32_t d : shape) key += std::to_string(d) + ",";
    uint32_t buffer;
    const auto found = shared_.find(key);
    if (found != shared_.end()) {
      buffer = found->second;
    } else {
      std::vector<uint8_t> bytes(count * element);
      if (type == fb::TensorType_INT32) {
        // Small biases: int32 little-endian values in [-512, 511].
        std::uniform_int_distribution<int32_t> value(-512, 511);
        for (size_t i = 0; i < count; ++i) {
          const uint32_t v = static_cast<uint32_t>(value(rng_));
          for (size_t b = 0; b < 4; ++b) bytes[4 * i + b] = static_cast<uint8_t>(v >> (8 * b));
        }
      } else {
        for (uint8_t& byte : bytes) byte = static_cast<uint8_t>(rng_());
      }
      fbb_.ForceVectorAlignment(bytes.size(), 1, 16);  // the schema's force_align: 16
      const auto data = fbb_.CreateVector(bytes);
      buffer = static_cast<uint32_t>(buffers_.size());
      buffers_.push_back(fb::CreateBuffer(fbb_, data));
      shared_.emplace(key, buffer);
    }
    return add_tensor(name, shape, type, buffer, scale, zero_point);
  }

  void op(int32_t code, const std::vector<int32_t>& inputs, const std::vector<int32_t>& outputs,
          fb::BuiltinOptions options_type = fb::BuiltinOptions_NONE,
          flatbuffers::Offset<void> options = 0, const std::string& custom_code = "",
          const std::vector<uint8_t>& custom_options = {}) {
    const uint32_t code_index = opcode(code, custom_code);
    const auto in = fbb_.CreateVector(inputs);
    const auto out = fbb_.CreateVector(outputs);
    const auto custom = custom_options.empty() ? 0 : fbb_.CreateVector(custom_options);
    operators_.push_back(
        fb::CreateOperator(fbb_, code_index, in, out, options_type, options, custom));
  }

  flatbuffers::FlatBufferBuilder& fbb() { return fbb_; }

  std::vector<uint8_t> finish(const std::vector<int32_t>& inputs,
                              const std::vector<int32_t>& outputs) {
    const auto tensors = fbb_.CreateVector(tensors_);
    const auto in = fbb_.CreateVector(inputs);
    const auto out = fbb_.CreateVector(outputs);
    const auto ops = fbb_.CreateVector(operators_);
    const auto name = fbb_.CreateString("main");
    const auto subgraph = fb::CreateSubGraph(fbb_, tensors, in, out, ops, name);
    const auto codes = fbb_.CreateVector(codes_);
    const auto subgraphs = fbb_.CreateVector(&subgraph, 1);
    const auto description = fbb_.CreateString("mnv2 fuzz seed");
    const auto buffers = fbb_.CreateVector(buffers_);
    const auto model = fb::CreateModel(fbb_, 3, codes, subgraphs, description, buffers);
    fb::FinishModelBuffer(fbb_, model);
    return std::vector<uint8_t>(fbb_.GetBufferPointer(), fbb_.GetBufferPointer() + fbb_.GetSize());
  }

 private:
  int32_t add_tensor(const std::string& name, const std::vector<int32_t>& shape,
                     fb::TensorType type, uint32_t buffer, float scale, int64_t zero_point) {
    const auto shape_offset = fbb_.CreateVector(shape);
    const auto name_offset = fbb_.CreateString(name);
    flatbuffers::Offset<fb::QuantizationParameters> quant = 0;
    if (scale > 0.0f) {
      const auto scales = fbb_.CreateVector(std::vector<float>{scale});
      const auto zero_points = fbb_.CreateVector(std::vector<int64_t>{zero_point});
      quant = fb::CreateQuantizationParameters(fbb_, 0, 0, scales, zero_points);
    }
    tensors_.push_back(fb::CreateTensor(fbb_, shape_offset, type, buffer, name_offset, quant));
    return static_cast<int32_t>(tensors_.size() - 1);
  }

  uint32_t opcode(int32_t code, const std::string& custom_code) {
    const std::string key = std::to_string(code) + ":" + custom_code;
    const auto found = code_index_.find(key);
    if (found != code_index_.end()) return found->second;
    const auto custom = custom_code.empty() ? 0 : fbb_.CreateString(custom_code);
    // Files store the code twice: a byte (127 = "look at the int") and the int itself.
    const int8_t small = static_cast<int8_t>(std::min(code, 127));
    codes_.push_back(fb::CreateOperatorCode(fbb_, small, custom, 1,
                                            static_cast<fb::BuiltinOperator>(code)));
    const auto index = static_cast<uint32_t>(codes_.size() - 1);
    code_index_.emplace(key, index);
    return index;
  }

  flatbuffers::FlatBufferBuilder fbb_;
  std::mt19937 rng_;
  std::vector<flatbuffers::Offset<fb::Buffer>> buffers_;
  std::vector<flatbuffers::Offset<fb::Tensor>> tensors_;
  std::vector<flatbuffers::Offset<fb::Operator>> operators_;
  std::vector<flatbuffers::Offset<fb::OperatorCode>> codes_;
  std::map<std::string, uint32_t> shared_;
  std::map<std::string, uint32_t> code_index_;
};

constexpr auto kU8 = fb::TensorType_UINT8;
constexpr auto kI32 = fb::TensorType_INT32;
constexpr float kActivationScale = 6.0f / 255.0f;  // a ReLU6 output range in uint8
constexpr float kWeightScale = 0.02f;

int32_t i32(size_t value) { return static_cast<int32_t>(value); }

// A convolution-like layer: weights, bias, output tensor and the operator.
int32_t conv_layer(GraphBuilder& g, const std::string& name, int32_t code, int32_t input,
                   std::vector<int32_t> weight_shape, int32_t out_channels, int32_t out_size,
                   int32_t stride, fb::ActivationFunctionType activation) {
  const int32_t weights = g.constant(name + "/weights", weight_shape, kU8, kWeightScale, 128);
  const int32_t bias = g.constant(name + "/bias", {out_channels}, kI32,
                                  kActivationScale * kWeightScale, 0);
  const int32_t output = g.activation(name + "/out", {1, out_size, out_size, out_channels}, kU8,
                                      kActivationScale, 0);
  flatbuffers::Offset<void> options;
  fb::BuiltinOptions type;
  if (code == fb::BuiltinOperator_DEPTHWISE_CONV_2D) {
    options = fb::CreateDepthwiseConv2DOptions(g.fbb(), fb::Padding_SAME, stride, stride, 1,
                                               activation).Union();
    type = fb::BuiltinOptions_DepthwiseConv2DOptions;
  } else {
    options = fb::CreateConv2DOptions(g.fbb(), fb::Padding_SAME, stride, stride, activation)
                  .Union();
    type = fb::BuiltinOptions_Conv2DOptions;
  }
  g.op(code, {input, weights, bias}, {output}, type, options);
  return output;
}

}  // namespace

std::vector<uint8_t> tiny_classifier_tflite(uint32_t num_classes, uint32_t seed) {
  constexpr float kAlpha = 0.35f;
  constexpr int32_t kInput = 32;
  const ArchitectureShape arch = mobilenet_v2_architecture(kAlpha);
  GraphBuilder g(seed);
  const auto relu6 = fb::ActivationFunctionType_RELU6;
  const auto linear = fb::ActivationFunctionType_NONE;

  // TF1 uint8 convention: q = pixel, real = (q - 128) / 128.
  const int32_t input = g.activation("input", {1, kInput, kInput, 3}, kU8, 1.0f / 128, 128);
  int32_t size = (kInput + 1) / 2;
  const int32_t stem_c = i32(arch.stem_channels);
  int32_t t = conv_layer(g, "stem", fb::BuiltinOperator_CONV_2D, input, {stem_c, 3, 3, 3},
                         stem_c, size, 2, relu6);
  for (size_t i = 0; i < arch.blocks.size(); ++i) {
    const BlockShape& b = arch.blocks[i];
    const std::string name = "block" + std::to_string(i);
    const int32_t in_c = i32(b.in_channels), e = i32(b.expanded_channels), out_c = i32(b.out_channels);
    const int32_t block_input = t;
    if (b.has_expand) {
      t = conv_layer(g, name + "/expand", fb::BuiltinOperator_CONV_2D, t, {e, 1, 1, in_c}, e,
                     size, 1, relu6);
    }
    const int32_t stride = i32(b.stride);
    size = (size + stride - 1) / stride;
    t = conv_layer(g, name + "/dw", fb::BuiltinOperator_DEPTHWISE_CONV_2D, t, {1, 3, 3, e}, e,
                   size, stride, relu6);
    t = conv_layer(g, name + "/project", fb::BuiltinOperator_CONV_2D, t, {out_c, 1, 1, e},
                   out_c, size, 1, linear);
    if (b.residual) {
      const int32_t sum = g.activation(name + "/add", {1, size, size, out_c}, kU8,
                                       kActivationScale, 0);
      g.op(fb::BuiltinOperator_ADD, {block_input, t}, {sum}, fb::BuiltinOptions_AddOptions,
           fb::CreateAddOptions(g.fbb(), linear).Union());
      t = sum;
    }
  }
  const int32_t head_c = i32(arch.head_channels);
  t = conv_layer(g, "head", fb::BuiltinOperator_CONV_2D, t,
                 {head_c, 1, 1, i32(arch.blocks.back().out_channels)}, head_c, size, 1, relu6);
  const int32_t pooled = g.activation("pool", {1, 1, 1, head_c}, kU8, kActivationScale, 0);
  g.op(fb::BuiltinOperator_AVERAGE_POOL_2D, {t}, {pooled}, fb::BuiltinOptions_Pool2DOptions,
       fb::CreatePool2DOptions(g.fbb(), fb::Padding_VALID, 1, 1, size, size, linear).Union());
  const int32_t n = i32(num_classes);
  t = conv_layer(g, "logits", fb::BuiltinOperator_CONV_2D, pooled, {n, 1, 1, head_c}, n, 1, 1,
                 linear);
  const int32_t flat = g.activation("reshape", {1, n}, kU8, 0.1f, 0);
  const auto new_shape = g.fbb().CreateVector(std::vector<int32_t>{1, n});
  g.op(fb::BuiltinOperator_RESHAPE, {t}, {flat}, fb::BuiltinOptions_ReshapeOptions,
       fb::CreateReshapeOptions(g.fbb(), new_shape).Union());
  const int32_t probabilities = g.activation("softmax", {1, n}, kU8, 1.0f / 256, 0);
  g.op(fb::BuiltinOperator_SOFTMAX, {flat}, {probabilities}, fb::BuiltinOptions_SoftmaxOptions,
       fb::CreateSoftmaxOptions(g.fbb(), 1.0f).Union());
  return g.finish({input}, {probabilities});
}

std::vector<uint8_t> operator_zoo_tflite() {
  GraphBuilder g(11);
  const auto relu6 = fb::ActivationFunctionType_RELU6;
  const auto none = fb::ActivationFunctionType_NONE;
  auto& f = g.fbb();
  const int32_t x = g.activation("x", {1, 4, 4, 8}, kU8, 0.05f, 3);
  const int32_t a = g.activation("a", {1, 4, 4, 8}, kU8, 0.05f, 3);
  const int32_t b = g.activation("b", {1, 2, 2, 8}, fb::TensorType_FLOAT32);
  const int32_t c = g.activation("c", {1, 8}, fb::TensorType_FLOAT32);
  const int32_t w = g.constant("w", {8, 1, 1, 8}, kU8, kWeightScale, 128);
  const int32_t dw = g.constant("dw", {1, 3, 3, 8}, fb::TensorType_INT8, kWeightScale, 0);
  const int32_t bias = g.constant("bias", {8}, kI32, 0.001f, 0);
  const int32_t axes = g.constant("axes", {2}, kI32, 0.0f, 0);
  const int32_t fc = g.constant("fc", {8, 8}, fb::TensorType_FLOAT32, 0.0f, 0);

  g.op(fb::BuiltinOperator_CONV_2D, {x, w, bias}, {a}, fb::BuiltinOptions_Conv2DOptions,
       fb::CreateConv2DOptions(f, fb::Padding_SAME, 1, 1, relu6).Union());
  g.op(fb::BuiltinOperator_DEPTHWISE_CONV_2D, {a, dw, -1}, {a},
       fb::BuiltinOptions_DepthwiseConv2DOptions,
       fb::CreateDepthwiseConv2DOptions(f, fb::Padding_SAME, 1, 1, 1, relu6, 1, 1).Union());
  g.op(fb::BuiltinOperator_AVERAGE_POOL_2D, {a}, {b}, fb::BuiltinOptions_Pool2DOptions,
       fb::CreatePool2DOptions(f, fb::Padding_VALID, 2, 2, 2, 2, none).Union());
  g.op(fb::BuiltinOperator_MAX_POOL_2D, {a}, {b}, fb::BuiltinOptions_Pool2DOptions,
       fb::CreatePool2DOptions(f, fb::Padding_SAME, 2, 2, 3, 3, relu6).Union());
  g.op(fb::BuiltinOperator_MEAN, {b, axes}, {c}, fb::BuiltinOptions_ReducerOptions,
       fb::CreateReducerOptions(f, true).Union());
  g.op(fb::BuiltinOperator_FULLY_CONNECTED, {c, fc, -1}, {c},
       fb::BuiltinOptions_FullyConnectedOptions,
       fb::CreateFullyConnectedOptions(f, none, fb::FullyConnectedOptionsWeightsFormat_DEFAULT,
                                       true).Union());
  g.op(fb::BuiltinOperator_SOFTMAX, {c}, {c}, fb::BuiltinOptions_SoftmaxOptions,
       fb::CreateSoftmaxOptions(f, 0.5f).Union());
  g.op(fb::BuiltinOperator_CONCATENATION, {c, c}, {c}, fb::BuiltinOptions_ConcatenationOptions,
       fb::CreateConcatenationOptions(f, -1, none).Union());
  g.op(fb::BuiltinOperator_ADD, {a, a}, {a}, fb::BuiltinOptions_AddOptions,
       fb::CreateAddOptions(f, relu6).Union());
  g.op(fb::BuiltinOperator_MUL, {a, a}, {a}, fb::BuiltinOptions_MulOptions,
       fb::CreateMulOptions(f, none).Union());
  const auto new_shape = f.CreateVector(std::vector<int32_t>{1, 128});
  g.op(fb::BuiltinOperator_RESHAPE, {a}, {c}, fb::BuiltinOptions_ReshapeOptions,
       fb::CreateReshapeOptions(f, new_shape).Union());
  const auto squeeze = f.CreateVector(std::vector<int32_t>{1, 2});
  g.op(fb::BuiltinOperator_SQUEEZE, {b}, {c}, fb::BuiltinOptions_SqueezeOptions,
       fb::CreateSqueezeOptions(f, squeeze).Union());
  g.op(fb::BuiltinOperator_QUANTIZE, {c}, {x});
  g.op(fb::BuiltinOperator_DEQUANTIZE, {x}, {c});
  g.op(fb::BuiltinOperator_LOGISTIC, {c}, {c});

  // TFLite_Detection_PostProcess keeps its settings in a FlexBuffer map (whose keys are
  // sorted, whatever order they are written in).
  flexbuffers::Builder options;
  options.Map([&]() {
    add_required_postprocess_options(options, 0.6f, 0.3f);
    options.Int("max_classes_per_detection", 1);
    options.Int("detections_per_class", 100);
    options.Bool("use_regular_nms", false);
  });
  options.Finish();
  g.op(fb::BuiltinOperator_CUSTOM, {c, c, c}, {c, c, c, c}, fb::BuiltinOptions_NONE, 0,
       "TFLite_Detection_PostProcess", options.GetBuffer());
  return g.finish({x}, {c});
}

void add_required_postprocess_options(flexbuffers::Builder& map,
                                      std::optional<float> iou_threshold,
                                      float score_threshold) {
  map.Float("y_scale", 10.0f);
  map.Float("x_scale", 10.0f);
  map.Float("h_scale", 5.0f);
  map.Float("w_scale", 5.0f);
  if (iou_threshold) map.Float("nms_iou_threshold", *iou_threshold);
  map.Float("nms_score_threshold", score_threshold);
  map.Int("max_detections", 10);
  map.Int("num_classes", 20);
}

}  // namespace mnv2::fuzzing
