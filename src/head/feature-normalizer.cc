#include "head/feature-normalizer.h"

#include <cmath>

namespace mnv2 {

void l2_normalize(const float* x, size_t size, float* out) {
  double sum = 0.0;
  for (size_t i = 0; i < size; i++) sum += double(x[i]) * x[i];
  // The scale stays a double: as a float, 1 / |x| overflows to infinity for a vector of tiny
  // (denormal) values, and the "unit" vector became infinities and NaN (a fuzz-head finding).
  const double scale = sum > 0.0 ? 1.0 / std::sqrt(sum) : 1.0;
  for (size_t i = 0; i < size; i++) out[i] = float(x[i] * scale);
}

void FeatureNormalizer::fit(const ExampleSet& examples) {
  const size_t d = examples.feature_size();
  std::vector<double> sum(d, 0.0);
  std::vector<float> unit(d);
  for (size_t i = 0; i < examples.size(); i++) {
    l2_normalize(examples.row(i), d, unit.data());
    for (size_t j = 0; j < d; j++) sum[j] += unit[j];
  }
  mean_.resize(d);
  const double n = examples.size() > 0 ? double(examples.size()) : 1.0;
  for (size_t j = 0; j < d; j++) mean_[j] = float(sum[j] / n);
}

void FeatureNormalizer::apply(const float* x, float* out) const {
  const size_t d = mean_.size();
  l2_normalize(x, d, out);
  const float scale = std::sqrt(float(d));
  for (size_t j = 0; j < d; j++) out[j] = (out[j] - mean_[j]) * scale;
}

}  // namespace mnv2
