#include "model/random-model.h"

#include <cmath>
#include <random>
#include <string>

#include "model/architecture.h"
#include "model/random-q8.h"
#include "model/weight-writer.h"

namespace mnv2::testing {
namespace {

class RandomModelWriter {
 public:
  // quant: also write what the int8 engine needs (int32 biases, activation records).
  RandomModelWriter(uint32_t seed, const Q8Records* quant = nullptr) : rng_(seed), quant_(quant) {}

  // Weights uniform in +-sqrt(3 / fan_in) keep activations in a sensible range through
  // 17 blocks, so the comparisons below test real arithmetic rather than zeros or clamps.
  void add_pointwise(const std::string& layer, uint32_t in_c, uint32_t out_c,
                     Q8Range range = Q8Range::kRelu6) {
    add_uint8(layer + ".w", {out_c, 1, 1, in_c}, std::sqrt(3.0f / in_c));
    add_bias(layer + ".b", out_c);
    add_activation(layer, range);
  }

  void add_stem(uint32_t out_c) {
    add_uint8("stem.w", {out_c, 3, 3, 3}, std::sqrt(3.0f / 27));
    add_bias("stem.b", out_c);
    add_activation("stem", Q8Range::kRelu6);
  }

  // "<layer>.out_q" when writing a quantized model.
  void add_activation(const std::string& layer, Q8Range range) {
    if (quant_ != nullptr) quant_->activation(builder, layer, range);
  }

  void add_depthwise(const std::string& layer, uint32_t channels) {
    std::vector<uint8_t> data(9 * channels);
    std::uniform_int_distribution<int> q(-127, 127);
    for (auto& value : data) value = static_cast<uint8_t>(static_cast<int8_t>(q(rng_)));
    std::vector<float> scales(channels);
    std::uniform_real_distribution<float> scale(0.3f / 127, 0.8f / 127);
    for (auto& value : scales) value = scale(rng_);
    builder.add_tensor(layer + ".w", TensorType::kI8, {1, 3, 3, channels}, data.data(),
                       data.size(), scales, std::vector<int32_t>(channels, 0), 3);
    add_bias(layer + ".b", channels);
    add_activation(layer, Q8Range::kRelu6);
  }

  WeightFileBuilder builder;

 private:
  void add_uint8(const std::string& name, const std::vector<uint32_t>& dims, float range) {
    add_random_uint8(builder, rng_, name, dims, range);
  }

  void add_bias(const std::string& name, uint32_t count) {
    if (quant_ != nullptr) return Q8Records::bias(builder, rng_, name, count);
    std::vector<float> values(count);
    std::uniform_real_distribution<float> bias(-0.1f, 0.2f);
    for (auto& value : values) value = bias(rng_);
    builder.add_f32_tensor(name, {count}, values);
  }

  std::mt19937 rng_;
  const Q8Records* quant_;
};

std::vector<uint8_t> classifier_file(float alpha, uint32_t input_size, uint32_t num_classes,
                                     uint32_t seed, const Q8Records* quant) {
  const ArchitectureShape arch = mobilenet_v2_architecture(alpha);
  RandomModelWriter writer(seed, quant);
  WeightFileBuilder& builder = writer.builder;
  builder.set_model_kind(ModelKind::kClassifier);
  builder.set_input_size(input_size);
  builder.set_alpha(alpha);
  builder.set_num_classes(num_classes);
  builder.set_input_normalization(128.0f, 128.0f);
  std::vector<std::string> labels;
  for (uint32_t i = 0; i < num_classes; ++i) labels.push_back("class " + std::to_string(i));
  builder.set_labels(labels);

  if (quant != nullptr) quant->input(builder);
  writer.add_stem(static_cast<uint32_t>(arch.stem_channels));
  for (size_t i = 0; i < arch.blocks.size(); ++i) {
    const BlockShape& block = arch.blocks[i];
    const auto in_c = static_cast<uint32_t>(block.in_channels);
    const auto expanded = static_cast<uint32_t>(block.expanded_channels);
    if (block.has_expand) writer.add_pointwise(block_layer_name(i, "expand"), in_c, expanded);
    writer.add_depthwise(block_layer_name(i, "dw"), expanded);
    writer.add_pointwise(block_layer_name(i, "project"), expanded,
                         static_cast<uint32_t>(block.out_channels), Q8Range::kLinear);
    if (block.residual) writer.add_activation(block_layer_name(i, "add"), Q8Range::kLinear);
  }
  const auto last = static_cast<uint32_t>(arch.blocks.back().out_channels);
  const auto head = static_cast<uint32_t>(arch.head_channels);
  writer.add_pointwise("head", last, head);
  writer.add_activation("pool", Q8Range::kRelu6);
  writer.add_pointwise("logits", head, num_classes, Q8Range::kLinear);
  // The optional records of converted models, one per variant: the MEAN pool marker (TFLite
  // rounds MEAN unlike AVERAGE_POOL_2D), and the softmax output's quantization.
  if (quant != nullptr && quant->int8_activations()) builder.add_f32_tensor("pool.mean", {1}, {1.0f});
  if (quant != nullptr && !quant->int8_activations()) {
    quant->record(builder, "output", 1.0f / 256, 0);
  }
  return builder.build();
}

}  // namespace

std::vector<uint8_t> random_classifier_file(float alpha, uint32_t input_size,
                                            uint32_t num_classes, uint32_t seed) {
  return classifier_file(alpha, input_size, num_classes, seed, nullptr);
}

std::vector<uint8_t> random_q8_classifier_file(float alpha, uint32_t input_size,
                                               uint32_t num_classes, uint32_t seed,
                                               bool int8_activations) {
  const Q8Records quant(int8_activations);
  return classifier_file(alpha, input_size, num_classes, seed, &quant);
}

std::vector<uint8_t> random_image(size_t width, size_t height, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> byte(0, 255);
  std::vector<uint8_t> pixels(width * height * 4);
  for (auto& value : pixels) value = static_cast<uint8_t>(byte(rng));
  return pixels;
}

}  // namespace mnv2::testing
