#include "native/q8-runs.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <memory>
#include <random>
#include <string>

#include "exec/q8-executor.h"
#include "native/rgb-pixels.h"

namespace mnv2::test {
namespace {

WeightFileView parse(const std::vector<uint8_t>& file) {
  WeightFileView view;
  std::string error;
  REQUIRE_MESSAGE(parse_weight_file(file.data(), file.size(), &view, &error), error);
  return view;
}

// Loads the file into `network` with a Q8Executor reading `pixels`; returns the executor.
Q8Executor& load(Network& network, const WeightFileView& view, RgbPixels& pixels,
                 const Q8Options& options) {
  std::string error;
  auto executor = std::make_unique<Q8Executor>(*options.kernels);
  Q8Executor& q8 = *executor;
  REQUIRE_MESSAGE(network.load(view, std::move(executor), options.execution, options.threads,
                               &error),
                  error);
  q8.set_input(&pixels);
  return q8;
}

template <typename T>
std::vector<T> copy_of(const void* data, size_t count) {
  const T* values = static_cast<const T*>(data);
  return std::vector<T>(values, values + count);
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

Q8Classification classify_q8(const std::vector<uint8_t>& file, const std::vector<uint8_t>& rgb,
                             const Q8Options& options) {
  const WeightFileView view = parse(file);
  RgbPixels pixels(rgb, view.header.input_size);
  Network network;
  Q8Executor& q8 = load(network, view, pixels, options);
  network.features();
  const float* p = network.classify();
  return {q8.pooled(), q8.logits(), std::vector<float>(p, p + network.description().num_classes)};
}

Q8Detection detect_q8(const std::vector<uint8_t>& file, const std::vector<uint8_t>& rgb,
                      const Q8Options& options) {
  const WeightFileView view = parse(file);
  RgbPixels pixels(rgb, view.header.input_size);
  Network network;
  load(network, view, pixels, options);
  network.run();
  const NetworkDescription& n = network.description();
  const size_t boxes = n.values[n.ssd.boxes].elements(), scores = n.values[n.ssd.scores].elements();
  return {copy_of<int8_t>(network.value(n.ssd.boxes), boxes),
          copy_of<int8_t>(network.value(n.ssd.scores), scores),
          copy_of<float>(network.decoded(n.ssd.boxes), boxes),
          copy_of<float>(network.decoded(n.ssd.scores), scores)};
}

}  // namespace mnv2::test
