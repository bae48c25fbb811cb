#include "native/q8-runs.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>

namespace mnv2::test {
namespace {

template <typename T>
std::vector<T> copy_of(const void* data, size_t count) {
  const T* values = static_cast<const T*>(data);
  return std::vector<T>(values, values + count);
}

// The network of the file on the options' kernels, threads and execution, given `rgba` (kept
// alive by the caller while it runs): at the model's size with crop 1 the resize is skipped
// (as PIL skips it), so the network gets exactly those pixels.
void load(Network& network, const std::vector<uint8_t>& file, const std::vector<uint8_t>& rgba,
          const Q8Options& options) {
  WeightFileView view;
  std::string error;
  REQUIRE_MESSAGE(parse_weight_file(file.data(), file.size(), &view, &error), error);
  REQUIRE_MESSAGE(network.load(view, make_q8_executor(*options.kernels), options.execution,
                               options.threads, &error),
                  error);
  const size_t size = network.description().input_size;
  REQUIRE(rgba.size() == size * size * 4);
  network.set_image(rgba.data(), size, size, 1.0f);
}

}  // namespace

std::vector<uint8_t> smooth_rgb(size_t size, uint32_t seed) {
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

std::vector<uint8_t> to_rgba(const std::vector<uint8_t>& rgb) {
  std::vector<uint8_t> rgba(rgb.size() / 3 * 4, 255);
  for (size_t i = 0; i < rgb.size() / 3; ++i) {
    for (size_t c = 0; c < 3; ++c) rgba[4 * i + c] = rgb[3 * i + c];
  }
  return rgba;
}

Q8Classification classify_q8(const std::vector<uint8_t>& file, const std::vector<uint8_t>& rgb,
                             const Q8Options& options) {
  Network network;
  const std::vector<uint8_t> rgba = to_rgba(rgb);
  load(network, file, rgba, options);
  const NetworkDescription& n = network.description();
  network.features();
  network.classify();
  return {copy_of<int8_t>(network.value(n.pooled), n.feature_size()),
          copy_of<int8_t>(network.value(n.class_logits), n.num_classes),
          copy_of<float>(network.decoded(n.class_logits), n.num_classes)};
}

Q8Detection detect_q8(const std::vector<uint8_t>& file, const std::vector<uint8_t>& rgb,
                      const Q8Options& options) {
  Network network;
  const std::vector<uint8_t> rgba = to_rgba(rgb);
  load(network, file, rgba, options);
  network.run();
  const NetworkDescription& n = network.description();
  const size_t boxes = n.values[n.ssd.boxes].elements(), scores = n.values[n.ssd.scores].elements();
  return {copy_of<int8_t>(network.value(n.ssd.boxes), boxes),
          copy_of<int8_t>(network.value(n.ssd.scores), scores),
          copy_of<float>(network.decoded(n.ssd.boxes), boxes),
          copy_of<float>(network.decoded(n.ssd.scores), scores)};
}

ClassifierPair float_and_int8(const std::vector<uint8_t>& file) {
  std::string error;
  ClassifierPair pair{Classifier::create(file.data(), file.size(), &error),
                      Classifier::create(file.data(), file.size(), &error, simd_kernels(),
                                         Execution::kFused, 1, Precision::kInt8)};
  REQUIRE_MESSAGE(pair.f32, error);
  REQUIRE_MESSAGE(pair.q8, error);
  return pair;
}

double cosine_similarity(const float* a, const float* b, size_t n) {
  double dot = 0, na = 0, nb = 0;
  for (size_t i = 0; i < n; ++i) {
    dot += double(a[i]) * b[i];
    na += double(a[i]) * a[i];
    nb += double(b[i]) * b[i];
  }
  return dot / std::sqrt(na * nb);
}

}  // namespace mnv2::test
