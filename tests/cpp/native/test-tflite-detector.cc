// The SSDLite converter on the real VOC model in ../shared/models (always present here and in
// CI: a missing model fails, it does not skip): what it reads from the graph, the anchors it
// generates against the model's constant anchor tensor, the bytes it writes, and the errors
// it gives for edited graphs and damaged files.
#include <doctest/doctest.h>

#include <flatbuffers/flexbuffers.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <random>

#include "api/detector.h"
#include "model/weight-file.h"
#include "native/graph-edits.h"
#include "native/shared-models.h"
#include "native/tflite-seeds.h"
#include "tflite/convert-classifier.h"
#include "tflite/convert-detector.h"
#include "tflite/detector-graph.h"
#include "tflite/postprocess-options.h"

namespace mnv2::tflite {
namespace {

constexpr char kModel[] = "ssdlite_mobilenet_v2_voc_300_integer_quant_with_postprocess.tflite";

struct Files {
  std::vector<uint8_t> model, classifier;
  std::vector<std::string> labels;
};

// Reads the real files once.
const Files& files() {
  static const Files f{test::read_model_file(kModel),
                       test::read_model_file("mobilenet_v2_1.0_224_quant.tflite"),
                       test::read_model_labels("voc_labels_20.txt")};
  return f;
}

Graph graph() {
  ReadResult read = read_tflite(files().model.data(), files().model.size());
  REQUIRE_MESSAGE(read.ok, read.error);
  return read.graph;
}

const Operator& postprocess_op(const Graph& g) {
  for (const Operator& op : g.operators) {
    if (op.code == op::kCustom && op.custom_code == "TFLite_Detection_PostProcess") return op;
  }
  FAIL("no TFLite_Detection_PostProcess in the model");
  return g.operators.front();
}

DetectorConvertResult convert(const Graph& g) { return convert_detector(g, files().labels); }

void expect_error(const DetectorConvertResult& result, const std::vector<std::string>& fragments) {
  CHECK_FALSE(result.ok);
  CHECK(result.file.empty());
  for (const std::string& fragment : fragments) {
    CHECK_MESSAGE(result.error.find(fragment) != std::string::npos, result.error);
  }
}

// Edits the real graph, then converts it.
template <typename Edit>
void expect_graph_error(Edit edit, const std::vector<std::string>& fragments) {
  Graph g = graph();
  edit(g);
  expect_error(convert(g), fragments);
}

Operator& op_named(Graph& g, const std::string& output_prefix) {
  for (Operator& op : g.operators) {
    if (!op.outputs.empty() &&
        g.tensors[static_cast<size_t>(op.outputs[0])].name.rfind(output_prefix, 0) == 0) {
      return op;
    }
  }
  FAIL("no operator writes a tensor named " << output_prefix);
  return g.operators.front();
}

}  // namespace

TEST_SUITE("tflite detector converter") {
  TEST_CASE("the VOC SSDLite model converts, with what the graph says") {
    const DetectorConvertResult result = convert(graph());
    REQUIRE_MESSAGE(result.ok, result.error);
    const DetectorSummary& s = result.summary;
    CHECK(s.alpha == 1.0f);
    CHECK(s.input_size == 300);
    CHECK(s.num_classes == 20);
    CHECK(s.input_mean == 127.5f);  // float input, (x - 127.5) / 127.5
    CHECK(s.input_std == 127.5f);
    CHECK(s.block_count == 17);
    CHECK(s.tap_block == 13);
    CHECK(s.map_sizes == std::vector<size_t>{19, 10, 5, 3, 2, 1});
    CHECK(s.anchor_count == 1917);
    CHECK(s.max_anchor_error <= kAnchorTolerance);
    CHECK(s.weight_type == TensorType::kI8);
    CHECK(s.per_channel);
    // From the postprocess operator's FlexBuffer options.
    const PostprocessParams& p = s.postprocess;
    CHECK(p.scales.y == 10.0f);
    CHECK(p.scales.x == 10.0f);
    CHECK(p.scales.h == 5.0f);
    CHECK(p.scales.w == 5.0f);
    CHECK(p.iou_threshold == doctest::Approx(0.6f));
    CHECK(p.score_threshold == doctest::Approx(0.7f));
    CHECK(p.max_detections == 10);
    CHECK(p.max_classes_per_detection == 1);
    CHECK(p.detections_per_class == 100);
    CHECK_FALSE(p.use_regular_nms);
    CHECK(p.num_classes == 20);
  }

  TEST_CASE("generated anchors equal the model's constant anchor tensor to 1e-5") {
    const Graph g = graph();
    const Operator& pp = postprocess_op(g);
    REQUIRE(pp.inputs.size() == 3);
    const Tensor& stored = g.tensors[static_cast<size_t>(pp.inputs[2])];
    REQUIRE(stored.type == ElementType::kFloat32);
    REQUIRE(stored.shape == std::vector<int32_t>{1917, 4});
    const std::vector<Anchor> ours =
        generate_anchors(ssdlite_voc_anchor_params(), {19, 10, 5, 3, 2, 1});
    REQUIRE(ours.size() == 1917);
    std::vector<float> file(1917 * 4);
    std::memcpy(file.data(), stored.data(), file.size() * sizeof(float));
    float worst = 0.0f;
    for (size_t i = 0; i < ours.size(); ++i) {
      const float mine[4] = {ours[i].y, ours[i].x, ours[i].h, ours[i].w};
      for (size_t j = 0; j < 4; ++j) worst = std::max(worst, std::fabs(mine[j] - file[4 * i + j]));
    }
    CHECK(worst <= 1e-5f);
    MESSAGE("largest anchor difference from the model's: " << worst);

    // 1/3 in place of the configuration's 0.3333 is off by ~1e-4 on the tall boxes.
    AnchorParams third = ssdlite_voc_anchor_params();
    third.aspect_ratios.back() = 1.0f / 3.0f;
    const std::vector<Anchor> other = generate_anchors(third, {19, 10, 5, 3, 2, 1});
    float off = 0.0f;
    for (size_t i = 0; i < other.size(); ++i) off = std::max(off, std::fabs(other[i].h - file[4 * i + 2]));
    CHECK(off > 1e-5f);
  }

  TEST_CASE("anchor parameters that do not reproduce the model's anchors are refused") {
    AnchorParams third = ssdlite_voc_anchor_params();
    third.aspect_ratios.back() = 1.0f / 3.0f;
    expect_error(convert_detector(graph(), files().labels, third),
                 {"anchor", "refusing to convert"});
    AnchorParams full = ssdlite_voc_anchor_params();
    full.reduce_boxes_in_lowest_layer = false;  // 6 boxes per cell on the 19x19 map
    expect_error(convert_detector(graph(), files().labels, full), {"box predictor 0 pointwise"});
  }

  TEST_CASE("weights are stored as the TFLite int8 values with per-channel scales") {
    const Graph g = graph();
    DetectorGraph d;
    std::string error;
    REQUIRE_MESSAGE(walk_detector_graph(g, &d, &error), error);
    const DetectorConvertResult result = convert(g);
    REQUIRE_MESSAGE(result.ok, result.error);
    WeightFileView view;
    REQUIRE_MESSAGE(parse_weight_file(result.file.data(), result.file.size(), &view, &error), error);
    CHECK(view.header.model_kind == static_cast<uint32_t>(ModelKind::kDetector));
    CHECK(view.labels.front() == "aeroplane");
    CHECK(view.labels[7] == "cat");

    const struct {
      const char* name;
      const Tensor* source;
      size_t axis;
    } checks[] = {
        {"box0.pw.w", d.maps[0].box_pointwise.weights, 0},
        {"class5.dw.w", d.maps[5].class_depthwise.weights, 3},
        {"extra2.project.w", d.extras[2].project.weights, 0},
        {"extra0.dw.b", d.extras[0].depthwise.bias, 0},
        {"block13.expand.w", d.blocks[13].expand.weights, 0},
    };
    for (const auto& c : checks) {
      CAPTURE(c.name);
      const TensorView* t = view.find(c.name);
      REQUIRE(t != nullptr);
      REQUIRE(t->elements * (c.source->type == ElementType::kInt32 ? 4 : 1) ==
              c.source->data_bytes());
      CHECK(std::memcmp(t->data, c.source->data(), c.source->data_bytes()) == 0);
      REQUIRE(t->quant_count == c.source->quant.scales.size());
      CHECK(t->quant_count > 1);
      CHECK(t->quant_axis == c.axis);
      float scale;
      std::memcpy(&scale, t->scales + t->quant_count - 1, sizeof scale);
      CHECK(scale == c.source->quant.scales.back());
    }
    // The graph wiring the walk found: map 0 is block 13's expansion, map 1 the head conv.
    CHECK(d.maps[0].source == d.blocks[13].expand.output);
    CHECK(d.maps[1].source == d.head.output);
    CHECK(d.extras.size() == 4);
    CHECK(d.maps[2].source == d.extras[0].project.output);
  }

  TEST_CASE("the converted file loads in the detector") {
    const DetectorConvertResult result = convert(graph());
    REQUIRE(result.ok);
    std::string error;
    auto detector = Detector::create(result.file.data(), result.file.size(), &error);
    REQUIRE_MESSAGE(detector, error);
    CHECK(detector->input_size() == 300);
    CHECK(detector->num_anchors() == 1917);
    CHECK(detector->labels().size() == 20);
    CHECK(detector->default_options().iou_threshold == doctest::Approx(0.6f));
    CHECK(detector->default_options().class_agnostic);
  }

  TEST_CASE("the postprocess options are read from their FlexBuffer") {
    const Graph g = graph();
    const Operator& pp = postprocess_op(g);
    PostprocessParams p;
    std::string error;
    REQUIRE_MESSAGE(read_postprocess_options(pp.custom_options, &p, &error), error);
    CHECK(p.num_classes == 20);

    CHECK_FALSE(read_postprocess_options({}, &p, &error));
    CHECK(error.find("no options") != std::string::npos);
    std::vector<uint8_t> garbage(64, 0xAB);
    CHECK_FALSE(read_postprocess_options(garbage, &p, &error));
    CHECK_FALSE(error.empty());

    // Only the required keys; then a map that lacks one, and one whose threshold is out of range.
    auto build = [](std::optional<float> iou) {
      flexbuffers::Builder fbb;
      fbb.Map([&]() { fuzzing::add_required_postprocess_options(fbb, iou, 0.5f); });
      fbb.Finish();
      return fbb.GetBuffer();
    };
    REQUIRE_MESSAGE(read_postprocess_options(build(0.5f), &p, &error), error);
    CHECK(p.detections_per_class == 100);  // TFLite's defaults for the optional keys
    CHECK_FALSE(p.use_regular_nms);
    CHECK_FALSE(read_postprocess_options(build(std::nullopt), &p, &error));
    CHECK(error.find("lack nms_iou_threshold") != std::string::npos);
    CHECK_FALSE(read_postprocess_options(build(1.5f), &p, &error));
    CHECK(error.find("nms_iou_threshold") != std::string::npos);
  }
}

TEST_SUITE("tflite detector converter validation") {
  TEST_CASE("a label count other than the model's classes is refused") {
    std::vector<std::string> labels = files().labels;
    labels.push_back("extra");
    expect_error(convert_detector(graph(), labels), {"21 labels", "20 classes"});
  }

  TEST_CASE("an extra layer with the wrong stride names its operator") {
    expect_graph_error(
        [](Graph& g) {
          op_named(g, "FeatureExtractor/MobilenetV2/layer_19_2_Conv2d_3_3x3_s2_256_depthwise")
              .options.stride_w = 1;
        },
        {"extra 1 depthwise", "stride 1x2"});
  }

  TEST_CASE("a predictor with a fused activation where none belongs is refused") {
    expect_graph_error(
        [](Graph& g) {
          op_named(g, "BoxPredictor_3/ClassPredictor/BiasAdd").options.activation =
              Activation::kRelu6;
        },
        {"class predictor 3 pointwise", "RELU6"});
  }

  TEST_CASE("class scores without a sigmoid are refused") {
    expect_graph_error(
        [](Graph& g) {
          // Bypass the LOGISTIC: its consumer reads the logits directly.
          Operator& logistic = op_named(g, "convert_scores");
          const int32_t in = logistic.inputs[0], out = logistic.outputs[0];
          for (Operator& op : g.operators) {
            for (int32_t& t : op.inputs) {
              if (t == out) t = in;
            }
          }
          logistic.code = op::kReshape;  // left dangling: also caught, but after the sigmoid
          logistic.outputs = {};
        },
        {"LOGISTIC"});
  }

  TEST_CASE("box and class predictors reading different maps are refused") {
    expect_graph_error(
        [](Graph& g) {
          Operator& dw = op_named(g, "BoxPredictor_2/ClassPredictor_depthwise");
          dw.inputs[0] = op_named(g, "BoxPredictor_3/ClassPredictor_depthwise").inputs[0];
        },
        {"feature map 2", "box predictor reads", "class predictor reads"});
  }

  TEST_CASE("an operator outside the detector is reported") {
    expect_graph_error(
        [](Graph& g) {
          append_dangling_operator(g, op_named(g, "BoxPredictor_0/Reshape"));
        },
        {"RESHAPE) is not part of an SSD MobileNetV2 detector"});
  }

  TEST_CASE("a classifier model is not a detector, and the other way round") {
    const DetectorConvertResult result =
        convert_detector(files().classifier.data(), files().classifier.size(), files().labels);
    expect_error(result, {"TFLite_Detection_PostProcess"});
    const ConvertResult classifier =
        convert_classifier(files().model.data(), files().model.size(), files().labels);
    CHECK_FALSE(classifier.ok);
    CHECK_FALSE(classifier.error.empty());
  }

  TEST_CASE("damaged files give a clean error, never a crash") {
    const std::vector<uint8_t>& full = files().model;
    for (size_t cut : {size_t{0}, size_t{8}, size_t{100}, full.size() / 3, full.size() - 1000}) {
      CAPTURE(cut);
      const std::vector<uint8_t> part(full.begin(), full.begin() + long(cut));
      const DetectorConvertResult r = convert_detector(part.data(), part.size(), files().labels);
      CHECK_FALSE(r.ok);
      CHECK_FALSE(r.error.empty());
    }
    std::mt19937 rng(7);
    const size_t edge = 16384;  // the FlatBuffer tables sit at the ends of the file
    int errors = 0;
    for (int round = 0; round < 30; ++round) {
      std::vector<uint8_t> bytes = full;
      const size_t position = round % 2 ? rng() % edge : bytes.size() - 1 - rng() % edge;
      bytes[position] ^= static_cast<uint8_t>(1u << (rng() % 8));
      CAPTURE(position);
      const DetectorConvertResult r = convert_detector(bytes.data(), bytes.size(), files().labels);
      if (!r.ok) {
        ++errors;
        CHECK_FALSE(r.error.empty());
      }
    }
    CHECK(errors > 0);
  }
}

}  // namespace mnv2::tflite
