// What the softmax head sees of an embedding. The pooled features' length varies with the
// image's contrast and exposure while their direction carries the content, so a vector is first
// scaled to unit L2 norm; the mean of the training examples so scaled is then subtracted (the
// part every class shares says nothing about the class), and the result multiplied by
// sqrt(feature_size) so each coordinate is of unit scale, the scale the learning rate and
// weight decay defaults are chosen for.
#pragma once

#include <cstddef>
#include <vector>

#include "head/example-set.h"

namespace mnv2 {

// out = x / |x| (x itself when |x| is 0); out may alias x.
void l2_normalize(const float* x, size_t size, float* out);

class FeatureNormalizer {
 public:
  // The mean of the examples' unit vectors.
  void fit(const ExampleSet& examples);
  // A mean saved earlier (feature_size values, finite: the caller checks).
  void set_mean(const float* mean, size_t feature_size) { mean_.assign(mean, mean + feature_size); }

  // out[feature_size()] = (x / |x| - mean) * sqrt(feature_size()).
  void apply(const float* x, float* out) const;

  size_t feature_size() const { return mean_.size(); }
  const std::vector<float>& mean() const { return mean_; }

 private:
  std::vector<float> mean_;
};

}  // namespace mnv2
