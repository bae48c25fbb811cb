// The backbone and the classifier of a NetworkDescription, from MobileNetV2's Table 2 and the
// weight file's header; ssd-description.cc adds a detector's stages.
#include "graph/network-description.h"

#include "graph/ssd-description.h"
#include "model/architecture.h"

namespace mnv2 {
namespace {

// Stem, 17 bottleneck blocks and the 1x1 head conv for the header's alpha and resolution.
void describe_backbone(const FileHeader& header, NetworkDescription* n) {
  const ArchitectureShape arch = mobilenet_v2_architecture(header.alpha);
  n->kind = static_cast<ModelKind>(header.model_kind);
  n->alpha = header.alpha;
  n->input_size = header.input_size;
  n->num_classes = header.num_classes;
  const SamePadding stem = same_padding(n->input_size, 2, 3);
  n->image = n->add_value("input", n->input_size, n->input_size, 3);
  n->stem = n->add_layer("stem", LayerKind::kStemConv3x3s2, 3, arch.stem_channels, 2,
                      Activation::kRelu6);
  n->stem_output = n->add_value("stem", stem.output, stem.output, arch.stem_channels);
  n->stem_pad = stem.before;

  size_t size = stem.output, input = n->stem_output;
  for (size_t i = 0; i < arch.blocks.size(); ++i) {
    const BlockShape& shape = arch.blocks[i];
    Stage stage = make_stage("block" + std::to_string(i), "bottleneck", input, size, shape.stride,
                             shape.in_channels, shape.expanded_channels, shape.out_channels);
    stage.expansion = shape.expansion;
    stage.residual = shape.residual;
    if (shape.has_expand) {
      stage.expand = n->add_layer(block_layer_name(i, "expand"), LayerKind::kPointwise,
                                  shape.in_channels, shape.expanded_channels, 1, Activation::kRelu6);
    }
    stage.depthwise = n->add_layer(block_layer_name(i, "dw"), LayerKind::kDepthwise3x3,
                                   shape.expanded_channels, shape.expanded_channels, shape.stride,
                                   Activation::kRelu6);
    stage.project = n->add_layer(block_layer_name(i, "project"), LayerKind::kPointwise,
                                 shape.expanded_channels, shape.out_channels, 1, Activation::kLinear);
    // A residual block's output is its ADD's (the name int8 reads its quantization under).
    stage.output = n->add_value(block_layer_name(i, shape.residual ? "add" : "project"),
                                stage.out_size, stage.out_size, shape.out_channels);
    n->stages.push_back(stage);
    input = stage.output;
    size = stage.out_size;
  }
  n->blocks = n->stages.size();

  const size_t last = arch.blocks.back().out_channels;
  Stage head = make_stage("head", "conv1x1", input, size, 1, last, last, arch.head_channels);
  head.project = n->add_layer("head", LayerKind::kPointwise, last, arch.head_channels, 1,
                              Activation::kRelu6);
  head.output = n->add_value("head", size, size, arch.head_channels);
  n->stages.push_back(head);
  n->head = n->stages.size() - 1;
}

// Global average pool, fully connected layer, softmax.
void describe_classifier(NetworkDescription* n) {
  const size_t features = n->feature_size(), classes = n->num_classes;
  n->pooled = n->add_value("pool", 1, 1, features);
  n->logits = n->add_layer("logits", LayerKind::kFullyConnected, features, classes, 1,
                           Activation::kLinear);
  n->class_logits = n->add_value("logits", 1, 1, classes);
  for (size_t value : {n->pooled, n->class_logits}) {
    n->values[value].kept = true;  // read after the run
    n->values[value].decoded = true;
  }
}

}  // namespace

SamePadding same_padding(size_t input, size_t stride, size_t kernel) {
  SamePadding padding;
  padding.output = (input + stride - 1) / stride;
  const size_t needed = (padding.output - 1) * stride + kernel;
  padding.before = needed > input ? (needed - input) / 2 : 0;
  return padding;
}

bool describe_network(const WeightFileView& file, NetworkDescription* network,
                      std::string* error) {
  *network = NetworkDescription();
  describe_backbone(file.header, network);
  if (network->kind == ModelKind::kDetector) return describe_ssd_head(file, network, error);
  describe_classifier(network);
  return true;
}

Stage make_stage(std::string name, std::string type, size_t input, size_t in_size,
                 size_t stride, size_t in_channels, size_t mid_channels, size_t out_channels) {
  Stage stage;
  stage.name = std::move(name);
  stage.type = std::move(type);
  stage.expansion = 0;
  stage.input = input;
  stage.in_size = in_size;
  const SamePadding padding = same_padding(in_size, stride, 3);
  stage.out_size = padding.output;
  stage.pad = padding.before;
  stage.stride = stride;
  stage.in_channels = in_channels;
  stage.mid_channels = mid_channels;
  stage.out_channels = out_channels;
  return stage;
}

size_t NetworkDescription::add_layer(std::string name, LayerKind kind, size_t in_c,
                                     size_t out_c, size_t stride, Activation activation) {
  layers.push_back({std::move(name), kind, in_c, out_c, stride, activation});
  return layers.size() - 1;
}

size_t NetworkDescription::add_value(std::string name, size_t height, size_t width,
                                     size_t channels) {
  values.push_back({std::move(name), height, width, channels});
  return values.size() - 1;
}

}  // namespace mnv2
