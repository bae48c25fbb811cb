// A head taught new classes on top of the backbone's embeddings: examples in (feature vectors
// with class indices), a trained classifier out, softmax regression or cosine kNN. It knows
// nothing of the network: any vectors of feature_size() values will do. One object, so the
// bindings stay a thin translation. Entry points check their arguments and report problems
// through a returned false plus a message.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "head/cosine-knn.h"
#include "head/example-set.h"
#include "head/softmax-regression.h"
#include "kernels/kernels.h"

namespace mnv2 {

enum class HeadMethod { kUntrained, kSoftmax, kKnn };

struct HeadScore {
  uint32_t label;
  float score;
};

// Largest class count a head takes (the JSON loader refuses more too).
inline constexpr size_t kMaxHeadClasses = 10000;
// Bounds on a saved softmax head's parameters (see check_softmax_range): a trained head's mean
// lies within [-1, 1] and its logits far below these; beyond them a logit could overflow.
inline constexpr float kMaxSoftmaxMean = 2.0f;
inline constexpr double kMaxSoftmaxLogit = 1e30;

class TrainableHead {
 public:
  explicit TrainableHead(size_t feature_size, const KernelTable& kernels = simd_kernels())
      : examples_(feature_size), kernels_(&kernels) {}

  size_t feature_size() const { return examples_.feature_size(); }
  ExampleSet& examples() { return examples_; }
  const ExampleSet& examples() const { return examples_; }

  // Trains on the current examples, whose labels must be exactly 0 ... classes - 1 (at
  // least two classes, none without examples). A failed call leaves the previous model.
  bool train_softmax(size_t classes, const SoftmaxOptions& options, SoftmaxReport* report,
                     std::string* error);
  bool train_knn(size_t classes, size_t k, std::string* error);
  // A softmax head saved earlier; the values must be finite and within the bounds above.
  bool load_softmax(size_t classes, const float* mean, const float* weights, const float* bias,
                    std::string* error);

  // Every class of the trained model with its score, highest first (ties: see the method's
  // header). False when untrained or when a feature is not finite.
  bool predict(const float* features, std::vector<HeadScore>* ranking, std::string* error);

  HeadMethod method() const { return method_; }
  size_t classes() const;
  const SoftmaxRegression& softmax() const { return softmax_; }
  const CosineKnn& knn() const { return knn_; }

 private:
  bool check_training_set(size_t classes, std::string* error) const;
  bool check_softmax_range(size_t classes, const float* mean, const float* weights,
                           const float* bias, std::string* error) const;

  ExampleSet examples_;
  const KernelTable* kernels_;
  HeadMethod method_ = HeadMethod::kUntrained;
  SoftmaxRegression softmax_;
  CosineKnn knn_;
  std::vector<float> scores_, tie_break_;
};

}  // namespace mnv2
