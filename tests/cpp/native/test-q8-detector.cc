// The integer SSDLite (SSDLiteQ8) on the real VOC model, converted here from ../shared/models:
// the converter records the activation quantization it needs, SIMD and scalar kernels give
// bit-identical detector outputs, the int8 outputs follow the float engine's, the Detector
// selects it with Precision::kInt8, and files without activation quantization are refused
// with a message.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "api/detector.h"
#include "detection/random-detector.h"
#include "model/q8-layer-weights.h"
#include "model/weight-file.h"
#include "native/q8-runs.h"
#include "native/shared-models.h"
#include "tflite/convert-classifier.h"
#include "tflite/convert-detector.h"

namespace {

using namespace mnv2;

constexpr char kModel[] = "ssdlite_mobilenet_v2_voc_300_integer_quant_with_postprocess.tflite";

struct Converted {
  std::vector<uint8_t> file;
  tflite::DetectorSummary summary;
};

const Converted& converted() {
  static Converted c;
  if (c.file.empty()) {
    const std::vector<uint8_t> tflite = test::read_model_file(kModel);
    const std::vector<std::string> labels = test::read_model_labels("voc_labels_20.txt");
    tflite::DetectorConvertResult result = tflite::convert_detector(tflite.data(), tflite.size(), labels);
    REQUIRE_MESSAGE(result.ok, result.error);
    c.file = std::move(result.file);
    c.summary = result.summary;
  }
  return c;
}

// Two bright discs on a gradient plus mild noise: object-like structure at two scales.
std::vector<uint8_t> test_image(size_t size, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> rgb(size * size * 3);
  for (size_t y = 0; y < size; ++y) {
    for (size_t x = 0; x < size; ++x) {
      const double ax = double(x) - size * 0.35, ay = double(y) - size * 0.4;
      const double bx = double(x) - size * 0.75, by = double(y) - size * 0.7;
      const bool a = ax * ax + ay * ay < size * size / 16.0;
      const bool b = bx * bx + by * by < size * size / 80.0;
      for (size_t c = 0; c < 3; ++c) {
        const double base = a ? 220.0 - 70.0 * c : b ? 30.0 + 90.0 * c : 60.0 + 0.5 * x + 0.2 * y * c;
        const double v = base + double(rng() % 17) - 8.0;
        rgb[(y * size + x) * 3 + c] = uint8_t(std::clamp(v, 0.0, 255.0));
      }
    }
  }
  return rgb;
}

}  // namespace

TEST_SUITE("model/int8 detector") {
  TEST_CASE("the converter records the detector's activation quantization") {
    const Converted& c = converted();
    CHECK(c.summary.activation_quantization);
    WeightFileView view;
    std::string error;
    REQUIRE_MESSAGE(parse_weight_file(c.file.data(), c.file.size(), &view, &error), error);
    for (const char* name : {"input.out_q", "block13.expand.out_q", "head.out_q",
                             "extra3.project.out_q", "box5.pw.out_q", "class0.dw.out_q",
                             "boxes.out_q", "logits.out_q", "scores.out_q"}) {
      CAPTURE(name);
      const TensorView* t = view.find(name);
      REQUIRE(t != nullptr);
      CHECK(t->type == TensorType::kI8);
      CHECK(t->quant_count == 1);
    }
    // The LOGISTIC's output: TFLite's fixed int8 sigmoid quantization, 1/256 and -128.
    const TensorView* scores = view.find("scores.out_q");
    float scale;
    int32_t zero_point;
    std::memcpy(&scale, scores->scales, 4);
    std::memcpy(&zero_point, scores->zero_points, 4);
    CHECK(scale == 1.0f / 256.0f);
    CHECK(zero_point == -128);
  }

  TEST_CASE("SIMD, relaxed-SIMD and reference kernels give the identical int8 detector") {
    for (uint32_t seed : {3u, 17u}) {
      CAPTURE(seed);
      const std::vector<uint8_t> rgb = test_image(300, seed);
      test::Q8Options reference;
      reference.kernels = &reference_q8_kernels();
      const test::Q8Detection ref = test::detect_q8(converted().file, rgb, reference);
      const test::Q8Detection simd = test::detect_q8(converted().file, rgb);
      REQUIRE(simd.box_codes.size() == 1917 * 4);
      CHECK(simd.box_codes == ref.box_codes);
      CHECK(simd.score_codes == ref.score_codes);
      CHECK(simd.encodings == ref.encodings);
      CHECK(simd.scores == ref.scores);
      test::Q8Options relaxed;
      relaxed.kernels = &relaxed_simd_q8_kernels();
      const test::Q8Detection quads = test::detect_q8(converted().file, rgb, relaxed);
      CHECK(quads.box_codes == ref.box_codes);
      CHECK(quads.score_codes == ref.score_codes);
      // Not a degenerate network: the codes take many values.
      std::vector<bool> seen(256, false);
      for (int8_t q : simd.box_codes) seen[size_t(q + 128)] = true;
      CHECK(std::count(seen.begin(), seen.end(), true) > 50);
      // Scores are the LOGISTIC's int8 outputs: multiples of 1/256.
      for (float s : simd.scores) {
        if (s * 256.0f != std::round(s * 256.0f)) FAIL("score " << s << " is not a multiple of 1/256");
      }
    }
  }

  TEST_CASE("block1 expand's degenerate channel keeps one 8-channel segment generic, not the layer") {
    // One of its 96 channels has bias -2^31 + 1 and accumulators that may reach 2^30: packed
    // whole, the layer (150x150 pixels) would requantize every output on the scalar path.
    const std::vector<uint8_t>& file = converted().file;
    WeightFileView view;
    std::string error;
    REQUIRE_MESSAGE(parse_weight_file(file.data(), file.size(), &view, &error), error);
    ActivationQuant input{}, output{};
    REQUIRE_MESSAGE(q8_load::read_activation(view, "block0.project", &input, &error), error);
    REQUIRE_MESSAGE(q8_load::read_activation(view, "block1.expand", &output, &error), error);
    Q8Pointwise expand;
    REQUIRE_MESSAGE(q8_load::read_pointwise(view, "block1.expand", 16, 96, input, output,
                                            Q8GemmLayout::kI16Pairs, &expand,
                                            &error),
                    error);
    CHECK(expand.segments().size() > 1);  // one packing only when the whole layer is fast
    size_t generic = 0;
    for (const Q8Pointwise::Segment& s : expand.segments()) {
      if (expand.mode(s) == Q8RequantMode::kGeneric) generic += s.channels;
    }
    CHECK(generic > 0);
    CHECK(generic <= Q8Pointwise::kGranule);
  }

  TEST_CASE("int8 outputs follow the float engine's on the same pixels") {
    const std::vector<uint8_t>& file = converted().file;
    const std::vector<uint8_t> rgb = test_image(300, 5);
    const std::vector<uint8_t> rgba = test::to_rgba(rgb);
    std::string error;
    auto f32 = Detector::create(file.data(), file.size(), &error);
    REQUIRE_MESSAGE(f32, error);
    auto q8 = Detector::create(file.data(), file.size(), &error, simd_kernels(), Execution::kFused,
                               Precision::kInt8);
    REQUIRE_MESSAGE(q8, error);
    CHECK(q8->precision() == Precision::kInt8);
    CHECK(f32->precision() == Precision::kFloat32);
    CHECK(q8->num_anchors() == f32->num_anchors());
    CHECK(q8->input_size() == 300);
    CHECK(q8->default_options().iou_threshold == f32->default_options().iou_threshold);

    std::vector<Detection> found;
    DetectOptions options = f32->default_options();
    REQUIRE_MESSAGE(q8->detect(rgba.data(), 300, 300, rgba.size(), options, &found, &error), error);
    REQUIRE_MESSAGE(f32->detect(rgba.data(), 300, 300, rgba.size(), options, &found, &error), error);
    // The decoded boxes of both runs: the int8 box encodings dequantize to what the float
    // network computes, within a few quantization steps (0.06 each) after 70 layers.
    const std::vector<Box>& a = f32->boxes();
    REQUIRE(q8->box_codes() != nullptr);
    CHECK(f32->box_codes() == nullptr);
    const float* scores_q8 = q8->class_scores();
    const float* scores_f32 = f32->class_scores();
    double score_error = 0.0;
    size_t n = 0;
    for (size_t i = 0; i < a.size() * 21; ++i, ++n) score_error += std::fabs(scores_q8[i] - scores_f32[i]);
    INFO("mean |int8 - float| sigmoid score: ", score_error / n);
    CHECK(score_error / n < 0.002);
    const float* enc_q8 = q8->box_encodings();
    const float* enc_f32 = f32->box_encodings();
    const double cosine = test::cosine_similarity(enc_q8, enc_f32, a.size() * 4);
    INFO("cosine similarity of the box encodings: ", cosine);
    CHECK(cosine > 0.99);
  }

  TEST_CASE("files without activation quantization are refused for int8 with a message") {
    testing::RandomDetectorSpec spec;
    const std::vector<uint8_t> file = testing::random_detector_file(spec);
    std::string error;
    auto detector = Detector::create(file.data(), file.size(), &error, simd_kernels(),
                                     Execution::kFused, Precision::kInt8);
    CHECK(detector == nullptr);
    CHECK(error.find("activation quantization") != std::string::npos);
    CHECK(Detector::create(file.data(), file.size(), &error) != nullptr);
    // The converted real model, which has it, is accepted.
    const std::vector<uint8_t>& detector_file = converted().file;
    CHECK(Detector::create(detector_file.data(), detector_file.size(), &error, simd_kernels(),
                           Execution::kFused, Precision::kInt8) != nullptr);
  }
}
