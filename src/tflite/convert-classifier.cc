#include "tflite/convert-classifier.h"

#include <cmath>
#include <cstring>
#include <fstream>
#include <initializer_list>
#include <iterator>

#include "model/architecture.h"
#include "model/weight-writer.h"
#include "tflite/convert-common.h"
#include "tflite/graph-walk.h"

namespace mnv2::tflite {
namespace {

struct Classifier {
  int32_t input = -1;
  ConvLayer stem;
  std::vector<BackboneBlock> blocks;
  ConvLayer head;
  const Operator* pool = nullptr;
  ConvLayer logits;
  bool logits_fully_connected = false;
  const Operator* softmax = nullptr;  // absent when the graph ends at the logits
  int32_t output = -1;
};

// Follows tensors from the graph input to its output, one operator at a time, marking every
// operator it takes so that leftovers (and cycles in a malformed file) are caught.
class Walker : GraphWalk {
 public:
  explicit Walker(const Graph& graph) : GraphWalk(graph), consumers_(graph.tensors.size()) {
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

    c.stem = take_layer(sole_consumer(t, "the stem CONV_2D"), op::kConv2D, "stem");
    t = c.stem.output->index;

    while (true) {
      const Operator& main = block_or_head(t);
      if (main.code == op::kConv2D) {
        const Operator* next = sole_consumer_or_null(single_output(main));
        if (!next || next->code != op::kDepthwiseConv2D) break;  // main is the head conv
      }
      c.blocks.push_back(take_block(t, main, c.blocks.size()));
      t = c.blocks.back().output->index;
    }

    c.head = take_layer(sole_consumer(t, "the head CONV_2D"), op::kConv2D, "head");
    t = c.head.output->index;
    c.pool = &take(sole_consumer(t, "global average pooling"),
                   {op::kAveragePool2D, op::kMean}, "global average pooling");
    t = single_output(*c.pool);
    t = skip(t, {op::kReshape, op::kSqueeze});

    const Operator& logits = sole_consumer(t, "the classifier CONV_2D or FULLY_CONNECTED");
    c.logits_fully_connected = logits.code == op::kFullyConnected;
    c.logits = take_layer(logits, c.logits_fully_connected ? op::kFullyConnected : op::kConv2D,
                          "logits");
    t = skip(c.logits.output->index,
             {op::kReshape, op::kSqueeze, op::kQuantize, op::kDequantize});
    const Operator* after = sole_consumer_or_null(t);
    if (after && after->code == op::kSoftmax) {
      c.softmax = &take(*after, {op::kSoftmax}, "SOFTMAX");
      if (after->inputs.empty() || after->inputs[0] != t) {
        fail(op_ref(*after) + " does not take the logits " + graph_.tensor_label(t) + " as input");
      }
      t = skip(single_output(*after), {op::kReshape, op::kSqueeze, op::kQuantize, op::kDequantize});
    }
    if (graph_.outputs.size() != 1 || graph_.outputs[0] != t) {
      fail("the classifier ends at tensor " + graph_.tensor_label(t) +
           ", which is not the graph's only output");
    }
    c.output = t;

    check_all_taken("a MobileNetV2 classifier (the walk from the input to the output does not "
                    "pass through it)");
    return c;
  }

 private:
  int32_t single_output(const Operator& op) const {
    if (op.outputs.size() != 1) {
      fail(op_ref(op) + " has " + std::to_string(op.outputs.size()) + " outputs, expected 1");
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
      for (int32_t o : ops) list += (list.empty() ? "" : ", ") + op_ref(graph_.operators[o]);
      fail("tensor " + graph_.tensor_label(tensor) + " feeds " + std::to_string(ops.size()) +
           " operators" + (list.empty() ? "" : " (" + list + ")") + " where " + expected +
           " alone was expected");
    }
    return graph_.operators[static_cast<size_t>(ops[0])];
  }

  // Steps over a chain of shape/type-only operators (each with one data input).
  int32_t skip(int32_t tensor, std::initializer_list<int32_t> codes) {
    while (const Operator* op = sole_consumer_or_null(tensor)) {
      bool skippable = false;
      for (int32_t code : codes) skippable = skippable || op->code == code;
      if (!skippable) break;
      take(*op, codes, "a shape or type operator");
      if (op->inputs.empty() || op->inputs[0] != tensor) {
        fail(op_ref(*op) + " does not take tensor " + graph_.tensor_label(tensor) +
             " as its first input");
      }
      tensor = single_output(*op);
    }
    return tensor;
  }

  // The operator that continues the backbone from tensor t: the consumer that is not the
  // residual ADD. Residual ADDs are picked up by take_block.
  const Operator& block_or_head(int32_t t) const {
    const Operator* main = nullptr;
    for (int32_t o : consumers_[static_cast<size_t>(t)]) {
      const Operator& op = graph_.operators[static_cast<size_t>(o)];
      if (op.code == op::kAdd) continue;
      if (main) {
        fail("tensor " + graph_.tensor_label(t) + " feeds both " + op_ref(*main) + " and " +
             op_ref(op) + "; a MobileNetV2 block input feeds one convolution");
      }
      main = &op;
    }
    if (!main) {
      fail("tensor " + graph_.tensor_label(t) +
           " feeds no convolution where a bottleneck block or the head CONV_2D was expected");
    }
    if (main->code != op::kConv2D && main->code != op::kDepthwiseConv2D) {
      fail(op_ref(*main) + " found where a bottleneck block or the head CONV_2D was expected");
    }
    return *main;
  }

  BackboneBlock take_block(int32_t input, const Operator& first, size_t index) {
    BackboneBlock b;
    b.input = &graph_.tensors[static_cast<size_t>(input)];
    const std::string prefix = "block " + std::to_string(index) + " ";
    const Operator* dw = &first;
    if (first.code == op::kConv2D) {
      b.has_expand = true;
      b.expand = take_layer(first, op::kConv2D, prefix + "expand");
      dw = &sole_consumer(b.expand.output->index, prefix + "DEPTHWISE_CONV_2D");
    }
    b.depthwise = take_layer(*dw, op::kDepthwiseConv2D, prefix + "depthwise");
    b.project = take_layer(sole_consumer(b.depthwise.output->index, prefix + "project CONV_2D"),
                           op::kConv2D, prefix + "project");
    const int32_t project_out = b.project.output->index;
    b.output = b.project.output;

    const Operator* add = nullptr;
    for (int32_t o : consumers_[static_cast<size_t>(input)]) {
      if (graph_.operators[static_cast<size_t>(o)].code == op::kAdd) {
        if (add) fail("block " + std::to_string(index) + " input feeds two ADD operators");
        add = &graph_.operators[static_cast<size_t>(o)];
      }
    }
    const Operator* after_project = sole_consumer_or_null(project_out);
    if (add) {
      if (after_project != add) {
        fail(op_ref(*add) + " adds block " + std::to_string(index) +
             "'s input to something other than its project output " +
             graph_.tensor_label(project_out) + " alone");
      }
      const bool operands_ok = add->inputs.size() == 2 &&
                               ((add->inputs[0] == input && add->inputs[1] == project_out) ||
                                (add->inputs[1] == input && add->inputs[0] == project_out));
      if (!operands_ok) {
        fail(op_ref(*add) + " should add block " + std::to_string(index) + "'s input " +
             graph_.tensor_label(input) + " and project output " +
             graph_.tensor_label(project_out));
      }
      b.add = &take(*add, {op::kAdd}, prefix + "residual ADD");
      b.output = &graph_.tensors[static_cast<size_t>(single_output(*add))];
    } else if (after_project && after_project->code == op::kAdd) {
      fail(op_ref(*after_project) + " adds block " + std::to_string(index) +
           "'s project output to a tensor other than the block input " +
           graph_.tensor_label(input));
    }
    return b;
  }

  std::vector<std::vector<int32_t>> consumers_;
};

// ---- architecture checks ----------------------------------------------------------------

float infer_alpha(const Classifier& c) {
  // The multiplier whose channel counts agree with the most layers; the per-layer checks
  // afterwards report any layer that still disagrees, by operator index.
  float best = 0.0f;
  int best_score = -1;
  for (float alpha : kAlphas) {
    const ArchitectureShape arch = mobilenet_v2_architecture(alpha);
    auto channels = [](const ConvLayer& l) -> int64_t {
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
  add_backbone_activation_quants(builder, c.stem, c.blocks, c.head);
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

void check_fully_connected(const ConvLayer& l, size_t classes, size_t features, float alpha) {
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

ConvertResult convert(const Graph& graph, const std::vector<std::string>& labels) {
  const Classifier c = Walker(graph).walk();

  ConvertResult result;
  ClassifierSummary& s = result.summary;
  check_image_input(graph.tensors[static_cast<size_t>(c.input)], &s);

  const size_t expected_blocks = mobilenet_v2_architecture(1.0f).blocks.size();
  if (c.blocks.size() != expected_blocks) {
    fail("found " + std::to_string(c.blocks.size()) +
         " inverted residual blocks between operator #" + std::to_string(c.stem.op->index) +
         " (stem) and operator #" + std::to_string(c.head.op->index) +
         " (head); MobileNetV2 has " + std::to_string(expected_blocks));
  }
  const float alpha = infer_alpha(c);
  const ArchitectureShape arch = mobilenet_v2_architecture(alpha);

  const size_t size =
      check_backbone(c.stem, c.blocks, c.head, arch, s.input_size, alpha_needs(alpha));
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
  check_label_count(labels, classes);

  s.alpha = alpha;
  s.num_classes = static_cast<uint32_t>(classes);
  s.block_count = c.blocks.size();
  s.weight_type = stored_type(c.stem.weights->type);
  auto per_channel = [](const ConvLayer& l) { return l.weights->quant.per_channel(); };
  s.per_channel = per_channel(c.stem) || per_channel(c.head) || per_channel(c.logits);
  for (const BackboneBlock& b : c.blocks) {
    s.per_channel = s.per_channel || per_channel(b.depthwise) || per_channel(b.project) ||
                    (b.has_expand && per_channel(b.expand));
  }

  WeightFileBuilder builder;
  start_weight_file(builder, ModelKind::kClassifier, s, labels);
  add_backbone_layers(builder, c.stem, c.blocks, c.head);
  // A FULLY_CONNECTED [N][C] has the bytes of a 1x1 CONV_2D's [N][1][1][C].
  add_layer(builder, "logits", c.logits, {n, 1, 1, features});
  s.activation_quantization = add_activation_quants(builder, c, graph);
  result.file = finish_weight_file(builder, &s);
  result.ok = true;
  return result;
}

}  // namespace

ConvertResult convert_classifier(const Graph& graph, const std::vector<std::string>& labels) {
  return converting<ConvertResult>([&] { return convert(graph, labels); });
}

ConvertResult convert_classifier(const uint8_t* tflite, size_t size,
                                 const std::vector<std::string>& labels) {
  return converting<ConvertResult>(
      [&] { return convert(read_graph_or_fail(tflite, size), labels); });
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
