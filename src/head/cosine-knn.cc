#include "head/cosine-knn.h"

#include <algorithm>
#include <limits>

#include "head/feature-normalizer.h"

namespace mnv2 {

void CosineKnn::fit(const ExampleSet& examples, size_t classes, size_t k) {
  examples_ = examples;
  classes_ = classes;
  const size_t n = examples.size();
  const size_t d = examples.feature_size();
  k_ = std::min(k, n);
  std::vector<float> unit(examples.features());
  for (size_t i = 0; i < n; i++) l2_normalize(unit.data() + i * d, d, unit.data() + i * d);
  const std::vector<float> zeros(n, 0.0f);
  packed_.resize(gemm_packed_size(d, n));
  gemm_pack(d, n, unit.data(), zeros.data(), packed_.data());
}

void CosineKnn::predict(const float* features, const KernelTable& kernels, float* scores,
                        float* best) {
  const size_t n = examples_.size();
  const size_t d = examples_.feature_size();
  query_.resize(d);
  l2_normalize(features, d, query_.data());
  similarities_.resize(n);
  constexpr float kInfinity = std::numeric_limits<float>::infinity();
  kernels.f32_fc_minmax(d, n, query_.data(), packed_.data(), similarities_.data(), -kInfinity,
                        kInfinity);

  // The k most similar, ties to the earlier example so the result never depends on the sort.
  order_.resize(n);
  for (size_t i = 0; i < n; i++) order_[i] = i;
  std::partial_sort(order_.begin(), order_.begin() + k_, order_.end(), [&](size_t a, size_t b) {
    return similarities_[a] > similarities_[b] || (similarities_[a] == similarities_[b] && a < b);
  });
  std::fill(scores, scores + classes_, 0.0f);
  for (size_t i = 0; i < k_; i++) scores[examples_.label(order_[i])] += 1.0f;
  for (size_t c = 0; c < classes_; c++) scores[c] /= float(k_);

  std::fill(best, best + classes_, -kInfinity);
  for (size_t i = 0; i < n; i++) {
    float& b = best[examples_.label(i)];
    b = std::max(b, similarities_[i]);
  }
}

}  // namespace mnv2
