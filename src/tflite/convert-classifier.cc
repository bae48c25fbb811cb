#include "tflite/convert-classifier.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <new>
#include <stdexcept>

#include "model/architecture.h"
#include "model/weight-writer.h"
#include "tflite/convert-common.h"

namespace mnv2::tflite {
namespace {

std::string alpha_text(float alpha) {
  char text[16];
  std::snprintf(text, sizeof text, "%g", alpha);
  return text;
}

// A convolution-like operator of the backbone or classifier with its constant inputs.
struct Layer : ConvLayer {
  std::string name;  // tensor name prefix in the weight file: "stem", "block3.expand", ...
};

struct Block {
  bool has_expand = false;
  Layer expand, depthwise, project;
  const Operator* add = nullptr;  // residual connection, when present
  int32_t input = -1;             // tensor indices
  int32_t output = -1;
};

struct Classifier {
  int32_t input = -1;
  Layer stem;
  std::vector<Block> blocks;
  Layer head;
  const Operator* pool = nullptr;
  Layer logits;
  bool logits_fully_connected = false;
  const Operator* softmax = nullptr;  // absent when the graph ends at the logits
  int32_t output = -1;
};

// Follows tensors from the graph input to its output, one operator at a time, marking every
// operator it takes so that leftovers (and cycles in a malformed file) are caught.
class Walker {
 public:
  explicit Walker(const Graph& graph)
      : graph_(graph), consumers_(graph.tensors.size()), used_(graph.operators.size(), false) {
    for (const Operator& op : graph.operators) {
      for (int32_t t : op.inputs) {
        if (t >= 0) consumers_[static_cast<size_t>(t)].push_back(op.index);
      }
    }
  }

  Classifier walk() {
    Classifier c;
    if (graph_.inputs.size() != 1) {
      fail("the graph has " + std::to_string(graph_.inputs.size()) +
           " inputs; a classifier has one image input");
    }
    c.input = graph_.inputs[0];
    int32_t t = skip(c.input, {op::kQuantize, op::kDequantize});

    c.stem = take_layer(sole_consumer(t, "the stem CONV_2D"), op::kConv2D, "stem", "stem");
    t = c.stem.output->index;

    while (true) {
      const Operator& main = block_or_head(t);
      if (main.code == op::kConv2D) {
        const Operator* next = sole_consumer_or_null(single_output(main));
        if (!next || next->code != op::kDepthwiseConv2D) break;  // main is the head conv
      }
      c.blocks.push_back(take_block(t, main, c.blocks.size()));
      t = c.blocks.back().output;
    }

    c.head = take_layer(sole_consumer(t, "the head CONV_2D"), op::kConv2D, "head", "head");
    t = c.head.output->index;
    c.pool = &take(sole_consumer(t, "global average pooling"),
                   {op::kAveragePool2D, op::kMean}, "global average pooling");
    t = single_output(*c.pool);
    t = skip(t, {op::kReshape, op::kSqueeze});

    const Operator& logits = sole_consumer(t, "the classifier CONV_2D or FULLY_CONNECTED");
    c.logits_fully_connected = logits.code == op::kFullyConnected;
    c.logits = take_layer(logits, c.logits_fully_connected ? op::kFullyConnected : op::kConv2D,
                          "logits", "logits");
    t = skip(c.logits.output->index,
             {op::kReshape, op::kSqueeze, op::kQuantize, op::kDequantize});
    const Operator* after = sole_consumer_or_null(t);
    if (after && after->code == op::kSoftmax) {
      c.softmax = &take(*after, {op::kSoftmax}, "SOFTMAX");
      if (after->inputs.empty() || after->inputs[0] != t) {
        fail(ref(*after) + " does not take the logits " + graph_.tensor_label(t) + " as input");
      }
      t = skip(single_output(*after), {op::kReshape, op::kSqueeze, op::kQuantize, op::kDequantize});
    }
    if (graph_.outputs.size() != 1 || graph_.outputs[0] != t) {
      fail("the classifier ends at tensor " + graph_.tensor_label(t) +
           ", which is not the graph's only output");
    }
    c.output = t;

    for (const Operator& op : graph_.operators) {
      if (!used_[static_cast<size_t>(op.index)]) {
        fail("operator #" + std::to_string(op.index) + " (" + op_name(op.code) +
             ") is not part of a MobileNetV2 classifier (the walk from the input to the "
             "output does not pass through it)");
      }
    }
    return c;
  }

 private:
  static std::string ref(const Operator& op) {
    return "operator #" + std::to_string(op.index) + " (" + op_name(op.code) + ")";
  }

  int32_t single_output(const Operator& op) const {
    if (op.outputs.size() != 1) {
      fail(ref(op) + " has " + std::to_string(op.outputs.size()) + " outputs, expected 1");
    }
    return op.outputs[0];
  }

  const Operator* sole_consumer_or_null(int32_t tensor) const {
    const std::vector<int32_t>& ops = consumers_[static_cast<size_t>(tensor)];
    return ops.size() == 1 ? &graph_.operators[static_cast<size_t>(ops[0])] : nullptr;
  }

  const Operator& sole_consumer(int32_t tensor, const std::string& expected) const {
    const std::vector<int32_t>& ops = consumers_[static_cast<size_t>(tensor)];
    if (ops.size() != 1) {
      std::string list;
      for (int32_t o : ops) list += (list.empty() ? "" : ", ") + ref(graph_.operators[o]);
      fail("tensor " + graph_.tensor_label(tensor) + " feeds " + std::to_string(ops.size()) +
           " operators" + (list.empty() ? "" : " (" + list + ")") + " where " + expected +
           " alone was expected");
    }
    return graph_.operators[static_cast<size_t>(ops[0])];
  }

  const Operator& take(const Operator& op, std::initializer_list<int32_t> codes,
                       const std::string& expected) {
    bool match = false;
    for (int32_t code : codes) match = match || op.code == code;
    if (!match) fail(ref(op) + " found where " + expected + " was expected");
    if (used_[static_cast<size_t>(op.index)]) {
      fail(ref(op) + " is reached twice while walking the graph (a cycle?)");
    }
    used_[static_cast<size_t>(op.index)] = true;
    return op;
  }

  // Steps over a chain of shape/type-only operators (each with one data input).
  int32_t skip(int32_t tensor, std::initializer_list<int32_t> codes) {
    while (const Operator* op = sole_consumer_or_null(tensor)) {
      bool skippable = false;
      for (int32_t code : codes) skippable = skippable || op->code == code;
      if (!skippable) break;
      take(*op, codes, "");
      if (op->inputs.empty() || op->inputs[0] != tensor) {
        fail(ref(*op) + " does not take tensor " + graph_.tensor_label(tensor) +
             " as its first input");
      }
      tensor = single_output(*op);
    }
    return tensor;
  }

  const Tensor& constant_input(const Operator& op, size_t position, const char* what) const {
    if (op.inputs.size() <= position || op.inputs[position] < 0) {
      fail(ref(op) + " has no " + what + " input");
    }
    const Tensor& t = graph_.tensors[static_cast<size_t>(op.inputs[position])];
    if (!t.is_constant()) {
      fail(ref(op) + " " + what + " tensor " + graph_.tensor_label(t.index) +
           " is not a constant");
    }
    return t;
  }

  Layer take_layer(const Operator& op, int32_t code, const std::string& role,
                   const std::string& name) {
    take(op, {code}, role + " " + op_name(code));
    Layer layer;
    layer.role = role;
    layer.name = name;
    layer.op = &op;
    if (op.inputs.empty() || op.inputs[0] < 0) fail(ref(op) + " has no data input");
    layer.input = &graph_.tensors[static_cast<size_t>(op.inputs[0])];
    layer.weights = &constant_input(op, 1, "weights");
    layer.bias = &constant_input(op, 2, "bias");
    layer.output = &graph_.tensors[static_cast<size_t>(single_output(op))];
    return layer;
  }

  // The operator that continues the backbone from tensor t: the consumer that is not the
  // residual ADD. Residual ADDs are picked up by take_block.
  const Operator& block_or_head(int32_t t) const {
    const Operator* main = nullptr;
    for (int32_t o : consumers_[static_cast<size_t>(t)]) {
      const Operator& op = graph_.operators[static_cast<size_t>(o)];
      if (op.code == op::kAdd) continue;
      if (main) {
        fail("tensor " + graph_.tensor_label(t) + " feeds both " + ref(*main) + " and " +
             ref(op) + "; a MobileNetV2 block input feeds one convolution");
      }
      main = &op;
    }
    if (!main) {
      fail("tensor " + graph_.tensor_label(t) +
           " feeds no convolution where a bottleneck block or the head CONV_2D was expected");
    }
    if (main->code != op::kConv2D && main->code != op::kDepthwiseConv2D) {
      fail(ref(*main) + " found where a bottleneck block or the head CONV_2D was expected");
    }
    return *main;
  }

  Block take_block(int32_t input, const Operator& first, size_t index) {
    Block b;
    b.input = input;
    const std::string prefix = "block " + std::to_string(index) + " ";
    const Operator* dw = &first;
    if (first.code == op::kConv2D) {
      b.has_expand = true;
      b.expand = take_layer(first, op::kConv2D, prefix + "expand",
                            block_layer_name(index, "expand"));
      dw = &sole_consumer(b.expand.output->index, prefix + "DEPTHWISE_CONV_2D");
    }
    b.depthwise = take_layer(*dw, op::kDepthwiseConv2D, prefix + "depthwise",
                             block_layer_name(index, "dw"));
    b.project = take_layer(sole_consumer(b.depthwise.output->index, prefix + "project CONV_2D"),
                           op::kConv2D, prefix + "project", block_layer_name(index, "project"));
    b.output = b.project.output->index;

    const Operator* add = nullptr;
    for (int32_t o : consumers_[static_cast<size_t>(input)]) {
      if (graph_.operators[static_cast<size_t>(o)].code == op::kAdd) {
        if (add) fail("block " + std::to_string(index) + " input feeds two ADD operators");
        add = &graph_.operators[static_cast<size_t>(o)];
      }
    }
    const Operator* after_project = sole_consumer_or_null(b.output);
    if (add) {
      if (after_project != add) {
        fail(ref(*add) + " adds block " + std::to_string(index) +
             "'s input to something other than its project output " +
             graph_.tensor_label(b.output) + " alone");
      }
      const bool operands_ok = add->inputs.size() == 2 &&
                               ((add->inputs[0] == input && add->inputs[1] == b.output) ||
                                (add->inputs[1] == input && add->inputs[0] == b.output));
      if (!operands_ok) {
        fail(ref(*add) + " should add block " + std::to_string(index) + "'s input " +
             graph_.tensor_label(input) + " and project output " +
             graph_.tensor_label(b.output));
      }
      b.add = &take(*add, {op::kAdd}, prefix + "residual ADD");
      b.output = single_output(*add);
    } else if (after_project && after_project->code == op::kAdd) {
      fail(ref(*after_project) + " adds block " + std::to_string(index) +
           "'s project output to a tensor other than the block input " +
           graph_.tensor_label(input));
    }
    return b;
  }

  const Graph& graph_;
  std::vector<std::vector<int32_t>> consumers_;
  std::vector<bool> used_;
};

// ---- architecture checks ----------------------------------------------------------------

float infer_alpha(const Classifier& c) {
  // The multiplier whose channel counts agree with the most layers; the per-layer checks
  // afterwards report any layer that still disagrees, by operator index.
  float best = 0.0f;
  int best_score = -1;
  for (float alpha : kAlphas) {
    const ArchitectureShape arch = mobilenet_v2_architecture(alpha);
    auto channels = [](const Layer& l) -> int64_t {
      return l.weights->shape.empty() ? -1 : l.weights->shape[0];
    };
    int score = channels(c.stem) == static_cast<int64_t>(arch.stem_channels);
    for (size_t i = 0; i < c.blocks.size() && i < arch.blocks.size(); ++i) {
      score += channels(c.blocks[i].project) == static_cast<int64_t>(arch.blocks[i].out_channels);
    }
    score += channels(c.head) == static_cast<int64_t>(arch.head_channels);
    if (score > best_score) {
      best_score = score;
      best = alpha;
    }
  }
  return best;
}

// How a shape mismatch is worded: the architecture the alpha gives.
std::string alpha_needs(float alpha) { return "MobileNetV2 alpha " + alpha_text(alpha) + " needs"; }

void check_pool(const Operator& pool, const Graph& graph, size_t size, size_t channels) {
  const std::string where = "operator #" + std::to_string(pool.index) + " (" +
                            op_name(pool.code) + ", global average pooling)";
  if (pool.code == op::kAveragePool2D) {
    const OperatorOptions& o = pool.options;
    if (!o.has_options) fail(where + " carries no options");
    if (o.filter_w != static_cast<int32_t>(size) || o.filter_h != static_cast<int32_t>(size)) {
      fail(where + " has a " + std::to_string(o.filter_w) + "x" + std::to_string(o.filter_h) +
           " window, the feature map is " + std::to_string(size) + "x" + std::to_string(size));
    }
    if (o.activation != Activation::kNone) fail(where + " has a fused activation");
  } else {
    if (pool.inputs.size() != 2 || pool.inputs[1] < 0) fail(where + " has no axes input");
    const Tensor& axes = graph.tensors[static_cast<size_t>(pool.inputs[1])];
    bool ok = axes.type == ElementType::kInt32 && axes.data_bytes() == 2 * sizeof(int32_t);
    if (ok) {
      int32_t a[2];
      std::memcpy(a, axes.data(), sizeof a);
      ok = (a[0] == 1 && a[1] == 2) || (a[0] == 2 && a[1] == 1);
    }
    if (!ok) fail(where + " does not average over the two spatial axes (1, 2)");
  }
  const Tensor& out = graph.tensors[static_cast<size_t>(pool.outputs[0])];
  if (out.element_count != channels) {
    fail(where + " output " + display_name(out.name) + " has shape " + shape_text(out.shape) +
         ", expected " + std::to_string(channels) + " values");
  }
}

// ---- writing ------------------------------------------------------------------------------

void add_layer(WeightFileBuilder& builder, const Layer& l, const std::vector<int32_t>& shape) {
  add_tensor(builder, l.name + ".w", *l.weights, shape);
  add_tensor(builder, l.name + ".b", *l.bias, l.bias->shape);
}

// ---- activation quantization (what the integer engine needs besides the weights) ---------
//
// A graph with quantized activations also gets, for every activation tensor the integer engine
// produces or reads, a one-element tensor "<layer>.out_q" of the activation's type (U8 / I8)
// whose quantization is the activation's scale and zero point and whose element is the zero
// point (the quantized real 0): "input.out_q" (what the stem reads, after any QUANTIZE),
// "stem", "block<i>.expand" / ".dw" / ".project" / ".add" (residual ADD), "head", "pool",
// "logits", and "output" (the graph output after SOFTMAX and any QUANTIZE, when the graph has
// a SOFTMAX); plus "pool.mean" when the pooling is a MEAN. The float engine looks tensors up by
// name and never reads these.

// Returns whether the graph's activations are quantized (and their parameters were added).
bool add_activation_quants(WeightFileBuilder& builder, const Classifier& c, const Graph& graph) {
  if (!quantized_activation(*c.stem.input)) return false;
  add_activation_quant(builder, "input", *c.stem.input);
  add_activation_quant(builder, "stem", *c.stem.output);
  for (size_t i = 0; i < c.blocks.size(); ++i) {
    const Block& b = c.blocks[i];
    if (b.has_expand) add_activation_quant(builder, block_layer_name(i, "expand"), *b.expand.output);
    add_activation_quant(builder, block_layer_name(i, "dw"), *b.depthwise.output);
    add_activation_quant(builder, block_layer_name(i, "project"), *b.project.output);
    if (b.add) {
      add_activation_quant(builder, block_layer_name(i, "add"),
                           graph.tensors[static_cast<size_t>(b.output)]);
    }
  }
  add_activation_quant(builder, "head", *c.head.output);
  add_activation_quant(builder, "pool", graph.tensors[static_cast<size_t>(c.pool->outputs[0])]);
  if (c.pool->code == op::kMean) {
    // TFLite's integer MEAN rounds differently from its AVERAGE_POOL_2D (kernels-q8.h,
    // Q8PoolParams): a one-element marker tells the integer engine which one the model has.
    if (!builder.add_f32_tensor("pool.mean", {1}, {1.0f})) {
      fail("writing pool.mean: " + builder.error());
    }
  }
  add_activation_quant(builder, "logits", *c.logits.output);
  if (c.softmax) add_activation_quant(builder, "output", graph.tensors[static_cast<size_t>(c.output)]);
  return true;
}

void check_fully_connected(const Layer& l, size_t classes, size_t features, float alpha) {
  const OperatorOptions& o = l.op->options;
  if (!o.has_options) fail(layer_ref(l) + " carries no options");
  if (!o.fc_default_weights_format) fail(layer_ref(l) + " has shuffled (non-default) weights");
  if (o.activation != Activation::kNone) {
    fail(layer_ref(l) + " has fused activation " + activation_name(o.activation) +
         ", the classifier has none");
  }
  const int32_t n = static_cast<int32_t>(classes);
  check_shape(l, *l.weights, "weights", {n, static_cast<int32_t>(features)}, alpha_needs(alpha));
  check_shape(l, *l.bias, "bias", {n}, alpha_needs(alpha));
  if (l.input->element_count != features) {
    fail(layer_ref(l) + " input " + display_name(l.input->name) + " has shape " +
         shape_text(l.input->shape) + ", expected " + std::to_string(features) + " values");
  }
  if (l.output->element_count != classes) {
    fail(layer_ref(l) + " output " + display_name(l.output->name) + " has shape " +
         shape_text(l.output->shape) + ", expected " + std::to_string(classes) + " values");
  }
  check_types(l, 0);
}

void check_block(const Block& b, const BlockShape& shape, size_t index, size_t* size,
                 float alpha) {
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
               alpha_needs(alpha));
  }
  *size = check_conv(b.depthwise, {expanded, 3, expanded, shape.stride, Activation::kRelu6, true},
                     *size, alpha_needs(alpha));
  check_conv(b.project, {shape.out_channels, 1, expanded, 1, Activation::kNone, false}, *size,
             alpha_needs(alpha));
  if ((b.add != nullptr) != shape.residual) {
    fail(where + (b.add ? " has" : " lacks") + " a residual ADD, but block " +
         std::to_string(index) + " of MobileNetV2 " +
         (shape.residual ? "has one" : "has none"));
  }
  if (b.add) {
    const std::string add = "operator #" + std::to_string(b.add->index) + " (ADD, block " +
                            std::to_string(index) + " residual)";
    if (b.add->options.activation != Activation::kNone) {
      fail(add + " has fused activation " + activation_name(b.add->options.activation));
    }
  }
}

// read_tflite() guarantees all of this; convert_classifier() also takes graphs built or edited
// in code (tests do), and the walk relies on it.
void check_graph_consistency(const Graph& graph) {
  const size_t tensors = graph.tensors.size();
  auto valid = [&](int32_t t) { return t >= 0 && static_cast<size_t>(t) < tensors; };
  for (size_t i = 0; i < tensors; ++i) {
    const Tensor& t = graph.tensors[i];
    const size_t bytes = t.element_count * element_size(t.type);
    if (t.index != static_cast<int32_t>(i) || (t.is_constant() && t.data_bytes() != bytes) ||
        t.quant.scales.size() != t.quant.zero_points.size()) {
      fail("graph tensor #" + std::to_string(i) + " is inconsistent (index, data size or "
           "quantization)");
    }
  }
  for (size_t i = 0; i < graph.operators.size(); ++i) {
    const Operator& op = graph.operators[i];
    bool ok = op.index == static_cast<int32_t>(i);
    for (int32_t t : op.inputs) ok = ok && (t == -1 || valid(t));
    for (int32_t t : op.outputs) ok = ok && valid(t);
    if (!ok) fail("graph operator #" + std::to_string(i) + " has an invalid index");
  }
  for (int32_t t : graph.inputs) {
    if (!valid(t)) fail("graph input " + std::to_string(t) + " is not a tensor");
  }
  for (int32_t t : graph.outputs) {
    if (!valid(t)) fail("graph output " + std::to_string(t) + " is not a tensor");
  }
}

ConvertResult convert(const Graph& graph, const std::vector<std::string>& labels) {
  check_graph_consistency(graph);
  const Classifier c = Walker(graph).walk();

  const Tensor& input = graph.tensors[static_cast<size_t>(c.input)];
  if (input.shape.size() != 4 || input.shape[0] != 1 || input.shape[3] != 3 ||
      input.shape[1] != input.shape[2] || input.shape[1] < 1) {
    fail("graph input " + display_name(input.name) + " has shape " + shape_text(input.shape) +
         ", expected [1,S,S,3]");
  }
  const size_t input_size = static_cast<size_t>(input.shape[1]);
  float mean = 0.0f, std = 0.0f;
  input_normalization(input, &mean, &std);

  const size_t expected_blocks = mobilenet_v2_architecture(1.0f).blocks.size();
  if (c.blocks.size() != expected_blocks) {
    fail("found " + std::to_string(c.blocks.size()) +
         " inverted residual blocks between operator #" + std::to_string(c.stem.op->index) +
         " (stem) and operator #" + std::to_string(c.head.op->index) +
         " (head); MobileNetV2 has " + std::to_string(expected_blocks));
  }
  const float alpha = infer_alpha(c);
  const ArchitectureShape arch = mobilenet_v2_architecture(alpha);

  size_t size = check_conv(c.stem, {arch.stem_channels, 3, 3, 2, Activation::kRelu6, false},
                           input_size, alpha_needs(alpha));
  for (size_t i = 0; i < c.blocks.size(); ++i) {
    check_block(c.blocks[i], arch.blocks[i], i, &size, alpha);
  }
  const size_t last_channels = arch.blocks.back().out_channels;
  check_conv(c.head, {arch.head_channels, 1, last_channels, 1, Activation::kRelu6, false}, size,
             alpha_needs(alpha));
  check_pool(*c.pool, graph, size, arch.head_channels);

  if (c.logits.weights->shape.empty() || c.logits.weights->shape[0] < 1) {
    fail(layer_ref(c.logits) + " weights have shape " + shape_text(c.logits.weights->shape));
  }
  const size_t classes = static_cast<size_t>(c.logits.weights->shape[0]);
  const int32_t n = static_cast<int32_t>(classes);
  const int32_t features = static_cast<int32_t>(arch.head_channels);
  if (c.logits_fully_connected) {
    check_fully_connected(c.logits, classes, arch.head_channels, alpha);
  } else {
    check_conv(c.logits, {classes, 1, arch.head_channels, 1, Activation::kNone, false}, 1,
               alpha_needs(alpha));
  }
  if (c.softmax && c.softmax->options.softmax_beta != 1.0f) {
    fail("operator #" + std::to_string(c.softmax->index) + " (SOFTMAX) has beta " +
         std::to_string(c.softmax->options.softmax_beta) + "; the engines compute beta 1");
  }
  const Tensor& output = graph.tensors[static_cast<size_t>(c.output)];
  if (output.element_count != classes) {
    fail("graph output " + display_name(output.name) + " has shape " +
         shape_text(output.shape) + ", the "
         "classifier has " + std::to_string(classes) + " classes");
  }
  if (labels.size() != classes) {
    fail("the label file has " + std::to_string(labels.size()) + " labels but the model has " +
         std::to_string(classes) + " classes");
  }

  WeightFileBuilder builder;
  builder.set_model_kind(ModelKind::kClassifier);
  builder.set_input_size(static_cast<uint32_t>(input_size));
  builder.set_alpha(alpha);
  builder.set_num_classes(static_cast<uint32_t>(classes));
  builder.set_input_normalization(mean, std);
  builder.set_labels(labels);
  add_layer(builder, c.stem, c.stem.weights->shape);
  for (const Block& b : c.blocks) {
    if (b.has_expand) add_layer(builder, b.expand, b.expand.weights->shape);
    add_layer(builder, b.depthwise, b.depthwise.weights->shape);
    add_layer(builder, b.project, b.project.weights->shape);
  }
  add_layer(builder, c.head, c.head.weights->shape);
  add_layer(builder, c.logits, {n, 1, 1, features});  // FULLY_CONNECTED [N][C] has the same bytes
  const bool activation_quant = add_activation_quants(builder, c, graph);

  ConvertResult result;
  result.file = builder.build();
  if (result.file.empty()) fail("writing the weight file: " + builder.error());
  ClassifierSummary& s = result.summary;
  s.alpha = alpha;
  s.input_size = static_cast<uint32_t>(input_size);
  s.num_classes = static_cast<uint32_t>(classes);
  s.block_count = c.blocks.size();
  s.tensor_count = builder.tensor_count();
  s.input_mean = mean;
  s.input_std = std;
  s.weight_type = stored_type(c.stem.weights->type);
  s.activation_quantization = activation_quant;
  auto per_channel = [](const Layer& l) { return l.weights->quant.per_channel(); };
  s.per_channel = per_channel(c.stem) || per_channel(c.head) || per_channel(c.logits);
  for (const Block& b : c.blocks) {
    s.per_channel = s.per_channel || per_channel(b.depthwise) || per_channel(b.project) ||
                    (b.has_expand && per_channel(b.expand));
  }
  result.ok = true;
  return result;
}

}  // namespace

ConvertResult convert_classifier(const Graph& graph, const std::vector<std::string>& labels) {
  try {
    return convert(graph, labels);
  } catch (const ConvertError& e) {
    ConvertResult result;
    result.error = e.what();
    return result;
  } catch (const std::bad_alloc&) {
    ConvertResult result;
    result.error = "out of memory while converting the model";
    return result;
  } catch (const std::exception& e) {
    // Not expected: every check above throws ConvertError. Kept so that a bug surfaces as a
    // message, not as std::terminate in a fuzzer or the CLI.
    ConvertResult result;
    result.error = std::string("internal error while converting: ") + e.what();
    return result;
  }
}

ConvertResult convert_classifier(const uint8_t* tflite, size_t size,
                                 const std::vector<std::string>& labels) {
  ReadResult read = read_tflite(tflite, size);
  if (!read.ok) {
    ConvertResult result;
    result.error = read.error;
    return result;
  }
  return convert_classifier(read.graph, labels);
}

bool read_binary_file(const std::string& path, std::vector<uint8_t>* bytes, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = "cannot open " + path;
    return false;
  }
  bytes->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in.bad()) {
    *error = "error reading " + path;
    return false;
  }
  return true;
}

bool read_label_file(const std::string& path, std::vector<std::string>* labels,
                     std::string* error) {
  std::vector<uint8_t> bytes;
  if (!read_binary_file(path, &bytes, error)) return false;
  labels->clear();
  std::string text(bytes.begin(), bytes.end());
  if (text.find('\0') != std::string::npos) {
    *error = path + " contains a NUL byte; not a text label file";
    return false;
  }
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    labels->push_back(line);
    start = end + 1;
  }
  return true;
}

}  // namespace mnv2::tflite
