// Multinomial logistic regression on embeddings: logits = W z + b over the normalized features
// z (feature-normalizer.h), probabilities = softmax(logits). Trained by full-batch Adam on the
// mean cross-entropy plus an L2 penalty on W, from zero weights: the objective is convex with
// a unique minimum, no example order or random start is involved, so a given example set
// always gives the same weights.
//
// Both heavy steps are the engine's packed GEMM (kernels.def): the forward pass is
// Z[n][d] x W^T, and the weight gradient is G^T[c][n] x Z, with Z^T packed once as the GEMM's
// weight operand. Prediction is the fully connected kernel plus the softmax kernel.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "head/example-set.h"
#include "head/feature-normalizer.h"
#include "kernels/kernels.h"

namespace mnv2 {

struct SoftmaxOptions {
  size_t epochs = 100;          // full-batch steps
  float learning_rate = 1e-3f;  // Adam's step size
  float weight_decay = 1e-4f;   // the L2 penalty's weight: (weight_decay / 2) |W|^2
};

struct SoftmaxReport {
  float loss = 0.0f;      // mean cross-entropy plus the penalty, after the last step
  float accuracy = 0.0f;  // share of the training examples the trained head ranks first right
};

class SoftmaxRegression {
 public:
  // Fits on every example (labels in [0, classes), each class present, checked by the caller).
  void train(const ExampleSet& examples, size_t classes, const SoftmaxOptions& options,
             const KernelTable& kernels, SoftmaxReport* report);
  // Parameters saved earlier: mean[feature_size], weights[classes][feature_size],
  // bias[classes] (finite: the caller checks).
  void load(size_t classes, size_t feature_size, const float* mean, const float* weights,
            const float* bias);

  // probabilities[classes()] of one embedding.
  void predict(const float* features, const KernelTable& kernels, float* probabilities);

  size_t classes() const { return bias_.size(); }
  size_t feature_size() const { return normalizer_.feature_size(); }
  const std::vector<float>& mean() const { return normalizer_.mean(); }
  const std::vector<float>& weights() const { return weights_; }  // [classes][feature_size]
  const std::vector<float>& bias() const { return bias_; }

 private:
  void pack();

  FeatureNormalizer normalizer_;
  std::vector<float> weights_;
  std::vector<float> bias_;
  std::vector<float> packed_;  // weights_ and bias_ in the GEMM / FC layout
  std::vector<float> input_;   // predict()'s normalized features
};

}  // namespace mnv2
