#include "tflite/detector-graph.h"

#include <algorithm>
#include <initializer_list>

#include "tflite/convert-common.h"
#include "tflite/graph-walk.h"

namespace mnv2::tflite {
namespace {

constexpr char kPostprocessCode[] = "TFLite_Detection_PostProcess";

bool is_one_of(int32_t code, std::initializer_list<int32_t> codes) {
  for (int32_t c : codes) {
    if (code == c) return true;
  }
  return false;
}

class Walker : GraphWalk {
 public:
  explicit Walker(const Graph& graph) : GraphWalk(graph), producer_(graph.tensors.size(), -1) {
    for (const Operator& op : graph.operators) {
      for (int32_t t : op.outputs) {
        if (producer_[static_cast<size_t>(t)] != -1) {
          fail("tensor " + graph.tensor_label(t) + " is written by two operators");
        }
        producer_[static_cast<size_t>(t)] = op.index;
      }
    }
  }

  DetectorGraph walk() {
    DetectorGraph d;
    d.postprocess = &find_postprocess();
    const Operator& pp = *d.postprocess;
    if (pp.inputs.size() != 3 || pp.inputs[0] < 0 || pp.inputs[1] < 0 || pp.inputs[2] < 0) {
      fail(op_ref(pp) + " needs 3 inputs (box encodings, class scores, anchors), it has " +
           std::to_string(pp.inputs.size()));
    }
    d.anchors = &tensor(pp.inputs[2]);
    if (!d.anchors->is_constant()) {
      fail(op_ref(pp) + " anchors " + graph_.tensor_label(pp.inputs[2]) + " are not a constant");
    }

    const Operator& box_concat = concatenation(pp.inputs[0], false, "box encodings");
    const Operator& class_concat = concatenation(pp.inputs[1], true, "class scores");
    d.box_concat = &tensor(box_concat.outputs[0]);
    d.class_concat = &tensor(class_concat.outputs[0]);
    d.logistic = logistic_;
    if (box_concat.inputs.size() != class_concat.inputs.size()) {
      fail(op_ref(box_concat) + " joins " + std::to_string(box_concat.inputs.size()) +
           " box predictions but " + op_ref(class_concat) + " joins " +
           std::to_string(class_concat.inputs.size()) + " class predictions");
    }
    for (size_t m = 0; m < box_concat.inputs.size(); ++m) {
      FeatureMapHeads map;
      predictor(box_concat.inputs[m], "box", m, &map.box_depthwise, &map.box_pointwise);
      predictor(class_concat.inputs[m], "class", m, &map.class_depthwise, &map.class_pointwise);
      if (map.box_depthwise.input != map.class_depthwise.input) {
        fail("feature map " + std::to_string(m) + ": the box predictor reads " +
             graph_.tensor_label(map.box_depthwise.input->index) +
             " but the class predictor reads " +
             graph_.tensor_label(map.class_depthwise.input->index));
      }
      map.source = map.box_depthwise.input;
      d.maps.push_back(map);
    }
    if (d.maps.size() < 2) {
      fail("the detector has " + std::to_string(d.maps.size()) +
           " feature maps; SSDLite on MobileNetV2 predicts from at least two (a block "
           "expansion and the head conv)");
    }

    for (size_t m = d.maps.size() - 1; m >= 2; --m) {
      d.extras.push_back(extra_layer(*d.maps[m].source, *d.maps[m - 1].source, m - 2));
    }
    std::reverse(d.extras.begin(), d.extras.end());

    d.head = take_layer(produced_by(*d.maps[1].source, "the head CONV_2D (feature map 1)"),
                        op::kConv2D, "head");
    backbone(d);
    d.tap_block = tap_block(d);

    check_all_taken("an SSD MobileNetV2 detector (the walk back from " + op_ref(pp) +
                    " does not reach it)");
    return d;
  }

 private:
  const Operator* producer_or_null(const Tensor& t) const {
    const int32_t op = producer_[static_cast<size_t>(t.index)];
    return op < 0 ? nullptr : &graph_.operators[static_cast<size_t>(op)];
  }

  const Operator& produced_by(const Tensor& t, const std::string& expected) const {
    const Operator* op = producer_or_null(t);
    if (op == nullptr) {
      fail("tensor " + graph_.tensor_label(t.index) + " is not computed by any operator where " +
           expected + " was expected");
    }
    return *op;
  }

  // Steps back over shape / type-only operators (and LOGISTIC when allowed).
  const Tensor& skip_back(const Tensor& start, std::initializer_list<int32_t> codes,
                          bool* saw_logistic = nullptr) {
    const Tensor* t = &start;
    while (const Operator* op = producer_or_null(*t)) {
      const bool logistic = saw_logistic != nullptr && op->code == op::kLogistic;
      if (!logistic && !is_one_of(op->code, codes)) break;
      if (logistic) {
        if (*saw_logistic) fail(op_ref(*op) + " applies a second LOGISTIC to the class scores");
        *saw_logistic = true;
        logistic_ = op;
      }
      take(*op, {op->code}, "a reshape, (de)quantization or sigmoid");
      t = &tensor(op->inputs[0]);
    }
    return *t;
  }

  const Operator& find_postprocess() {
    const Operator* found = nullptr;
    for (const Operator& op : graph_.operators) {
      if (op.code != op::kCustom || op.custom_code != kPostprocessCode) continue;
      if (found) fail(op_ref(*found) + " and " + op_ref(op) + " are both detection postprocesses");
      found = &op;
    }
    if (!found) {
      fail(std::string("the graph has no ") + kPostprocessCode +
           " operator; is this an SSD detector exported with its postprocess?");
    }
    claim(*found, "the detection postprocess");
    return *found;
  }

  const Operator& concatenation(int32_t input, bool scores, const char* what) {
    bool saw_logistic = false;
    const Tensor& joined =
        skip_back(tensor(input), {op::kDequantize, op::kQuantize, op::kReshape, op::kSqueeze},
                  scores ? &saw_logistic : nullptr);
    if (scores && !saw_logistic) {
      fail(std::string("no LOGISTIC between the concatenated class predictions and the "
                       "postprocess: the engine computes sigmoid scores, and this graph's ") +
           what + " " + graph_.tensor_label(joined.index) + " are not");
    }
    const Operator& op = take(produced_by(joined, std::string("the CONCATENATION of the ") + what),
                              {op::kConcatenation}, std::string("the CONCATENATION of the ") + what);
    for (int32_t t : op.inputs) {
      if (t < 0) fail(op_ref(op) + " has an omitted input");
    }
    return op;
  }

  void predictor(int32_t input, const char* kind, size_t map, ConvLayer* depthwise,
                 ConvLayer* pointwise) {
    const std::string role = std::string(kind) + " predictor " + std::to_string(map);
    const Tensor& t = skip_back(tensor(input), {op::kQuantize, op::kDequantize, op::kReshape});
    *pointwise =
        take_layer(produced_by(t, role + " 1x1 CONV_2D"), op::kConv2D, role + " pointwise");
    *depthwise = take_layer(produced_by(*pointwise->input, role + " DEPTHWISE_CONV_2D"),
                            op::kDepthwiseConv2D, role + " depthwise");
  }

  ExtraLayer extra_layer(const Tensor& output, const Tensor& expected_input, size_t index) {
    const std::string role = "extra " + std::to_string(index);
    ExtraLayer e;
    e.project =
        take_layer(produced_by(output, role + " 1x1 CONV_2D"), op::kConv2D, role + " project");
    e.depthwise = take_layer(produced_by(*e.project.input, role + " DEPTHWISE_CONV_2D"),
                             op::kDepthwiseConv2D, role + " depthwise");
    e.expand = take_layer(produced_by(*e.depthwise.input, role + " 1x1 CONV_2D"), op::kConv2D,
                          role + " expand");
    if (e.expand.input != &expected_input) {
      fail(role + " (" + op_ref(*e.expand.op) + ") reads " +
           graph_.tensor_label(e.expand.input->index) + ", but feature map " +
           std::to_string(index + 2) + " should be computed from feature map " +
           std::to_string(index + 1) + " " + graph_.tensor_label(expected_input.index));
    }
    return e;
  }

  static bool is_pointwise(const Operator& op, const Graph& graph) {
    if (op.code != op::kConv2D || op.inputs.size() < 2 || op.inputs[1] < 0) return false;
    const Tensor& w = graph.tensors[static_cast<size_t>(op.inputs[1])];
    return w.shape.size() == 4 && w.shape[1] == 1 && w.shape[2] == 1;
  }

  // One inverted residual block ending at `output`, walked backwards.
  BackboneBlock block(const Tensor& output) {
    BackboneBlock b;
    b.output = &output;
    const Tensor* project_out = &output;
    const Tensor* residual_in = nullptr;
    const Operator& last = produced_by(output, "a bottleneck block");
    if (last.code == op::kAdd) {
      b.add = &take(last, {op::kAdd}, "a residual ADD");
      if (last.inputs.size() != 2 || last.inputs[1] < 0) fail(op_ref(last) + " needs 2 inputs");
      // The operand computed by a 1x1 conv over a depthwise output is the project output.
      const Tensor& a = tensor(last.inputs[0]);
      const Tensor& c = tensor(last.inputs[1]);
      const Operator* pa = producer_or_null(a);
      const bool a_is_project = pa && is_pointwise(*pa, graph_) && pa->inputs[0] >= 0 &&
                                producer_or_null(tensor(pa->inputs[0])) &&
                                producer_or_null(tensor(pa->inputs[0]))->code ==
                                    op::kDepthwiseConv2D;
      project_out = a_is_project ? &a : &c;
      residual_in = a_is_project ? &c : &a;
    }
    const std::string role = "block";  // numbered once the blocks are counted
    b.project = take_layer(produced_by(*project_out, "a block's project CONV_2D"), op::kConv2D,
                           role + " project");
    b.depthwise = take_layer(produced_by(*b.project.input, "a block's DEPTHWISE_CONV_2D"),
                             op::kDepthwiseConv2D, role + " depthwise");
    const Operator* before = producer_or_null(*b.depthwise.input);
    if (before && is_pointwise(*before, graph_)) {
      b.has_expand = true;
      b.expand = take_layer(*before, op::kConv2D, role + " expand");
      b.input = b.expand.input;
    } else {
      b.input = b.depthwise.input;
    }
    if (residual_in && residual_in != b.input) {
      fail(op_ref(*b.add) + " adds " + graph_.tensor_label(residual_in->index) +
           " to a block output, but that block's input is " + graph_.tensor_label(b.input->index));
    }
    return b;
  }

  void backbone(DetectorGraph& d) {
    const Tensor* t = d.head.input;
    constexpr size_t kMaxBlocks = 64;  // stops a malformed cycle-free chain early
    while (true) {
      const Operator& op = produced_by(*t, "a bottleneck block or the stem CONV_2D");
      if (op.code == op::kConv2D && !is_pointwise(op, graph_)) break;  // the stem
      if (d.blocks.size() == kMaxBlocks) fail("more than 64 bottleneck blocks before the head");
      d.blocks.push_back(block(*t));
      t = d.blocks.back().input;
    }
    std::reverse(d.blocks.begin(), d.blocks.end());
    for (size_t i = 0; i < d.blocks.size(); ++i) {
      const std::string role = "block " + std::to_string(i);
      d.blocks[i].project.role = role + " project";
      d.blocks[i].depthwise.role = role + " depthwise";
      d.blocks[i].expand.role = role + " expand";
    }
    d.stem = take_layer(produced_by(*t, "the stem CONV_2D"), op::kConv2D, "stem");
    const Tensor& input = skip_back(*d.stem.input, {op::kQuantize, op::kDequantize});
    if (graph_.inputs.size() != 1 || graph_.inputs[0] != input.index) {
      fail("the stem " + op_ref(*d.stem.op) + " reads " + graph_.tensor_label(input.index) +
           ", which is not the graph's only input");
    }
    d.input = &input;
  }

  size_t tap_block(const DetectorGraph& d) const {
    for (size_t i = 0; i < d.blocks.size(); ++i) {
      if (d.blocks[i].has_expand && d.blocks[i].expand.output == d.maps[0].source) return i;
    }
    fail("feature map 0 " + graph_.tensor_label(d.maps[0].source->index) +
         " is not the expansion output of a backbone block");
  }

  std::vector<int32_t> producer_;
  const Operator* logistic_ = nullptr;  // set by skip_back when it passes the sigmoid
};

}  // namespace

bool walk_detector_graph(const Graph& graph, DetectorGraph* out, std::string* error) {
  try {
    *out = Walker(graph).walk();
    return true;
  } catch (const ConvertError& e) {
    *error = e.what();
    return false;
  }
}

}  // namespace mnv2::tflite
