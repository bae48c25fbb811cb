// The integer engine on the real models (converted here from ../shared/models): SIMD and scalar
// kernels give bit-identical networks, int8 features track the float engine's, the Classifier
// selects it with Precision::kInt8, and files without activation quantization are refused
// with a message.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "api/classifier.h"
#include "model/random-model.h"
#include "model/weight-file.h"
#include "native/q8-runs.h"
#include "native/shared-models.h"
#include "tflite/convert-classifier.h"

namespace {

using namespace mnv2;

// The converted .mnv2 bytes of a shared model, converted once.
const std::vector<uint8_t>& converted(const std::string& tflite_name) {
  static std::vector<std::pair<std::string, std::vector<uint8_t>>> cache;
  for (const auto& entry : cache) {
    if (entry.first == tflite_name) return entry.second;
  }
  const std::vector<uint8_t> tflite = test::read_model_file(tflite_name);
  const std::vector<std::string> labels = test::read_model_labels("imagenet_labels.txt");
  tflite::ConvertResult result = tflite::convert_classifier(tflite.data(), tflite.size(), labels);
  REQUIRE_MESSAGE(result.ok, result.error);
  cache.push_back({tflite_name, std::move(result.file)});
  return cache.back().second;
}

const char* const kModels[] = {"mobilenet_v2_1.0_224_quant.tflite",
                               "tf2_mobilenet_v2_1.0_224_ptq.tflite"};

}  // namespace

TEST_SUITE("model/int8 network") {
  TEST_CASE("SIMD, relaxed-SIMD and reference kernels give the identical network on both real models") {
    for (const char* model : kModels) {
      CAPTURE(model);
      const std::vector<uint8_t>& file = converted(model);
      const std::vector<uint8_t> rgb = test::smooth_rgb(224, 7);
      test::Q8Options reference;
      reference.kernels = &reference_q8_kernels();
      const test::Q8Classification ref = test::classify_q8(file, rgb, reference);
      const test::Q8Classification simd = test::classify_q8(file, rgb);
      CHECK(simd.pooled == ref.pooled);
      CHECK(simd.logits == ref.logits);
      CHECK(simd.probabilities == ref.probabilities);
      // Natively the relaxed GEMM's dot product is simd.h's model of the exact instruction.
      REQUIRE(q8_usdot_exact());
      test::Q8Options relaxed;
      relaxed.kernels = &relaxed_simd_q8_kernels();
      const test::Q8Classification quads = test::classify_q8(file, rgb, relaxed);
      CHECK(quads.pooled == ref.pooled);
      CHECK(quads.logits == ref.logits);
      CHECK(quads.probabilities == ref.probabilities);
      // Scores are the model's uint8 softmax outputs: multiples of 1/256.
      for (float p : simd.probabilities) CHECK(p * 256.0f == std::round(p * 256.0f));
    }
  }

  TEST_CASE("int8 features follow the float engine's on the same pixels") {
    for (const char* model : kModels) {
      CAPTURE(model);
      const std::vector<uint8_t>& file = converted(model);
      const std::vector<uint8_t> rgba = test::to_rgba(test::smooth_rgb(224, 11));
      std::string error;
      const test::ClassifierPair pair = test::float_and_int8(file);
      Classifier* f32 = pair.f32.get();
      Classifier* q8 = pair.q8.get();
      CHECK(q8->precision() == Precision::kInt8);
      CHECK(f32->precision() == Precision::kFloat32);
      const float* a = f32->embed(rgba.data(), 224, 224, rgba.size(), 1.0f, &error);
      REQUIRE(a != nullptr);
      const std::vector<float> float_features(a, a + f32->feature_size());
      const float* b = q8->embed(rgba.data(), 224, 224, rgba.size(), 1.0f, &error);
      REQUIRE(b != nullptr);
      const double cosine = test::cosine_similarity(float_features.data(), b, float_features.size());
      INFO("cosine similarity of the pooled features: ", cosine);
      CHECK(cosine > 0.95);
      std::vector<ClassScore> top_f32, top_q8;
      REQUIRE(f32->classify(rgba.data(), 224, 224, rgba.size(), 1.0f, 1, &top_f32, &error));
      REQUIRE(q8->classify(rgba.data(), 224, 224, rgba.size(), 1.0f, 1, &top_q8, &error));
      CHECK(std::fabs(top_q8[0].score - f32->probabilities()[top_q8[0].index]) < 0.1);
    }
  }

  TEST_CASE("files without activation quantization are refused for int8 with a message") {
    const std::vector<uint8_t> file = testing::random_classifier_file(0.35f, 96, 10, 3);
    std::string error;
    auto classifier = Classifier::create(file.data(), file.size(), &error, simd_kernels(),
                                         Execution::kFused, 1, Precision::kInt8);
    CHECK(classifier == nullptr);
    CHECK(error.find("activation quantization") != std::string::npos);
    // The float engine takes the same file.
    CHECK(Classifier::create(file.data(), file.size(), &error) != nullptr);
  }
}
