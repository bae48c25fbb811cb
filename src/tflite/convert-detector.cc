#include "tflite/convert-detector.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "model/architecture.h"
#include "model/ssdlite.h"
#include "model/weight-writer.h"
#include "tflite/convert-common.h"
#include "tflite/detector-graph.h"
#include "tflite/postprocess-options.h"

namespace mnv2::tflite {
namespace {

int32_t dim(const ConvLayer& l, size_t axis) {
  return l.weights->shape.size() == 4 ? l.weights->shape[axis] : -1;
}

// The width multiplier whose architecture has the backbone's channel counts.
float infer_alpha(const DetectorGraph& d) {
  for (float alpha : kAlphas) {
    const ArchitectureShape arch = mobilenet_v2_architecture(alpha);
    bool match = d.blocks.size() == arch.blocks.size() &&
                 dim(d.stem, 0) == static_cast<int32_t>(arch.stem_channels) &&
                 dim(d.head, 0) == static_cast<int32_t>(arch.head_channels);
    for (size_t i = 0; match && i < d.blocks.size(); ++i) {
      match = dim(d.blocks[i].project, 0) == static_cast<int32_t>(arch.blocks[i].out_channels) &&
              dim(d.blocks[i].depthwise, 3) ==
                  static_cast<int32_t>(arch.blocks[i].expanded_channels);
    }
    if (match) return alpha;
  }
  fail("the backbone's channel counts (stem " + std::to_string(dim(d.stem, 0)) + ", " +
       std::to_string(d.blocks.size()) + " blocks, head " + std::to_string(dim(d.head, 0)) +
       ") match no MobileNetV2 width multiplier (0.35, 0.5, 0.75, 1, 1.3, 1.4)");
}

// Checks the extra layers and returns every feature map's side.
std::vector<size_t> check_feature_maps(const DetectorGraph& d, const ArchitectureShape& arch,
                                       size_t input_size, size_t head_size) {
  if (d.tap_block != kSsdTapBlock) {
    fail("feature map 0 is the expansion of block " + std::to_string(d.tap_block) +
         "; the engine's SSDLite taps block " + std::to_string(kSsdTapBlock));
  }
  size_t tap_size = (input_size + 1) / 2;  // the stem's stride 2, then the blocks before the tap
  for (size_t i = 0; i < d.tap_block; ++i) {
    tap_size = (tap_size + arch.blocks[i].stride - 1) / arch.blocks[i].stride;
  }
  std::vector<size_t> sizes = {tap_size, head_size};
  size_t size = head_size;
  size_t channels = arch.head_channels;
  for (size_t i = 0; i < d.extras.size(); ++i) {
    const ExtraLayer& e = d.extras[i];
    const size_t mid = static_cast<size_t>(std::max(dim(e.expand, 0), 1));
    const size_t out = static_cast<size_t>(std::max(dim(e.project, 0), 1));
    check_conv(e.expand, {mid, 1, channels, 1, Activation::kRelu6, false}, size);
    size = check_conv(e.depthwise, {mid, 3, mid, 2, Activation::kRelu6, true}, size);
    check_conv(e.project, {out, 1, mid, 1, Activation::kRelu6, false}, size);
    sizes.push_back(size);
    channels = out;
  }
  return sizes;
}

// Checks the predictors and returns the anchor count they imply.
size_t check_predictors(const DetectorGraph& d, const ArchitectureShape& arch,
                        const std::vector<size_t>& sizes, const AnchorParams& anchors,
                        size_t classes) {
  size_t total = 0;
  for (size_t m = 0; m < d.maps.size(); ++m) {
    const FeatureMapHeads& map = d.maps[m];
    size_t channels = 0;
    if (m == 0) channels = arch.blocks[d.tap_block].expanded_channels;
    else if (m == 1) channels = arch.head_channels;
    else channels = static_cast<size_t>(dim(d.extras[m - 2].project, 0));
    const size_t a = anchors_per_cell(anchors, m);
    check_conv(map.box_depthwise, {channels, 3, channels, 1, Activation::kRelu6, true}, sizes[m]);
    check_conv(map.box_pointwise, {a * 4, 1, channels, 1, Activation::kNone, false}, sizes[m]);
    check_conv(map.class_depthwise, {channels, 3, channels, 1, Activation::kRelu6, true},
               sizes[m]);
    check_conv(map.class_pointwise, {a * (classes + 1), 1, channels, 1, Activation::kNone, false},
               sizes[m]);
    total += sizes[m] * sizes[m] * a;
  }
  if (d.box_concat->element_count != total * 4) {
    fail("the concatenated box encodings " + display_name(d.box_concat->name) + " have shape " +
         shape_text(d.box_concat->shape) + ", the predictors give " + std::to_string(total) +
         " anchors x 4");
  }
  if (d.class_concat->element_count != total * (classes + 1)) {
    fail("the concatenated class predictions " + display_name(d.class_concat->name) +
         " have shape " + shape_text(d.class_concat->shape) + ", the predictors give " +
         std::to_string(total) + " anchors x " + std::to_string(classes + 1));
  }
  return total;
}

// Compares generated anchors with the file's constant [N][4] (y, x, h, w) tensor.
float check_anchors(const Tensor& stored, const std::vector<Anchor>& generated) {
  const std::string where = "the anchor tensor " + display_name(stored.name);
  if (stored.type != ElementType::kFloat32 || stored.shape.size() != 2 || stored.shape[1] != 4) {
    fail(where + " is " + element_type_name(stored.type) + " " + shape_text(stored.shape) +
         ", expected FLOAT32 [N,4]");
  }
  if (static_cast<size_t>(stored.shape[0]) != generated.size()) {
    fail(where + " holds " + std::to_string(stored.shape[0]) + " anchors, the feature maps " +
         std::to_string(generated.size()));
  }
  float worst = 0.0f;
  for (size_t i = 0; i < generated.size(); ++i) {
    float file[4];
    std::memcpy(file, stored.data() + i * sizeof file, sizeof file);
    const float ours[4] = {generated[i].y, generated[i].x, generated[i].h, generated[i].w};
    for (size_t j = 0; j < 4; ++j) {
      const float error = std::fabs(file[j] - ours[j]);
      if (!(error <= kAnchorTolerance)) {
        char message[256];
        std::snprintf(message, sizeof message,
                      "anchor %zu generated from the anchor parameters is (%.6f, %.6f, %.6f, "
                      "%.6f) but the model's is (%.6f, %.6f, %.6f, %.6f); refusing to convert "
                      "with anchors that differ from the model's",
                      i, ours[0], ours[1], ours[2], ours[3], file[0], file[1], file[2], file[3]);
        fail(message);
      }
      worst = std::max(worst, error);
    }
  }
  return worst;
}

void add_params(WeightFileBuilder& builder, const std::string& name,
                const std::vector<float>& values) {
  if (!builder.add_f32_tensor(name, {static_cast<uint32_t>(values.size())}, values)) {
    fail("writing " + name + ": " + builder.error());
  }
}

// ---- activation quantization (what the integer detector needs besides the weights) -------
//
// A graph with quantized activations also gets one-element "<layer>.out_q" tensors, in the
// format convert-classifier.cc writes for the integer classifier (the activation's type, its
// scale and zero point as the tensor's quantization, the zero point as the element): the
// backbone's "input" (what the stem reads, after the graph's QUANTIZE), "stem",
// "block<i>.expand" / ".dw" / ".project" / ".add", "head"; then "extra<i>.expand" / ".dw" /
// ".project", "box<m>.dw" / ".pw", "class<m>.dw" / ".pw" (each predictor's own output);
// "boxes" (the concatenated box encodings, which the graph dequantizes for the postprocess),
// "logits" (the concatenated class logits, the LOGISTIC's input) and "scores" (the LOGISTIC's
// output, dequantized for the postprocess). Predictor outputs whose quantization differs from
// the concatenation's are requantized to it by the graph's QUANTIZE operators; the integer
// engine does the same from these records. The float engine never reads them.

bool same_quantization(const Tensor& a, const Tensor& b) {
  return a.type == b.type && a.quant.scales == b.quant.scales &&
         a.quant.zero_points == b.quant.zero_points;
}

// Returns whether the graph's activations are quantized (and their parameters were added).
bool add_activation_quants(WeightFileBuilder& builder, const DetectorGraph& d,
                           const Graph& graph) {
  if (!quantized_activation(*d.stem.input)) return false;
  add_backbone_activation_quants(builder, d.stem, d.blocks, d.head);
  for (size_t i = 0; i < d.extras.size(); ++i) {
    add_activation_quant(builder, ssd_layer_name("extra", i, "expand"), *d.extras[i].expand.output);
    add_activation_quant(builder, ssd_layer_name("extra", i, "dw"), *d.extras[i].depthwise.output);
    add_activation_quant(builder, ssd_layer_name("extra", i, "project"), *d.extras[i].project.output);
  }
  for (size_t m = 0; m < d.maps.size(); ++m) {
    add_activation_quant(builder, ssd_layer_name("box", m, "dw"), *d.maps[m].box_depthwise.output);
    add_activation_quant(builder, ssd_layer_name("box", m, "pw"), *d.maps[m].box_pointwise.output);
    add_activation_quant(builder, ssd_layer_name("class", m, "dw"), *d.maps[m].class_depthwise.output);
    add_activation_quant(builder, ssd_layer_name("class", m, "pw"), *d.maps[m].class_pointwise.output);
  }
  // Between the concatenation and the sigmoid the walk admits reshapes and (re)quantizations;
  // the engine applies the sigmoid to the concatenation's values, so a requantization there
  // would be missed: refuse it.
  const Tensor& logistic_in = graph.tensors[static_cast<size_t>(d.logistic->inputs[0])];
  if (!same_quantization(logistic_in, *d.class_concat)) {
    fail("the LOGISTIC reads " + display_name(logistic_in.name) +
         ", quantized unlike the concatenated class logits " + display_name(d.class_concat->name) +
         "; the integer engine applies the sigmoid to the concatenation");
  }
  add_activation_quant(builder, "boxes", *d.box_concat);
  add_activation_quant(builder, "logits", *d.class_concat);
  add_activation_quant(builder, "scores", graph.tensors[static_cast<size_t>(d.logistic->outputs[0])]);
  return true;
}

DetectorConvertResult convert(const Graph& graph, const std::vector<std::string>& labels,
                              const AnchorParams& anchor_params) {
  DetectorGraph d;
  std::string error;
  if (!walk_detector_graph(graph, &d, &error)) fail(error);

  DetectorConvertResult result;
  DetectorSummary& s = result.summary;
  check_image_input(*d.input, &s);
  const size_t input_size = s.input_size;

  PostprocessParams& post = s.postprocess;
  if (!read_postprocess_options(d.postprocess->custom_options, &post, &error)) fail(error);
  const size_t classes = post.num_classes;
  check_label_count(labels, classes);
  if (!check_anchor_params(anchor_params, d.maps.size(), &error)) fail(error);

  const float alpha = infer_alpha(d);
  const ArchitectureShape arch = mobilenet_v2_architecture(alpha);
  const size_t head_size =
      check_backbone(d.stem, d.blocks, d.head, arch, input_size, alpha_needs(alpha));
  const std::vector<size_t> sizes = check_feature_maps(d, arch, input_size, head_size);
  const size_t anchor_count = check_predictors(d, arch, sizes, anchor_params, classes);
  const std::vector<Anchor> generated = generate_anchors(anchor_params, sizes);
  if (generated.size() != anchor_count) fail("internal error: anchor counts disagree");
  const float anchor_error = check_anchors(*d.anchors, generated);

  s.alpha = alpha;
  s.num_classes = static_cast<uint32_t>(classes);
  s.block_count = d.blocks.size();
  s.tap_block = d.tap_block;
  s.map_sizes = sizes;
  s.anchor_count = anchor_count;
  s.max_anchor_error = anchor_error;
  s.weight_type = stored_type(d.stem.weights->type);
  s.per_channel = d.stem.weights->quant.per_channel();

  WeightFileBuilder builder;
  start_weight_file(builder, ModelKind::kDetector, s, labels);
  add_backbone_layers(builder, d.stem, d.blocks, d.head);
  for (size_t i = 0; i < d.extras.size(); ++i) {
    add_layer(builder, ssd_layer_name("extra", i, "expand"), d.extras[i].expand);
    add_layer(builder, ssd_layer_name("extra", i, "dw"), d.extras[i].depthwise);
    add_layer(builder, ssd_layer_name("extra", i, "project"), d.extras[i].project);
  }
  for (size_t m = 0; m < d.maps.size(); ++m) {
    add_layer(builder, ssd_layer_name("box", m, "dw"), d.maps[m].box_depthwise);
    add_layer(builder, ssd_layer_name("box", m, "pw"), d.maps[m].box_pointwise);
    add_layer(builder, ssd_layer_name("class", m, "dw"), d.maps[m].class_depthwise);
    add_layer(builder, ssd_layer_name("class", m, "pw"), d.maps[m].class_pointwise);
  }
  add_params(builder, "anchors.params", encode_anchor_params(anchor_params));
  add_params(builder, "postprocess.params", encode_postprocess_params(post));
  s.activation_quantization = add_activation_quants(builder, d, graph);
  result.file = finish_weight_file(builder, &s);
  result.ok = true;
  return result;
}

}  // namespace

AnchorParams ssdlite_voc_anchor_params() {
  // ssd_anchor_generator of the model's training configuration (TF Object Detection API,
  // ssdlite_mobilenet_v2; listed in shared/models/SOURCES.md). SOURCES.md writes the last
  // ratio as 1/3, but the pipeline configs store 0.3333 and the model's constant anchors are
  // only reproduced (to 1e-5) with 0.3333: with 1/3 its tall boxes differ by up to 8e-5.
  AnchorParams params;
  params.min_scale = 0.2f;
  params.max_scale = 0.95f;
  params.aspect_ratios = {1.0f, 2.0f, 0.5f, 3.0f, 0.3333f};
  params.interpolated_scale_aspect_ratio = 1.0f;
  params.reduce_boxes_in_lowest_layer = true;
  return params;
}

DetectorConvertResult convert_detector(const Graph& graph, const std::vector<std::string>& labels,
                                       const AnchorParams& anchors) {
  return converting<DetectorConvertResult>([&] { return convert(graph, labels, anchors); });
}

DetectorConvertResult convert_detector(const uint8_t* tflite, size_t size,
                                       const std::vector<std::string>& labels,
                                       const AnchorParams& anchors) {
  return converting<DetectorConvertResult>(
      [&] { return convert(read_graph_or_fail(tflite, size), labels, anchors); });
}

}  // namespace mnv2::tflite
