// Synthetic example sets for the head tests: classes as Gaussian clusters around random centres
// in a space of non-negative features (like the backbone's pooled ReLU6 outputs).
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "head/example-set.h"

namespace mnv2_test {

struct Clusters {
  std::vector<std::vector<float>> centres;
  float spread;
};

inline Clusters make_clusters(std::mt19937& rng, size_t classes, size_t feature_size, float spread) {
  std::uniform_real_distribution<float> uniform(0.0f, 2.0f);
  Clusters clusters{{}, spread};
  for (size_t c = 0; c < classes; c++) {
    std::vector<float> centre(feature_size);
    for (float& v : centre) v = uniform(rng);
    clusters.centres.push_back(centre);
  }
  return clusters;
}

inline std::vector<float> sample(std::mt19937& rng, const Clusters& clusters, size_t label) {
  std::normal_distribution<float> noise(0.0f, clusters.spread);
  std::vector<float> x(clusters.centres[label]);
  for (float& v : x) v = std::max(0.0f, v + noise(rng));
  return x;
}

// per_class examples of each class, classes interleaved.
inline mnv2::ExampleSet sample_set(std::mt19937& rng, const Clusters& clusters, size_t per_class) {
  mnv2::ExampleSet set(clusters.centres[0].size());
  std::string error;
  for (size_t i = 0; i < per_class; i++) {
    for (size_t c = 0; c < clusters.centres.size(); c++) {
      set.add(sample(rng, clusters, c).data(), uint32_t(c), &error);
    }
  }
  return set;
}

}  // namespace mnv2_test
