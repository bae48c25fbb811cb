// Fused execution (paper section 5.1) against the layer-by-layer reference: the same numbers
// (bit for bit) with a fraction of the activation memory.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "api/classifier.h"
#include "model/random-model.h"

namespace mnv2 {
namespace {

std::unique_ptr<Classifier> make(const std::vector<uint8_t>& file, Execution execution) {
  std::string error;
  auto classifier = Classifier::create(file.data(), file.size(), &error, simd_kernels(), execution);
  REQUIRE_MESSAGE(classifier, error);
  return classifier;
}

}  // namespace

TEST_SUITE("fused") {
  TEST_CASE("fused blocks compute what layer-by-layer execution computes") {
    // 0.25 gives block 0 a residual to the stem output (a special case of the streaming);
    // odd resolutions give odd sizes and asymmetric padding at every stride-2 layer.
    const struct {
      float alpha;
      uint32_t resolution;
    } variants[] = {{0.25f, 96}, {0.35f, 128}, {0.5f, 97}, {0.75f, 160},
                    {1.0f, 224}, {1.0f, 113}, {1.4f, 192}};
    for (const auto& variant : variants) {
      CAPTURE(variant.alpha);
      CAPTURE(variant.resolution);
      const auto file = testing::random_classifier_file(variant.alpha, variant.resolution, 21, 77);
      REQUIRE(!file.empty());
      auto fused = make(file, Execution::kFused);
      auto layered = make(file, Execution::kLayerByLayer);
      const auto image = testing::random_image(257, 190, 11);
      std::string error;
      const float* a = fused->embed(image.data(), 257, 190, image.size(), 1.0f, &error);
      REQUIRE(a);
      std::vector<float> fused_features(a, a + fused->feature_size());
      const float* b = layered->embed(image.data(), 257, 190, image.size(), 1.0f, &error);
      REQUIRE(b);
      // Tiles, rings and whole expansions change where values live, not how each is computed
      // (the same kernels add the same products in the same order): bit for bit the same.
      CHECK(std::equal(fused_features.begin(), fused_features.end(), b));

      const MemoryStats f = fused->memory_stats();
      const MemoryStats l = layered->memory_stats();
      CHECK(f.weights_bytes == l.weights_bytes);
      CHECK(f.activation_peak_bytes + f.scratch_bytes < l.activation_peak_bytes);
    }
  }

  TEST_CASE("MobileNetV2 1.0/224 fits in 1.25 MiB of activations and scratch when fused") {
    const auto file = testing::random_classifier_file(1.0f, 224, 1001, 3);
    auto fused = make(file, Execution::kFused);
    auto layered = make(file, Execution::kLayerByLayer);
    const MemoryStats f = fused->memory_stats();
    const MemoryStats l = layered->memory_stats();
    MESSAGE("fused: activations " << f.activation_peak_bytes << " + scratch " << f.scratch_bytes
            << " bytes; layer by layer: activations " << l.activation_peak_bytes << " bytes");
    // The largest bottleneck pair: block 0's output 112x112x16 and block 1's 56x56x24.
    CHECK(f.activation_peak_bytes >= (112 * 112 * 16 + 56 * 56 * 24) * 4);
    CHECK(f.activation_peak_bytes + f.scratch_bytes <= 1.25 * 1024 * 1024);
    // Layer by layer holds at least block 1's 112x112x96 expansion and its input.
    CHECK(l.activation_peak_bytes >= (112 * 112 * 96 + 112 * 112 * 16) * 4);
  }
}

}  // namespace mnv2
