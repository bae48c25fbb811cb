#include "detection/random-detector.h"

#include <cmath>
#include <random>

#include "model/anchors.h"
#include "model/architecture.h"
#include "model/random-q8.h"
#include "model/ssdlite.h"
#include "model/weight-writer.h"

namespace mnv2::testing {
namespace {

class Writer {
 public:
  Writer(const RandomDetectorSpec& spec)
      : quant(spec.int8_activations), spec_(spec), rng_(spec.seed) {}

  // Uniform weights in +-sqrt(3 / fan_in) keep activations in a useful range through the
  // network, so comparisons test arithmetic rather than zeros or saturated clamps.
  void pointwise(const std::string& layer, uint32_t in_c, uint32_t out_c) {
    if (spec_.quantized) {
      // uint8 per tensor: the smallest file (the fuzz seeds), and the other quantization.
      if (layer + ".w" != spec_.omit) integers(layer + ".w", {out_c, 1, 1, in_c}, std::sqrt(3.0f / in_c));
      return bias(layer + ".b", out_c);
    }
    std::vector<uint32_t> dims = {out_c, 1, 1, in_c};
    if (layer + ".w" == spec_.misshape) dims[0] += 1;
    const size_t count = size_t{dims[0]} * in_c;
    std::vector<uint8_t> data(count);
    std::uniform_int_distribution<int> q(-127, 127);
    for (auto& value : data) value = static_cast<uint8_t>(static_cast<int8_t>(q(rng_)));
    std::vector<float> scales(dims[0]);
    std::uniform_real_distribution<float> scale(0.7f, 1.3f);
    for (auto& value : scales) value = scale(rng_) * std::sqrt(3.0f / in_c) / 127.0f;
    if (layer + ".w" != spec_.omit) {
      builder.add_tensor(layer + ".w", TensorType::kI8, dims, data.data(), data.size(), scales,
                         std::vector<int32_t>(dims[0], 0), 0);
    }
    bias(layer + ".b", out_c);
  }

  void depthwise(const std::string& layer, uint32_t channels) {
    if (spec_.quantized) {
      integers(layer + ".w", {1, 3, 3, channels}, std::sqrt(3.0f / 9.0f));
    } else {
      floats(layer + ".w", {1, 3, 3, channels}, std::sqrt(3.0f / 9.0f));
    }
    bias(layer + ".b", channels);
  }

  // Weights uniform in +-range, as uint8 per tensor.
  void integers(const std::string& name, const std::vector<uint32_t>& dims, float range) {
    add_random_uint8(builder, rng_, name, dims, range);
  }

  // "<layer>.out_q" for a quantized detector.
  void activation(const std::string& layer, Q8Range range) {
    if (spec_.quantized) quant.activation(builder, layer, range);
  }

  void floats(const std::string& name, std::vector<uint32_t> dims, float range) {
    if (name == spec_.omit) return;
    if (name == spec_.misshape) dims.back() += 1;
    size_t count = 1;
    for (uint32_t d : dims) count *= d;
    std::vector<float> values(count);
    std::uniform_real_distribution<float> value(-range, range);
    for (auto& v : values) v = value(rng_);
    builder.add_f32_tensor(name, dims, values);
  }

  void bias(const std::string& name, uint32_t count) {
    if (spec_.quantized) return Q8Records::bias(builder, rng_, name, count);
    floats(name, {count}, 0.1f);
  }

  void params(const std::string& name, const std::vector<float>& values) {
    if (name != spec_.omit) {
      builder.add_f32_tensor(name, {static_cast<uint32_t>(values.size())}, values);
    }
  }

  WeightFileBuilder builder;
  const Q8Records quant;

 private:
  const RandomDetectorSpec& spec_;
  std::mt19937 rng_;
};

}  // namespace

AnchorParams voc_anchor_params() {
  // min and max scale, aspect ratios; the interpolated box and the reduced lowest layer.
  return AnchorParams{0.2f, 0.95f, {1.0f, 2.0f, 0.5f, 3.0f, 0.3333f}, 1.0f, true};
}

PostprocessParams voc_postprocess_params(uint32_t num_classes) {
  PostprocessParams p;
  p.scales = {10.0f, 10.0f, 5.0f, 5.0f};
  p.iou_threshold = 0.6f;
  p.score_threshold = 0.7f;
  p.max_detections = 10;
  p.max_classes_per_detection = 1;
  p.detections_per_class = 100;
  p.use_regular_nms = false;
  p.num_classes = num_classes;
  return p;
}

std::vector<uint8_t> random_detector_file(const RandomDetectorSpec& spec) {
  const ArchitectureShape arch = mobilenet_v2_architecture(spec.alpha);
  Writer w(spec);
  WeightFileBuilder& b = w.builder;
  b.set_model_kind(ModelKind::kDetector);
  b.set_input_size(spec.input_size);
  b.set_alpha(spec.alpha);
  b.set_num_classes(spec.num_classes);
  b.set_input_normalization(127.5f, 127.5f);
  std::vector<std::string> labels;
  for (uint32_t i = 0; i < spec.num_classes; ++i) labels.push_back("object " + std::to_string(i));
  b.set_labels(labels);

  const auto u = [](size_t value) { return static_cast<uint32_t>(value); };
  if (spec.quantized) {
    w.quant.input(b);
    w.integers("stem.w", {u(arch.stem_channels), 3, 3, 3}, std::sqrt(3.0f / 27.0f));
  } else {
    w.floats("stem.w", {u(arch.stem_channels), 3, 3, 3}, std::sqrt(3.0f / 27.0f));
  }
  w.bias("stem.b", u(arch.stem_channels));
  w.activation("stem", Q8Range::kRelu6);
  for (size_t i = 0; i < arch.blocks.size(); ++i) {
    const BlockShape& block = arch.blocks[i];
    if (block.has_expand) {
      w.pointwise(block_layer_name(i, "expand"), u(block.in_channels), u(block.expanded_channels));
      w.activation(block_layer_name(i, "expand"), Q8Range::kRelu6);
    }
    w.depthwise(block_layer_name(i, "dw"), u(block.expanded_channels));
    w.activation(block_layer_name(i, "dw"), Q8Range::kRelu6);
    w.pointwise(block_layer_name(i, "project"), u(block.expanded_channels), u(block.out_channels));
    w.activation(block_layer_name(i, "project"), Q8Range::kLinear);
    if (block.residual) w.activation(block_layer_name(i, "add"), Q8Range::kLinear);
  }
  w.pointwise("head", u(arch.blocks.back().out_channels), u(arch.head_channels));
  w.activation("head", Q8Range::kRelu6);

  AnchorParams anchors = voc_anchor_params();
  anchors.aspect_ratios = spec.aspect_ratios;
  std::vector<uint32_t> map_channels = {u(arch.blocks[kSsdTapBlock].expanded_channels),
                                        u(arch.head_channels)};
  for (size_t i = 0; i < spec.extras.size(); ++i) {
    const uint32_t mid = spec.extras[i].first, out = spec.extras[i].second;
    w.pointwise(ssd_layer_name("extra", i, "expand"), map_channels.back(), mid);
    w.depthwise(ssd_layer_name("extra", i, "dw"), mid);
    w.pointwise(ssd_layer_name("extra", i, "project"), mid, out);
    // The extra layers' projections end in ReLU6 too.
    for (const char* layer : {"expand", "dw", "project"}) {
      w.activation(ssd_layer_name("extra", i, layer), Q8Range::kRelu6);
    }
    map_channels.push_back(out);
  }
  for (size_t m = 0; m < map_channels.size(); ++m) {
    const uint32_t a = u(anchors_per_cell(anchors, m));
    w.depthwise(ssd_layer_name("box", m, "dw"), map_channels[m]);
    w.pointwise(ssd_layer_name("box", m, "pw"), map_channels[m], a * 4);
    w.depthwise(ssd_layer_name("class", m, "dw"), map_channels[m]);
    w.pointwise(ssd_layer_name("class", m, "pw"), map_channels[m], a * (spec.num_classes + 1));
    for (const char* group : {"box", "class"}) {
      w.activation(ssd_layer_name(group, m, "dw"), Q8Range::kRelu6);
      w.activation(ssd_layer_name(group, m, "pw"), Q8Range::kLinear);
    }
  }
  // The concatenated box encodings and class logits, and the sigmoid's scores (0..1).
  w.activation("boxes", Q8Range::kLinear);
  w.activation("logits", Q8Range::kLinear);
  if (spec.quantized) w.quant.record(b, "scores", 1.0f / 256, 0);
  w.params("anchors.params", encode_anchor_params(anchors));
  w.params("postprocess.params", encode_postprocess_params(voc_postprocess_params(spec.num_classes)));
  return b.build();
}

}  // namespace mnv2::testing
