// The int8 executor's heads (q8-executor.h): the classifier's pool, fully connected layer and
// TFLite's 8-bit softmax, and the detector predictors' output tables.
#include <algorithm>
#include <cmath>
#include <limits>

#include "exec/q8-executor.h"

namespace mnv2 {

using q8_load::linear_output;
using q8_load::read_activation;

namespace {

// TFLite's QUANTIZE from one int8 quantization to another (its Requantize): the fixed-point
// multiplier of in_scale / out_scale applied to q - zp_in, plus zp_out, clamped.
int8_t requantize(int32_t q, const ActivationQuant& from, const ActivationQuant& to) {
  if (from.scale == to.scale && from.zero_point == to.zero_point) return static_cast<int8_t>(q);
  const q8::Requantization r =
      q8::quantize_multiplier(static_cast<double>(from.scale) / static_cast<double>(to.scale));
  const int64_t value =
      int64_t{q8::multiply_by_quantized_multiplier(q - from.zero_point, r)} + to.zero_point;
  return static_cast<int8_t>(std::clamp<int64_t>(value, -128, 127));
}

float dequantized(int32_t q, const ActivationQuant& quant) {
  return quant.scale * static_cast<float>(q - quant.zero_point);
}

}  // namespace

bool Q8Executor::load_classifier(const WeightFileView& file, const ActivationQuant& head,
                                 std::string* error) {
  const NetworkDescription& n = *network_;
  if (!read_activation(file, "pool", &pool_quant_, error)) return false;
  // The activations' stored type: uint8 models keep q + 128 (TFLite's MEAN and SOFTMAX round
  // in the stored type).
  const TensorView* logits_stored = file.find("logits.out_q");
  const bool uint8_model = logits_stored != nullptr && logits_stored->type == TensorType::kU8;
  const size_t pixels = n.head_size() * n.head_size();
  pool_ = file.find("pool.mean") != nullptr
              ? q8_mean_params(head.scale, head.zero_point, pool_quant_.scale, pixels,
                               uint8_model, linear_output(pool_quant_))
              : q8_pool_params(head.scale, head.zero_point, pool_quant_.scale,
                               linear_output(pool_quant_));
  const Layer& logits = n.layers[n.logits];
  if (!read_activation(file, logits.name, &logits_quant_, error) ||
      !q8_load::read_layer(file, logits.name, {logits.out_channels, 1, 1, logits.in_channels}, 0,
                           pool_quant_, logits_quant_, &logits_layer_, error)) {
    return false;
  }
  packed_[n.logits].output = linear_output(logits_quant_);

  // The model's output tensor (after SOFTMAX and any QUANTIZE), in its own type's range.
  const TensorView* output = file.find("output.out_q");
  has_output_quant_ = output != nullptr;
  if (output != nullptr) {
    ActivationQuant q{};
    if (!read_activation(file, "output", &q, error)) return false;
    const bool u8 = output->type == TensorType::kU8;
    output_scale_ = q.scale;
    output_zero_point_ = q.zero_point + (u8 ? 128 : 0);
    output_min_ = u8 ? 0 : -128;
    output_max_ = u8 ? 255 : 127;
  }
  // TFLite's SOFTMAX table: exp(-scale * beta * d) for each distance d below the maximum logit
  // (beta is 1, the converter checks). Index 255 - d, as TFLite lays it out.
  const float table_scale = -logits_quant_.scale;
  for (int32_t d = 0; d <= 255; ++d) {
    softmax_table_[255 - d] = std::exp(table_scale * static_cast<float>(d));
  }
  softmax_uint8_ = uint8_model;
  pooled_.assign(n.feature_size(), 0);
  features_.assign(n.feature_size(), 0.0f);
  logits_.assign(n.num_classes, 0);
  probabilities_.assign(n.num_classes, 0.0f);
  return true;
}

bool Q8Executor::load_predictor_tables(const WeightFileView& file, PackedLayer& layer, bool box,
                                       const ActivationQuant& raw, Quantizations& q,
                                       std::string* error) {
  if (!q.ssd) {
    if (!read_activation(file, "boxes", &q.boxes, error) ||
        !read_activation(file, "logits", &q.logits, error) ||
        !read_activation(file, "scores", &q.scores, error)) {
      return false;
    }
    q.ssd = true;
  }
  layer.code.reset(new int8_t[256]);
  layer.value.reset(new float[256]);
  for (int32_t value = -128; value < 128; ++value) {
    const size_t i = static_cast<size_t>(value + 128);
    if (box) {
      layer.code[i] = requantize(value, raw, q.boxes);
      layer.value[i] = dequantized(layer.code[i], q.boxes);
      continue;
    }
    // LOGISTIC: the sigmoid of the dequantized logit, quantized to the output (round half away
    // from zero, clamp), as TFLite's int8 lookup table and the reference runtime compute it.
    const float logit = dequantized(requantize(value, raw, q.logits), q.logits);
    const float sigmoid = 1.0f / (1.0f + std::exp(-logit));
    const float code = std::round(sigmoid / q.scores.scale) + static_cast<float>(q.scores.zero_point);
    layer.code[i] = static_cast<int8_t>(std::clamp(code, -128.0f, 127.0f));
    layer.value[i] = dequantized(layer.code[i], q.scores);
  }
  return true;
}

const float* Q8Executor::pool(const void* head) {
  const size_t size = network_->head_size();
  kernels_->qs8_global_avgpool(static_cast<const int8_t*>(head), size * size,
                               network_->feature_size(), pooled_.data(), pool_);
  for (size_t c = 0; c < pooled_.size(); ++c) features_[c] = dequantized(pooled_[c], pool_quant_);
  return features_.data();
}

void Q8Executor::fully_connected(size_t band) {
  const size_t begin = classifier_bands_->ranges[band].first;
  logits_bands_[band].run(kernels_->qs8_gemm_minmax, 1, pooled_.data(), pooled_.size(),
                          logits_.data() + begin, logits_.size(), packed_[network_->logits].output);
}

const float* Q8Executor::softmax() {
  const size_t n = logits_.size();
  float* p = probabilities_.data();
  if (has_output_quant_) {
    // TFLite's builtin SOFTMAX for int8/uint8 (its optimized kernel; the reference kernel's
    // fixed-point exp differs): the table of exp values at the distances below the maximum,
    // their float sum in index order, each entry times 1 / (sum * 1/256), rounded as that
    // kernel rounds for the stored type ((int)(x + 0.5f) for uint8, std::round for int8), so
    // the model's 8-bit softmax output holds round(256 p) in steps of 1/256 above its zero point.
    // That output, or the graph output a QUANTIZE makes of it (same scale: the same steps), is
    // then read back like the model's output tensor.
    int32_t max = logits_[0];
    for (size_t i = 1; i < n; ++i) max = std::max(max, int32_t{logits_[i]});
    const float* table = softmax_table_ + 255 - max;
    float sum = 0.0f;
    for (size_t i = 0; i < n; ++i) sum += table[logits_[i]];
    const float inverse = 1.0f / (sum * (1.0f / 256.0f));
    for (size_t i = 0; i < n; ++i) {
      const float rescaled = table[logits_[i]] * inverse;
      const int32_t steps = softmax_uint8_ ? static_cast<int32_t>(rescaled + 0.5f)
                                           : static_cast<int32_t>(std::round(rescaled));
      const float real = static_cast<float>(std::min(steps, 255)) / 256.0f;
      const float q = std::clamp(std::round(real / output_scale_) + output_zero_point_,
                                 float(output_min_), float(output_max_));
      p[i] = output_scale_ * (q - static_cast<float>(output_zero_point_));
    }
    return p;
  }
  // No SOFTMAX in the model: the softmax of the dequantized logits in float (the maximum
  // first, so exp never overflows; the sum in index order).
  float max = -std::numeric_limits<float>::infinity();
  for (size_t i = 0; i < n; ++i) {
    p[i] = dequantized(logits_[i], logits_quant_);
    max = std::max(max, p[i]);
  }
  float sum = 0.0f;
  for (size_t i = 0; i < n; ++i) {
    p[i] = std::exp(p[i] - max);
    sum += p[i];
  }
  for (size_t i = 0; i < n; ++i) p[i] /= sum;
  return p;
}

}  // namespace mnv2
