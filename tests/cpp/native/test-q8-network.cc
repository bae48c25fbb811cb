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
#include "model/mobilenet-v2-q8.h"
#include "model/random-model.h"
#include "model/weight-file.h"
#include "native/rgb-pixels.h"
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

// A smooth image (gradients and a disc) plus mild noise: natural-ish activations.
std::vector<uint8_t> test_image(size_t size, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> rgb(size * size * 3);
  for (size_t y = 0; y < size; ++y) {
    for (size_t x = 0; x < size; ++x) {
      const double dx = double(x) - size / 2.0, dy = double(y) - size / 2.0;
      const bool disc = dx * dx + dy * dy < size * size / 10.0;
      for (size_t c = 0; c < 3; ++c) {
        const double base = disc ? 200.0 - 60.0 * c : 40.0 + 0.8 * x + 0.3 * y * c;
        const double v = base + double(rng() % 21) - 10.0;
        rgb[(y * size + x) * 3 + c] = uint8_t(std::clamp(v, 0.0, 255.0));
      }
    }
  }
  return rgb;
}

struct Run {
  std::vector<int8_t> pooled, logits;
  std::vector<float> probabilities;
};

Run run(const std::vector<uint8_t>& file, const QuantizedKernelTable& kernels,
        const std::vector<uint8_t>& rgb) {
  WeightFileView view;
  std::string error;
  REQUIRE_MESSAGE(parse_weight_file(file.data(), file.size(), &view, &error), error);
  MobileNetV2Q8 net;
  REQUIRE_MESSAGE(net.load(view, kernels, &error), error);
  test::RgbPixels pixels(rgb, net.input_size());
  net.features(pixels);
  const float* p = net.classify();
  return {net.pooled(), net.logits(), std::vector<float>(p, p + net.num_classes())};
}

}  // namespace

TEST_SUITE("model/int8 network") {
  TEST_CASE("SIMD and reference kernels give the identical network on both real models") {
    for (const char* model : kModels) {
      CAPTURE(model);
      const std::vector<uint8_t>& file = converted(model);
      const std::vector<uint8_t> rgb = test_image(224, 7);
      const Run ref = run(file, reference_q8_kernels(), rgb);
      const Run simd = run(file, simd_q8_kernels(), rgb);
      CHECK(simd.pooled == ref.pooled);
      CHECK(simd.logits == ref.logits);
      CHECK(simd.probabilities == ref.probabilities);
      // Scores are the model's uint8 softmax outputs: multiples of 1/256.
      for (float p : simd.probabilities) CHECK(p * 256.0f == std::round(p * 256.0f));
    }
  }

  TEST_CASE("int8 features follow the float engine's on the same pixels") {
    for (const char* model : kModels) {
      CAPTURE(model);
      const std::vector<uint8_t>& file = converted(model);
      std::vector<uint8_t> rgba(224 * 224 * 4, 255);
      const std::vector<uint8_t> rgb = test_image(224, 11);
      for (size_t i = 0; i < 224 * 224; ++i) {
        for (size_t c = 0; c < 3; ++c) rgba[4 * i + c] = rgb[3 * i + c];
      }
      std::string error;
      auto f32 = Classifier::create(file.data(), file.size(), &error);
      REQUIRE_MESSAGE(f32, error);
      auto q8 = Classifier::create(file.data(), file.size(), &error, simd_kernels(),
                                   Execution::kFused, 1, Precision::kInt8);
      REQUIRE_MESSAGE(q8, error);
      CHECK(q8->precision() == Precision::kInt8);
      CHECK(f32->precision() == Precision::kFloat32);
      const float* a = f32->embed(rgba.data(), 224, 224, rgba.size(), 1.0f, &error);
      REQUIRE(a != nullptr);
      const std::vector<float> float_features(a, a + f32->feature_size());
      const float* b = q8->embed(rgba.data(), 224, 224, rgba.size(), 1.0f, &error);
      REQUIRE(b != nullptr);
      double dot = 0, na = 0, nb = 0;
      for (size_t i = 0; i < float_features.size(); ++i) {
        dot += double(float_features[i]) * b[i];
        na += double(float_features[i]) * float_features[i];
        nb += double(b[i]) * b[i];
      }
      const double cosine = dot / std::sqrt(na * nb);
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
