#include "tflite/convert-common.h"

#include <cmath>
#include <cstdlib>

namespace mnv2::tflite {

std::string shape_text(const std::vector<int32_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
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

}  // namespace mnv2::tflite
