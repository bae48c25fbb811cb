// The whole network at several widths and resolutions: the SIMD kernels must give what the
// reference kernels give (1e-4 relative), and the output must be a real distribution.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "api/classifier.h"
#include "model/random-model.h"

namespace mnv2 {
namespace {

float max_abs(const float* values, size_t n) {
  float m = 0.0f;
  for (size_t i = 0; i < n; ++i) m = std::max(m, std::fabs(values[i]));
  return m;
}

float max_abs_difference(const float* a, const float* b, size_t n) {
  float m = 0.0f;
  for (size_t i = 0; i < n; ++i) m = std::max(m, std::fabs(a[i] - b[i]));
  return m;
}

struct Variant {
  float alpha;
  uint32_t resolution;
};

}  // namespace

TEST_SUITE("network") {
  TEST_CASE("SIMD network equals the reference network at every width and resolution") {
    // Odd resolutions (113, 97) exercise SAME padding on odd sizes in every stride-2 layer.
    const Variant variants[] = {{0.35f, 96}, {0.5f, 128}, {0.75f, 160}, {1.0f, 224},
                                {1.4f, 192}, {1.0f, 113}, {0.5f, 97}};
    for (const Variant& variant : variants) {
      CAPTURE(variant.alpha);
      CAPTURE(variant.resolution);
      const uint32_t classes = 37;
      const auto file = testing::random_classifier_file(variant.alpha, variant.resolution,
                                                        classes, 1234);
      REQUIRE(!file.empty());
      std::string error;
      auto simd = Classifier::create(file.data(), file.size(), &error, simd_kernels());
      REQUIRE_MESSAGE(simd, error);
      auto ref = Classifier::create(file.data(), file.size(), &error, reference_kernels());
      REQUIRE_MESSAGE(ref, error);
      CHECK(simd->input_size() == variant.resolution);
      CHECK(simd->feature_size() == (variant.alpha > 1.0f ? 1792u : 1280u));

      const auto image = testing::random_image(300, 200, 7);
      const float* simd_features = simd->embed(image.data(), 300, 200, image.size(), 0.9f, &error);
      REQUIRE(simd_features);
      std::vector<float> simd_copy(simd_features, simd_features + simd->feature_size());
      const float* ref_features = ref->embed(image.data(), 300, 200, image.size(), 0.9f, &error);
      REQUIRE(ref_features);
      const float scale = max_abs(ref_features, ref->feature_size());
      CHECK(scale > 1e-3f);  // a network of zeros would compare equal too
      CHECK(max_abs_difference(simd_copy.data(), ref_features, ref->feature_size()) <=
            1e-4f * scale);

      std::vector<ClassScore> simd_top, ref_top;
      REQUIRE(simd->classify(image.data(), 300, 200, image.size(), 0.9f, classes, &simd_top, &error));
      REQUIRE(ref->classify(image.data(), 300, 200, image.size(), 0.9f, classes, &ref_top, &error));
      float total = 0.0f;
      for (size_t i = 0; i < classes; ++i) {
        total += simd->probabilities()[i];
        CHECK(std::fabs(simd->probabilities()[i] - ref->probabilities()[i]) <= 1e-4f);
      }
      CHECK(total == doctest::Approx(1.0f).epsilon(1e-5));
      for (size_t i = 1; i < simd_top.size(); ++i) CHECK(simd_top[i - 1].score >= simd_top[i].score);
    }
  }

  TEST_CASE("inference is deterministic across calls and instances") {
    const auto file = testing::random_classifier_file(0.5f, 128, 10, 99);
    std::string error;
    auto first = Classifier::create(file.data(), file.size(), &error);
    auto second = Classifier::create(file.data(), file.size(), &error);
    REQUIRE(first);
    REQUIRE(second);
    const auto image = testing::random_image(64, 80, 3);
    const float* a = first->embed(image.data(), 64, 80, image.size(), 1.0f, &error);
    std::vector<float> expected(a, a + first->feature_size());
    for (int call = 0; call < 3; ++call) {
      const float* again = first->embed(image.data(), 64, 80, image.size(), 1.0f, &error);
      CHECK(std::equal(expected.begin(), expected.end(), again));
    }
    const float* other = second->embed(image.data(), 64, 80, image.size(), 1.0f, &error);
    CHECK(std::equal(expected.begin(), expected.end(), other));
  }

  TEST_CASE("bad calls are rejected with messages") {
    const auto file = testing::random_classifier_file(0.35f, 96, 10, 5);
    std::string error;
    auto classifier = Classifier::create(file.data(), file.size(), &error);
    REQUIRE(classifier);
    const auto image = testing::random_image(8, 8, 1);
    std::vector<ClassScore> top;
    CHECK_FALSE(classifier->classify(image.data(), 0, 8, 0, 1.0f, 3, &top, &error));
    CHECK(error.find("empty") != std::string::npos);
    CHECK_FALSE(classifier->classify(image.data(), 8, 8, image.size() - 1, 1.0f, 3, &top, &error));
    CHECK(error.find("needs 256") != std::string::npos);
    CHECK_FALSE(classifier->classify(image.data(), 20000, 8, 640000, 1.0f, 3, &top, &error));
    CHECK(error.find("larger than") != std::string::npos);
    CHECK_FALSE(classifier->classify(image.data(), 8, 8, image.size(), 0.0f, 3, &top, &error));
    CHECK(error.find("crop") != std::string::npos);
    CHECK_FALSE(classifier->classify(image.data(), 8, 8, image.size(), NAN, 3, &top, &error));
    CHECK(error.find("crop") != std::string::npos);
    CHECK_FALSE(classifier->classify(image.data(), 8, 8, image.size(), 1.0f, 0, &top, &error));
    CHECK(error.find("topK") != std::string::npos);
    CHECK_FALSE(classifier->classify(image.data(), 8, 8, image.size(), 1.0f, 11, &top, &error));
    CHECK(error.find("topK") != std::string::npos);
    CHECK(classifier->classify(image.data(), 8, 8, image.size(), 1.0f, 10, &top, &error));
    CHECK(top.size() == 10);
  }
}

}  // namespace mnv2
