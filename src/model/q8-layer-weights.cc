#include "model/q8-layer-weights.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "model/layer-weights.h"

namespace mnv2 {
namespace {

bool fail(std::string* error, const std::string& message) {
  *error = message;
  return false;
}

}  // namespace

namespace q8_load {

bool read_activation(const WeightFileView& file, const std::string& layer, ActivationQuant* out,
                     std::string* error) {
  const std::string name = layer + ".out_q";
  const TensorView* t = file.find(name);
  if (t == nullptr) {
    return fail(error, "weight file has no activation quantization (" + name +
                           "): int8 needs a quantized model converted by this version's "
                           "mnv2-convert; use precision 'float' for this file");
  }
  if ((t->type != TensorType::kU8 && t->type != TensorType::kI8) || t->quant_count != 1) {
    return fail(error, "tensor " + name + " is not a per-tensor U8/I8 activation quantization");
  }
  out->scale = t->scale(0);
  const int64_t zero_point = int64_t{t->zero_point(0)} - (t->type == TensorType::kU8 ? 128 : 0);
  if (!(std::isfinite(out->scale) && out->scale > 0.0f) || zero_point < -128 || zero_point > 127) {
    return fail(error, "tensor " + name + " has an invalid activation quantization (scale " +
                           std::to_string(out->scale) + ", zero point " +
                           std::to_string(t->zero_point(0)) + ")");
  }
  out->zero_point = static_cast<int32_t>(zero_point);
  return true;
}

// TFLite's clamp for a fused ReLU6: [max(qmin, zp), min(qmax, zp + round(6 / scale))].
// A tiny scale puts 6 beyond the int8 range: the clamp is then qmax (checked before the cast,
// which would overflow).
Q8Output relu6_output(const ActivationQuant& q) {
  const float steps = std::round(6.0f / q.scale);
  const int32_t six = steps >= 255.0f ? 127 : q.zero_point + static_cast<int32_t>(steps);
  return {q.zero_point, std::max(-128, q.zero_point), std::min(127, six)};
}

Q8Output linear_output(const ActivationQuant& q) { return {q.zero_point, -128, 127}; }

bool read_layer(const WeightFileView& file, const std::string& layer,
                const std::vector<size_t>& dims, size_t channel_axis,
                const ActivationQuant& input, const ActivationQuant& output, IntegerLayer* out,
                std::string* error) {
  const TensorView* w = find_tensor(file, layer + ".w", error);
  const TensorView* b = w ? find_tensor(file, layer + ".b", error) : nullptr;
  if (b == nullptr || !check_dims(file, *w, dims, error)) return false;
  if (w->type != TensorType::kU8 && w->type != TensorType::kI8) {
    return fail(error, "tensor " + layer + ".w is not integer (U8/I8): int8 needs a quantized model");
  }
  const size_t channels = dims[channel_axis];
  if (w->quant_count != 1 && (w->quant_axis != channel_axis || w->quant_count != channels)) {
    return fail(error, "tensor " + layer + ".w is not quantized per tensor or per output channel");
  }
  if (b->type != TensorType::kI32 || b->dims != std::vector<size_t>{channels}) {
    return fail(error, "tensor " + layer + ".b is not an int32 bias of " + std::to_string(channels) +
                           " values");
  }
  size_t inner = 1;
  for (size_t d = channel_axis + 1; d < dims.size(); ++d) inner *= dims[d];
  out->weights.resize(w->elements);
  for (size_t i = 0; i < w->elements; ++i) {
    const size_t c = w->quant_count == 1 ? 0 : (i / inner) % channels;
    const int32_t q = w->type == TensorType::kU8 ? int32_t{w->data[i]}
                                                 : int32_t{static_cast<int8_t>(w->data[i])};
    out->weights[i] = static_cast<int16_t>(q - w->zero_point(c));
  }
  out->bias.resize(channels);
  std::memcpy(out->bias.data(), b->data, channels * 4);
  out->requant.resize(channels);
  const bool uint8_weights = w->type == TensorType::kU8;
  for (size_t c = 0; c < channels; ++c) {
    // TFLite: input scale * filter scale / output scale in double, from the float scales; for
    // uint8 layers (its legacy path) the first product is taken in float, then widened. The
    // last bit of the multiplier can decide a tie (seen on a real photo).
    const float filter_scale = w->scale(w->quant_count == 1 ? 0 : c);
    const double product = uint8_weights
                               ? static_cast<double>(input.scale * filter_scale)
                               : static_cast<double>(input.scale) * static_cast<double>(filter_scale);
    out->requant[c] = q8::quantize_multiplier(product / static_cast<double>(output.scale));
  }
  // TFLite runs convolutions with int8 weights on ruy, which rounds once (kernels-q8.h).
  out->single_rounding = !uint8_weights;
  return true;
}

bool read_pointwise(const WeightFileView& file, const std::string& layer, size_t in_c,
                    size_t out_c, const ActivationQuant& input, const ActivationQuant& output,
                    Q8GemmLayout layout, Q8Pointwise* packed, std::string* error) {
  IntegerLayer l;
  if (!read_layer(file, layer, {out_c, 1, 1, in_c}, 0, input, output, &l, error)) return false;
  packed->pack(in_c, out_c, l.weights.data(), l.bias.data(), input.zero_point, l.requant.data(),
               l.single_rounding, layout);
  return true;
}

bool read_depthwise(const WeightFileView& file, const std::string& layer, size_t channels,
                    const ActivationQuant& input, const ActivationQuant& output,
                    std::vector<int32_t>* packed, std::string* error) {
  IntegerLayer l;
  if (!read_layer(file, layer, {1, 3, 3, channels}, 3, input, output, &l, error)) return false;
  packed->assign(qs8_dwconv3x3_packed_words(channels), 0);
  qs8_dwconv3x3_pack(channels, l.weights.data(), l.bias.data(), input.zero_point,
                     l.requant.data(), packed->data());
  return true;
}

}  // namespace q8_load
}  // namespace mnv2
