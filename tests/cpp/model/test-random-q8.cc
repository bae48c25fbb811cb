// The random quantized models (model/random-q8.h) are what the fuzzers and these tests take
// them for: weight files both the int8 and the float engines load and run, for the classifier
// and the detector, with int8 and uint8 activations, down to the smallest network the loader
// accepts (every channel count 8, 32x32 input).
#include <doctest/doctest.h>

#include <cmath>

#include "api/classifier.h"
#include "api/detector.h"
#include "detection/random-detector.h"
#include "model/random-model.h"

namespace mnv2 {

TEST_SUITE("random quantized models") {
  TEST_CASE("a random quantized classifier runs in int8 and in float") {
    for (bool int8_activations : {false, true}) {
      for (float alpha : {0.025f, 0.35f}) {
        CAPTURE(int8_activations);
        CAPTURE(alpha);
        const auto file = testing::random_q8_classifier_file(alpha, 32, 3, 5, int8_activations);
        REQUIRE_FALSE(file.empty());
        const auto pixels = testing::random_image(40, 30, 2);
        for (Precision precision : {Precision::kInt8, Precision::kFloat32}) {
          std::string error;
          auto classifier = Classifier::create(file.data(), file.size(), &error, simd_kernels(),
                                               Execution::kFused, 1, precision);
          REQUIRE_MESSAGE(classifier, error);
          CHECK(classifier->precision() == precision);
          std::vector<ClassScore> top;
          REQUIRE_MESSAGE(classifier->classify(pixels.data(), 40, 30, pixels.size(), 1.0f, 3,
                                               &top, &error), error);
          float sum = 0.0f;
          for (const ClassScore& entry : top) sum += entry.score;
          // int8 probabilities are multiples of the output step (1/256): their sum may miss 1
          // by a step per class.
          CHECK(std::fabs(sum - 1.0f) < 0.02f);
        }
      }
    }
  }

  TEST_CASE("a random quantized detector runs in int8 and in float") {
    for (bool int8_activations : {false, true}) {
      CAPTURE(int8_activations);
      testing::RandomDetectorSpec spec;
      spec.alpha = 0.025f;
      spec.input_size = 64;
      spec.num_classes = 2;
      spec.extras = {{8, 8}, {8, 8}};
      spec.quantized = true;
      spec.int8_activations = int8_activations;
      const auto file = testing::random_detector_file(spec);
      REQUIRE_FALSE(file.empty());
      const auto pixels = testing::random_image(50, 70, 3);
      for (Precision precision : {Precision::kInt8, Precision::kFloat32}) {
        std::string error;
        auto detector = Detector::create(file.data(), file.size(), &error, simd_kernels(),
                                         Execution::kFused, precision);
        REQUIRE_MESSAGE(detector, error);
        CHECK(detector->precision() == precision);
        DetectOptions options = detector->default_options();
        options.min_score = 0.0f;
        options.max_detections = 5;
        std::vector<Detection> found;
        REQUIRE_MESSAGE(detector->detect(pixels.data(), 50, 70, pixels.size(), options, &found,
                                         &error), error);
        // Every box scores >= 0, so NMS keeps the limit's worth.
        CHECK(found.size() == 5);
      }
    }
  }
}

}  // namespace mnv2
