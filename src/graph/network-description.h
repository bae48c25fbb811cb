// The network as the engine runs it, with no number type in sight: the layers (what has
// weights), the values (the tensors between them) and the stages that connect them, built once
// from a weight file's header (alpha, resolution, classifier or detector) and, for a detector,
// the channel counts and anchor settings its tensors declare.
//
// The layering of the engine, top to bottom (README "How it works"):
//   graph/  NetworkDescription   what the network is: shapes, strides, residuals, taps
//   plan/   NetworkPlan          how it runs: arena offsets, row bands and rings, thread split
//   exec/   Scheduler            walks the plan; calls one LayerExecutor per precision
//           F32Executor / Q8Executor   the only precision-specific code above the kernels
//   kernels/                     the microkernels and their scalar twins
//
// Every network here is a chain of stages of one shape, the depthwise-separable unit
//   [1x1 expand] -> 3x3 depthwise -> 1x1 project [+ the stage's input]
// MobileNetV2's 17 bottleneck blocks, SSDLite's extra layers (whose projection has a ReLU6) and
// its box and class predictors (no expansion; the projection writes the head outputs) are all
// such stages, and the 1x1 head conv is one with only its projection. Before the chain: the
// stem 3x3/2 conv; after it: the classifier (average pool, fully connected, softmax) or the
// detector's outputs. Maps are square; padding is TensorFlow's SAME.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "model/anchors.h"
#include "model/postprocess-params.h"
#include "model/weight-file.h"

namespace mnv2 {

inline constexpr size_t kNone = static_cast<size_t>(-1);

// TensorFlow "SAME" padding: output = ceil(input / stride), the odd pixel of padding after.
struct SamePadding {
  size_t output;
  size_t before;
};
SamePadding same_padding(size_t input, size_t stride, size_t kernel);

enum class Activation { kRelu6, kLinear };
enum class LayerKind { kStemConv3x3s2, kPointwise, kDepthwise3x3, kFullyConnected };
// What a layer's output is: an activation, or one of the detector's two head outputs (which an
// executor turns into the floats the box decoder reads).
enum class LayerRole { kHidden, kBoxEncodings, kClassLogits };

// One layer with weights: "<name>.w" / "<name>.b" in the weight file (and "<name>.out_q", its
// output quantization, for int8).
struct Layer {
  std::string name;
  LayerKind kind;
  size_t in_channels, out_channels;  // a depthwise layer has as many of each
  size_t stride;                     // 3x3 layers; 1 otherwise
  Activation activation;
  LayerRole role = LayerRole::kHidden;
};

// A tensor: [height][width][channels] values. name: its quantization's name for int8
// ("<name>.out_q"): the layer or residual ADD that produces it.
struct Value {
  std::string name;
  size_t height, width, channels;
  bool kept = false;     // read after the run (the classifier's pool, the detector's maps)
  bool decoded = false;  // the detector reads it as floats, whatever the engine's values are
  size_t elements() const { return height * width * channels; }
};

// One depthwise-separable stage (see the top of this file). Square maps.
struct Stage {
  std::string name;  // its summary() row: "block3", "head", "extra0", "box2", "class2"
  std::string type;  // "bottleneck", "conv1x1", "ssd-extra", "ssd-box", "ssd-class"
  size_t expansion;  // Table 2's t for bottleneck blocks, else 0
  size_t input, output;      // values
  size_t output_offset = 0;  // where in the output value it writes (predictors), in values
  size_t expanded = kNone;   // the expansion as a value of its own (a detector map), if any
  size_t expand = kNone, depthwise = kNone, project = kNone;  // layers
  size_t in_size, out_size, pad, stride;
  size_t in_channels, mid_channels, out_channels;
  bool residual = false;
};

// A stage on a square map of in_size: SAME padding gives its output size and padding; channels
// in, in the middle (the expansion, or the input for stages without one) and out.
Stage make_stage(std::string name, std::string type, size_t input, size_t in_size,
                 size_t stride, size_t in_channels, size_t mid_channels, size_t out_channels);

// The detector's feature maps and its output geometry.
struct SsdHead {
  AnchorParams anchor_params;
  PostprocessParams postprocess;
  std::vector<size_t> maps;              // values the predictors read, in anchor order
  std::vector<size_t> anchors_per_cell;  // per map
  size_t anchors = 0;
  size_t boxes = kNone, scores = kNone;  // values: [anchors][4], [anchors][classes + 1]
};

struct NetworkDescription {
  ModelKind kind;
  float alpha;
  size_t input_size;   // square RGB input
  size_t num_classes;  // the classifier's, or the detector's without its background
  std::vector<Layer> layers;
  std::vector<Value> values;
  size_t image = kNone, stem_output = kNone;  // values
  size_t stem = kNone;                        // layer
  size_t stem_pad = 0;
  std::vector<Stage> stages;  // in run order: blocks, head conv, then a detector's stages
  size_t blocks = 0;          // stages [0, blocks) are the backbone's bottleneck blocks
  size_t head = kNone;        // the head conv's stage
  // The classifier: the pooled head output (decoded: the features), the fully connected
  // layer and its output (decoded: the class probabilities).
  size_t pooled = kNone, logits = kNone, class_logits = kNone;
  SsdHead ssd;                // detectors only

  size_t add_layer(std::string name, LayerKind kind, size_t in_c, size_t out_c, size_t stride,
                   Activation activation);
  size_t add_value(std::string name, size_t height, size_t width, size_t channels);
  size_t stem_size() const { return values[stem_output].height; }
  size_t head_size() const { return stages[head].out_size; }
  size_t feature_size() const { return stages[head].out_channels; }
};

// The network a weight file declares. Returns false with a message when it is neither a
// classifier nor a detector this engine can run (wrong tap block, missing or inconsistent
// SSD tensors, outputs too large); the weights themselves are checked when an executor loads
// them against this description.
bool describe_network(const WeightFileView& file, NetworkDescription* network,
                      std::string* error);

}  // namespace mnv2
