#include "exec/q8-heads.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace mnv2 {
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

}  // namespace

bool Q8Softmax::load(const WeightFileView& file, const ActivationQuant& logits, bool uint8_model,
                     std::string* error) {
  logits_ = logits;
  uint8_model_ = uint8_model;
  // The model's output tensor (after SOFTMAX and any QUANTIZE), in its own type's range.
  const TensorView* output = file.find("output.out_q");
  has_output_ = output != nullptr;
  if (output != nullptr) {
    ActivationQuant q{};
    if (!q8_load::read_activation(file, "output", &q, error)) return false;
    const bool u8 = output->type == TensorType::kU8;
    output_scale_ = q.scale;
    output_zero_point_ = q.zero_point + (u8 ? 128 : 0);
    output_min_ = u8 ? 0 : -128;
    output_max_ = u8 ? 255 : 127;
  }
  // TFLite's SOFTMAX table: exp(-scale * beta * d) for each distance d below the maximum logit
  // (beta is 1, the converter checks). Index 255 - d, as TFLite lays it out.
  for (int32_t d = 0; d <= 255; ++d) table_[255 - d] = std::exp(-logits.scale * static_cast<float>(d));
  return true;
}

void Q8Softmax::run(const int8_t* logits, size_t n, float* p) const {
  if (has_output_) {
    // TFLite's builtin SOFTMAX for int8/uint8 (its optimized kernel; the reference kernel's
    // fixed-point exp differs): the table of exp values at the distances below the maximum,
    // their float sum in index order, each entry times 1 / (sum * 1/256), rounded as that
    // kernel rounds for the stored type ((int)(x + 0.5f) for uint8, std::round for int8), so
    // the model's 8-bit softmax output holds round(256 p) in steps of 1/256 above its zero point.
    // That output, or the graph output a QUANTIZE makes of it (same scale: the same steps), is
    // then read back like the model's output tensor.
    int32_t max = logits[0];
    for (size_t i = 1; i < n; ++i) max = std::max(max, int32_t{logits[i]});
    const float* table = table_ + 255 - max;
    float sum = 0.0f;
    for (size_t i = 0; i < n; ++i) sum += table[logits[i]];
    const float inverse = 1.0f / (sum * (1.0f / 256.0f));
    for (size_t i = 0; i < n; ++i) {
      const float rescaled = table[logits[i]] * inverse;
      const int32_t steps = uint8_model_ ? static_cast<int32_t>(rescaled + 0.5f)
                                         : static_cast<int32_t>(std::round(rescaled));
      const float real = static_cast<float>(std::min(steps, 255)) / 256.0f;
      const float q = std::clamp(std::round(real / output_scale_) + output_zero_point_,
                                 float(output_min_), float(output_max_));
      p[i] = output_scale_ * (q - static_cast<float>(output_zero_point_));
    }
    return;
  }
  // No SOFTMAX in the model: the softmax of the dequantized logits in float (the maximum
  // first, so exp never overflows; the sum in index order).
  float max = -std::numeric_limits<float>::infinity();
  for (size_t i = 0; i < n; ++i) {
    p[i] = dequantized(logits[i], logits_);
    max = std::max(max, p[i]);
  }
  float sum = 0.0f;
  for (size_t i = 0; i < n; ++i) {
    p[i] = std::exp(p[i] - max);
    sum += p[i];
  }
  for (size_t i = 0; i < n; ++i) p[i] /= sum;
}

bool read_ssd_output_quant(const WeightFileView& file, SsdOutputQuant* out, std::string* error) {
  return q8_load::read_activation(file, "boxes", &out->boxes, error) &&
         q8_load::read_activation(file, "logits", &out->logits, error) &&
         q8_load::read_activation(file, "scores", &out->scores, error);
}

void build_output_table(bool box, const ActivationQuant& raw, const SsdOutputQuant& outputs,
                        Q8OutputTable* table) {
  for (int32_t q = -128; q < 128; ++q) {
    const size_t i = static_cast<size_t>(q + 128);
    if (box) {
      table->code[i] = requantize(q, raw, outputs.boxes);
      table->value[i] = dequantized(table->code[i], outputs.boxes);
      continue;
    }
    // LOGISTIC: the sigmoid of the dequantized logit, quantized to the output (round half away
    // from zero, clamp), as TFLite's int8 lookup table and the reference runtime compute it.
    const float logit = dequantized(requantize(q, raw, outputs.logits), outputs.logits);
    const float sigmoid = 1.0f / (1.0f + std::exp(-logit));
    const ActivationQuant& scores = outputs.scores;
    const float code = std::round(sigmoid / scores.scale) + static_cast<float>(scores.zero_point);
    table->code[i] = static_cast<int8_t>(std::clamp(code, -128.0f, 127.0f));
    table->value[i] = dequantized(table->code[i], scores);
  }
}

}  // namespace mnv2
