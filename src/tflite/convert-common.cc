#include "tflite/convert-common.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <utility>

namespace mnv2::tflite {

std::string layer_ref(const ConvLayer& l) {
  return "operator #" + std::to_string(l.op->index) + " (" + op_name(l.op->code) + ", " +
         l.role + ")";
}

namespace {

void check_quantization(const ConvLayer& l, const Tensor& t, const char* what,
                        size_t channel_axis) {
  const std::string where = layer_ref(l) + " " + what + " " + display_name(t.name);
  const bool integer = t.type == ElementType::kUInt8 || t.type == ElementType::kInt8 ||
                       t.type == ElementType::kInt32;
  if (!integer) return;
  if (!t.quant.quantized()) fail(where + " is " + element_type_name(t.type) + " but not quantized");
  if (t.quant.per_channel() && static_cast<size_t>(t.quant.axis) != channel_axis) {
    fail(where + " is quantized per channel along dimension " + std::to_string(t.quant.axis) +
         ", expected the output channel dimension " + std::to_string(channel_axis));
  }
  for (size_t i = 0; i < t.quant.scales.size(); ++i) {
    const float scale = t.quant.scales[i];
    const int64_t zp = t.quant.zero_points[i];
    if (!(scale > 0.0f) || !std::isfinite(scale)) {
      fail(where + " has scale " + std::to_string(scale) + " at " + std::to_string(i) +
           " (must be positive)");
    }
    const bool zp_ok = (t.type == ElementType::kUInt8 && zp >= 0 && zp <= 255) ||
                       (t.type == ElementType::kInt8 && zp >= -128 && zp <= 127) ||
                       (t.type == ElementType::kInt32 && zp == 0);
    if (!zp_ok) {
      fail(where + " has zero point " + std::to_string(zp) + " at " + std::to_string(i) +
           ", outside what " + element_type_name(t.type) + " allows");
    }
  }
}

// The engine's input normalization (pixel - mean) / std from the graph input's quantization;
// MobileNetV2's [-1, 1] convention for a float input. Fails for an unusable input type.
void input_normalization(const Tensor& input, float* mean, float* std) {
  const std::string where = "graph input " + display_name(input.name);
  if (input.type == ElementType::kFloat32) {
    *mean = 127.5f;  // MobileNetV2's [-1, 1] convention; a float graph does not record it
    *std = 127.5f;
    return;
  }
  if (input.type != ElementType::kUInt8 && input.type != ElementType::kInt8) {
    fail(where + " is " + element_type_name(input.type) + "; UINT8, INT8 or FLOAT32 expected");
  }
  if (input.quant.scales.size() != 1) {
    fail(where + " needs one scale and zero point, it has " +
         std::to_string(input.quant.scales.size()));
  }
  const float scale = input.quant.scales[0];
  const int64_t zero_point = input.quant.zero_points[0];
  if (!(scale > 0.0f) || !std::isfinite(scale) || std::abs(zero_point) > 255) {
    fail(where + " has an unusable quantization (scale " + std::to_string(scale) +
         ", zero point " + std::to_string(zero_point) + ")");
  }
  // real = scale * (q - zero_point) with q = pixel (uint8) or pixel - 128 (int8).
  *mean = static_cast<float>(zero_point) + (input.type == ElementType::kInt8 ? 128.0f : 0.0f);
  *std = 1.0f / scale;
}

}  // namespace

void check_types(const ConvLayer& l, size_t weight_channel_axis) {
  const ElementType w = l.weights->type;
  const ElementType b = l.bias->type;
  if (w == ElementType::kUInt8 || w == ElementType::kInt8) {
    if (b != ElementType::kInt32) {
      fail(layer_ref(l) + " has " + element_type_name(w) + " weights but " +
           element_type_name(b) + " bias, expected INT32");
    }
  } else if (w == ElementType::kFloat32) {
    if (b != ElementType::kFloat32) {
      fail(layer_ref(l) + " has FLOAT32 weights but " + element_type_name(b) + " bias");
    }
  } else {
    fail(layer_ref(l) + " has " + element_type_name(w) +
         " weights; UINT8, INT8 and FLOAT32 are supported");
  }
  check_quantization(l, *l.weights, "weights", weight_channel_axis);
  check_quantization(l, *l.bias, "bias", 0);
}

void check_shape(const ConvLayer& l, const Tensor& t, const char* what,
                 const std::vector<int32_t>& expected, const std::string& needs) {
  if (t.shape != expected) {
    fail(layer_ref(l) + " " + what + " " + display_name(t.name) + " has shape " +
         shape_text(t.shape) + ", " + needs + " " + shape_text(expected));
  }
}

size_t check_conv(const ConvLayer& l, const ConvExpected& e, size_t in_size,
                  const std::string& needs) {
  const OperatorOptions& o = l.op->options;
  if (!o.has_options) fail(layer_ref(l) + " carries no options");
  const int32_t stride = static_cast<int32_t>(e.stride);
  if (o.stride_w != stride || o.stride_h != stride) {
    fail(layer_ref(l) + " has stride " + std::to_string(o.stride_w) + "x" +
         std::to_string(o.stride_h) + ", expected " + std::to_string(stride) + "x" +
         std::to_string(stride));
  }
  if (o.dilation_w != 1 || o.dilation_h != 1) fail(layer_ref(l) + " is dilated");
  // A 1x1 stride-1 convolution pads nothing either way, so VALID is as good as SAME there.
  if (o.padding != Padding::kSame && !(e.kernel == 1 && e.stride == 1)) {
    fail(layer_ref(l) + " has VALID padding, the engine computes SAME");
  }
  if (o.activation != e.activation) {
    fail(layer_ref(l) + " has fused activation " + activation_name(o.activation) + ", expected " +
         activation_name(e.activation));
  }
  if (e.depthwise && o.depth_multiplier != 1) {
    fail(layer_ref(l) + " has depth multiplier " + std::to_string(o.depth_multiplier) +
         ", expected 1");
  }
  const int32_t out = static_cast<int32_t>(e.out_channels);
  const int32_t k = static_cast<int32_t>(e.kernel);
  const int32_t in = static_cast<int32_t>(e.in_channels);
  const std::vector<int32_t> weights =
      e.depthwise ? std::vector<int32_t>{1, k, k, out} : std::vector<int32_t>{out, k, k, in};
  check_shape(l, *l.weights, "weights", weights, needs);
  check_shape(l, *l.bias, "bias", {out}, needs);
  const int32_t size_in = static_cast<int32_t>(in_size);
  check_shape(l, *l.input, "input", {1, size_in, size_in, in}, needs);
  const size_t out_size = (in_size + e.stride - 1) / e.stride;  // SAME padding
  const int32_t size_out = static_cast<int32_t>(out_size);
  check_shape(l, *l.output, "output", {1, size_out, size_out, out}, needs);
  check_types(l, e.depthwise ? 3 : 0);
  return out_size;
}

std::string alpha_needs(float alpha) {
  char text[16];
  std::snprintf(text, sizeof text, "%g", alpha);
  return "MobileNetV2 alpha " + std::string(text) + " needs";
}

namespace {

void check_block(const BackboneBlock& b, const BlockShape& shape, size_t index, size_t* size,
                 const std::string& needs) {
  const std::string where = "block " + std::to_string(index) + " (from operator #" +
                            std::to_string(b.has_expand ? b.expand.op->index
                                                        : b.depthwise.op->index) + ")";
  if (b.has_expand != shape.has_expand) {
    fail(where + (b.has_expand ? " has" : " lacks") + " an expand convolution, but block " +
         std::to_string(index) + " of MobileNetV2 has expansion " +
         std::to_string(shape.expansion));
  }
  const size_t expanded = shape.expanded_channels;
  if (b.has_expand) {
    check_conv(b.expand, {expanded, 1, shape.in_channels, 1, Activation::kRelu6, false}, *size,
               needs);
  }
  *size = check_conv(b.depthwise, {expanded, 3, expanded, shape.stride, Activation::kRelu6, true},
                     *size, needs);
  check_conv(b.project, {shape.out_channels, 1, expanded, 1, Activation::kNone, false}, *size,
             needs);
  if ((b.add != nullptr) != shape.residual) {
    fail(where + (b.add ? " has" : " lacks") + " a residual ADD, but block " +
         std::to_string(index) + " of MobileNetV2 " +
         (shape.residual ? "has one" : "has none"));
  }
  if (b.add && b.add->options.activation != Activation::kNone) {
    fail("operator #" + std::to_string(b.add->index) + " (ADD, block " + std::to_string(index) +
         " residual) has fused activation " + activation_name(b.add->options.activation));
  }
}

}  // namespace

size_t check_backbone(const ConvLayer& stem, const std::vector<BackboneBlock>& blocks,
                      const ConvLayer& head, const ArchitectureShape& arch, size_t in_size,
                      const std::string& needs) {
  size_t size = check_conv(stem, {arch.stem_channels, 3, 3, 2, Activation::kRelu6, false},
                           in_size, needs);
  for (size_t i = 0; i < blocks.size(); ++i) {
    check_block(blocks[i], arch.blocks[i], i, &size, needs);
  }
  check_conv(head, {arch.head_channels, 1, arch.blocks.back().out_channels, 1, Activation::kRelu6,
                    false}, size, needs);
  return size;
}

TensorType stored_type(ElementType type) {
  switch (type) {
    case ElementType::kUInt8: return TensorType::kU8;
    case ElementType::kInt8: return TensorType::kI8;
    case ElementType::kInt32: return TensorType::kI32;
    default: return TensorType::kF32;  // the converters' type checks admit nothing else
  }
}

void add_tensor(WeightFileBuilder& builder, const std::string& name, const Tensor& t,
                const std::vector<int32_t>& shape) {
  const std::vector<uint32_t> dims(shape.begin(), shape.end());
  std::vector<float> scales;
  std::vector<int32_t> zero_points;
  uint32_t axis = 0;
  if (t.type != ElementType::kFloat32) {
    scales = t.quant.scales;
    zero_points.assign(t.quant.zero_points.begin(), t.quant.zero_points.end());  // range-checked
    if (t.quant.per_channel() && static_cast<size_t>(t.quant.axis) < dims.size()) {
      axis = static_cast<uint32_t>(t.quant.axis);
    }
  }
  if (!builder.add_tensor(name, stored_type(t.type), dims, t.data(), t.data_bytes(), scales,
                          zero_points, axis)) {
    fail("writing " + name + ": " + builder.error());
  }
}

bool quantized_activation(const Tensor& t) {
  return t.type == ElementType::kUInt8 || t.type == ElementType::kInt8;
}

void add_activation_quant(WeightFileBuilder& builder, const std::string& layer, const Tensor& t) {
  const std::string name = layer + ".out_q";
  const std::string what = "activation " + display_name(t.name) + " (" + layer + " output)";
  if (!quantized_activation(t)) {
    fail(what + " is " + element_type_name(t.type) + " in a graph with quantized activations");
  }
  if (t.quant.scales.size() != 1 || !(t.quant.scales[0] > 0.0f)) {
    fail(what + " has " + std::to_string(t.quant.scales.size()) +
         " scales; one positive scale (per tensor) is required");
  }
  const int64_t zero_point = t.quant.zero_points[0];
  const int64_t lo = t.type == ElementType::kUInt8 ? 0 : -128;
  if (zero_point < lo || zero_point > lo + 255) {
    fail(what + " has zero point " + std::to_string(zero_point) + ", outside " +
         element_type_name(t.type));
  }
  const uint8_t element = static_cast<uint8_t>(zero_point);  // two's complement for I8
  if (!builder.add_tensor(name, stored_type(t.type), {1}, &element, 1, {t.quant.scales[0]},
                          {static_cast<int32_t>(zero_point)}, 0)) {
    fail("writing " + name + " for " + display_name(t.name) + ": " + builder.error());
  }
}

void check_image_input(const Tensor& input, ModelSummary* summary) {
  if (input.shape.size() != 4 || input.shape[0] != 1 || input.shape[3] != 3 ||
      input.shape[1] != input.shape[2] || input.shape[1] < 1) {
    fail("graph input " + display_name(input.name) + " has shape " + shape_text(input.shape) +
         ", expected [1,S,S,3]");
  }
  summary->input_size = static_cast<uint32_t>(input.shape[1]);
  input_normalization(input, &summary->input_mean, &summary->input_std);
}

void check_label_count(const std::vector<std::string>& labels, size_t classes) {
  if (labels.size() != classes) {
    fail("the label file has " + std::to_string(labels.size()) + " labels but the model has " +
         std::to_string(classes) + " classes");
  }
}

Graph read_graph_or_fail(const uint8_t* tflite, size_t size) {
  ReadResult read = read_tflite(tflite, size);
  if (!read.ok) fail(read.error);
  return std::move(read.graph);
}

void add_layer(WeightFileBuilder& builder, const std::string& name, const ConvLayer& l,
               const std::vector<int32_t>& weight_shape) {
  add_tensor(builder, name + ".w", *l.weights, weight_shape);
  add_tensor(builder, name + ".b", *l.bias);
}

void add_backbone_layers(WeightFileBuilder& builder, const ConvLayer& stem,
                         const std::vector<BackboneBlock>& blocks, const ConvLayer& head) {
  add_layer(builder, "stem", stem);
  for (size_t i = 0; i < blocks.size(); ++i) {
    const BackboneBlock& b = blocks[i];
    if (b.has_expand) add_layer(builder, block_layer_name(i, "expand"), b.expand);
    add_layer(builder, block_layer_name(i, "dw"), b.depthwise);
    add_layer(builder, block_layer_name(i, "project"), b.project);
  }
  add_layer(builder, "head", head);
}

void add_backbone_activation_quants(WeightFileBuilder& builder, const ConvLayer& stem,
                                    const std::vector<BackboneBlock>& blocks,
                                    const ConvLayer& head) {
  add_activation_quant(builder, "input", *stem.input);
  add_activation_quant(builder, "stem", *stem.output);
  for (size_t i = 0; i < blocks.size(); ++i) {
    const BackboneBlock& b = blocks[i];
    if (b.has_expand) {
      add_activation_quant(builder, block_layer_name(i, "expand"), *b.expand.output);
    }
    add_activation_quant(builder, block_layer_name(i, "dw"), *b.depthwise.output);
    add_activation_quant(builder, block_layer_name(i, "project"), *b.project.output);
    if (b.add) add_activation_quant(builder, block_layer_name(i, "add"), *b.output);
  }
  add_activation_quant(builder, "head", *head.output);
}

void start_weight_file(WeightFileBuilder& builder, ModelKind kind, const ModelSummary& summary,
                       const std::vector<std::string>& labels) {
  builder.set_model_kind(kind);
  builder.set_input_size(summary.input_size);
  builder.set_alpha(summary.alpha);
  builder.set_num_classes(summary.num_classes);
  builder.set_input_normalization(summary.input_mean, summary.input_std);
  builder.set_labels(labels);
}

std::vector<uint8_t> finish_weight_file(WeightFileBuilder& builder, ModelSummary* summary) {
  std::vector<uint8_t> file = builder.build();
  if (file.empty()) fail("writing the weight file: " + builder.error());
  summary->tensor_count = builder.tensor_count();
  return file;
}

}  // namespace mnv2::tflite
