// The fuzzers' generated seeds are what they claim to be: the tiny TFLite classifier converts
// and its weight file loads and classifies (so fuzzing starts from a graph that passes every
// check), and the operator zoo reads with every option table it carries.
#include <doctest/doctest.h>

#include "api/classifier.h"
#include "native/tflite-seeds.h"
#include "tflite/convert-classifier.h"
#include "tflite/postprocess-options.h"
#include "tflite/tflite-reader.h"

namespace mnv2::fuzzing {

TEST_SUITE("fuzz seeds") {
  TEST_CASE("the tiny TFLite classifier converts into a working weight file") {
    const std::vector<uint8_t> bytes = tiny_classifier_tflite(3);
    const auto result = tflite::convert_classifier(bytes.data(), bytes.size(), {"a", "b", "c"});
    REQUIRE_MESSAGE(result.ok, result.error);
    CHECK(result.summary.alpha == 0.35f);
    CHECK(result.summary.input_size == 32);
    CHECK(result.summary.num_classes == 3);
    std::string error;
    auto classifier = Classifier::create(result.file.data(), result.file.size(), &error);
    REQUIRE_MESSAGE(classifier, error);
    const std::vector<uint8_t> pixels(8 * 8 * 4, 77);
    std::vector<ClassScore> top;
    CHECK(classifier->classify(pixels.data(), 8, 8, pixels.size(), 1.0f, 3, &top, &error));
  }

  TEST_CASE("the operator zoo reads, options and custom options included") {
    const std::vector<uint8_t> bytes = operator_zoo_tflite();
    const tflite::ReadResult read = tflite::read_tflite(bytes.data(), bytes.size());
    REQUIRE_MESSAGE(read.ok, read.error);
    size_t with_options = 0;
    const tflite::Operator* custom = nullptr;
    for (const tflite::Operator& op : read.graph.operators) {
      with_options += op.options.has_options;
      if (op.code == tflite::op::kCustom) custom = &op;
    }
    CHECK(with_options == 12);
    REQUIRE(custom != nullptr);
    CHECK(custom->custom_code == "TFLite_Detection_PostProcess");
    PostprocessParams params;
    std::string error;
    CHECK_MESSAGE(tflite::read_postprocess_options(custom->custom_options, &params, &error), error);
    // Not a classifier: the converter names the first thing that does not fit.
    const auto result = tflite::convert_classifier(read.graph, {"a"});
    CHECK_FALSE(result.ok);
    CHECK_FALSE(result.error.empty());
  }
}

}  // namespace mnv2::fuzzing
