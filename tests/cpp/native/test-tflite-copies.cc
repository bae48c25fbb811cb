// The .tflite copies mnv2-convert makes for the browser benchmark (tflite-writer.h,
// float-graph.h, detection-output-shapes.h), on the real models: a rewritten file must hold
// everything the converters read (they turn it into the very .mnv2 bytes of the original),
// the float32 copy must be the same network in float, and the detection outputs must get the
// shapes TFLite's kernel gives them. That LiteRT.js then runs these copies and agrees with
// the reference is checked by the browser benchmark itself (scripts/bench-browser.mjs).
#include <doctest/doctest.h>

#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "native/shared-models.h"
#include "tflite/convert-classifier.h"
#include "tflite/convert-detector.h"
#include "tflite/detection-output-shapes.h"
#include "tflite/float-graph.h"
#include "tflite/tflite-reader.h"
#include "tflite/tflite-writer.h"

namespace mnv2::tflite {
namespace {

Graph read_or_fail(const std::vector<uint8_t>& bytes) {
  const ReadResult read = read_tflite(bytes.data(), bytes.size());
  REQUIRE_MESSAGE(read.ok, read.error);
  return read.graph;
}

std::vector<uint8_t> write_or_fail(const Graph& graph) {
  const WriteResult written = write_tflite(graph);
  REQUIRE_MESSAGE(written.ok, written.error);
  return written.bytes;
}

float element(const Tensor& tensor, size_t i) {
  float value = 0.0f;
  std::memcpy(&value, tensor.data() + i * sizeof(float), sizeof(float));
  return value;
}

TEST_CASE("a rewritten classifier converts to the same .mnv2 bytes as the original") {
  const auto labels = test::read_model_labels("imagenet_labels.txt");
  for (const char* name : {"mobilenet_v2_1.0_224_quant.tflite", "tf2_mobilenet_v2_1.0_224_ptq.tflite"}) {
    CAPTURE(name);
    const auto original = test::read_model_file(name);
    const auto rewritten = write_or_fail(read_or_fail(original));
    const ConvertResult a = convert_classifier(original.data(), original.size(), labels);
    const ConvertResult b = convert_classifier(rewritten.data(), rewritten.size(), labels);
    REQUIRE_MESSAGE(a.ok, a.error);
    REQUIRE_MESSAGE(b.ok, b.error);
    CHECK(a.file == b.file);
  }
}

TEST_CASE("static detection outputs: the shapes TFLite's kernel gives them, and the graph unchanged") {
  const auto original = test::read_model_file("ssdlite_mobilenet_v2_voc_300_integer_quant_with_postprocess.tflite");
  Graph graph = read_or_fail(original);
  for (int32_t t : graph.outputs) CHECK(graph.tensors[static_cast<size_t>(t)].shape.empty());
  std::string error;
  REQUIRE(set_detection_output_shapes(graph, &error) == 1);
  const std::vector<std::vector<int32_t>> expected = {{1, 10, 4}, {1, 10}, {1, 10}, {1}};
  REQUIRE(graph.outputs.size() == 4);
  for (size_t i = 0; i < 4; ++i) CHECK(graph.tensors[static_cast<size_t>(graph.outputs[i])].shape == expected[i]);

  const auto rewritten = write_or_fail(graph);
  const auto labels = test::read_model_labels("voc_labels_20.txt");
  const DetectorConvertResult a = convert_detector(original.data(), original.size(), labels);
  const DetectorConvertResult b = convert_detector(rewritten.data(), rewritten.size(), labels);
  REQUIRE_MESSAGE(a.ok, a.error);
  REQUIRE_MESSAGE(b.ok, b.error);
  CHECK(a.file == b.file);

  Graph classifier = read_or_fail(test::read_model_file("mobilenet_v2_1.0_224_quant.tflite"));
  CHECK(set_detection_output_shapes(classifier, &error) == 0);
}

TEST_CASE("the float32 copy of the uint8 classifier: every value dequantized, float in and out") {
  const Graph quantized = read_or_fail(test::read_model_file("mobilenet_v2_1.0_224_quant.tflite"));
  const FloatGraphResult converted = float_graph(quantized);
  REQUIRE_MESSAGE(converted.ok, converted.error);
  // Written and read back, as LiteRT.js gets it.
  const Graph copy = read_or_fail(write_or_fail(converted.graph));
  CHECK(converted.dropped_operators == 0);  // the TF1 file is uint8 from input to softmax
  REQUIRE(copy.operators.size() == quantized.operators.size());
  for (size_t i = 0; i < copy.operators.size(); ++i) {
    CHECK(copy.operators[i].code == quantized.operators[i].code);
    CHECK(copy.operators[i].version == 1);
  }
  std::map<std::string, const Tensor*> by_name;
  for (const Tensor& t : quantized.tensors) by_name[t.name] = &t;
  size_t checked = 0;
  for (const Tensor& t : copy.tensors) {
    CAPTURE(t.name);
    CHECK_FALSE(t.quant.quantized());
    const Tensor& source = *by_name.at(t.name);
    CHECK(t.shape == source.shape);
    if (!source.quant.quantized()) {
      CHECK(t.type == source.type);  // a RESHAPE's int32 shape stays as it is
      continue;
    }
    REQUIRE(t.type == ElementType::kFloat32);
    if (!source.is_constant()) continue;
    REQUIRE(t.data_bytes() == source.element_count * sizeof(float));
    // Per-tensor uint8 weights and int32 biases: scale * (q - zero_point).
    for (size_t i = 0; i < source.element_count; i += 97) {
      int32_t bias = 0;
      if (source.type == ElementType::kInt32) std::memcpy(&bias, source.data() + i * sizeof(int32_t), sizeof(bias));
      const float q = source.type == ElementType::kUInt8 ? static_cast<float>(source.data()[i]) : static_cast<float>(bias);
      CHECK(element(t, i) == source.quant.scales[0] * (q - static_cast<float>(source.quant.zero_points[0])));
    }
    ++checked;
  }
  CHECK(checked == converted.dequantized_constants);
  const Tensor& input = copy.tensors[static_cast<size_t>(copy.inputs.at(0))];
  const Tensor& output = copy.tensors[static_cast<size_t>(copy.outputs.at(0))];
  CHECK(input.type == ElementType::kFloat32);
  CHECK(input.shape == std::vector<int32_t>{1, 224, 224, 3});
  CHECK(output.type == ElementType::kFloat32);
  CHECK(output.shape == std::vector<int32_t>{1, 1001});
}

TEST_CASE("the float32 copy of the ptq classifier drops its QUANTIZE ops and keeps one graph") {
  const Graph quantized = read_or_fail(test::read_model_file("tf2_mobilenet_v2_1.0_224_ptq.tflite"));
  const FloatGraphResult converted = float_graph(quantized);
  REQUIRE_MESSAGE(converted.ok, converted.error);
  CHECK(converted.dropped_operators == 2);  // uint8 -> int8 at the input, int8 -> uint8 at the output
  const Graph& g = converted.graph;
  CHECK(g.operators.size() == quantized.operators.size() - 2);
  for (const Operator& op : g.operators) {
    CHECK(op.code != op::kQuantize);
    CHECK(op.code != op::kDequantize);
    for (int32_t t : op.inputs) if (t >= 0) CHECK(static_cast<size_t>(t) < g.tensors.size());
  }
  // The graph input feeds the first convolution directly now.
  CHECK(g.operators.front().inputs.at(0) == g.inputs.at(0));
  CHECK(g.operators.back().outputs.at(0) == g.outputs.at(0));
}

TEST_CASE("the writer refuses an operator whose options it would lose, and indices out of range") {
  Graph graph = read_or_fail(test::read_model_file("mobilenet_v2_1.0_224_quant.tflite"));
  Graph unknown = graph;
  unknown.operators[0].code = 57;  // not one the reader keeps options for
  const WriteResult a = write_tflite(unknown);
  CHECK_FALSE(a.ok);
  CHECK(a.error.find("operator #0") != std::string::npos);
  Graph dangling = graph;
  dangling.operators[1].inputs[0] = static_cast<int32_t>(graph.tensors.size());
  const WriteResult b = write_tflite(dangling);
  CHECK_FALSE(b.ok);
  CHECK(b.error.find("operator #1") != std::string::npos);
}

}  // namespace
}  // namespace mnv2::tflite
