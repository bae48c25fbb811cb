// k nearest neighbours by cosine similarity. A class's score is its share of the votes of the
// k examples most similar to the query (as the TensorFlow.js KNN classifier and Teachable
// Machine report confidences), so scores are multiples of 1/k. Classes with equal shares are
// ranked by their best single similarity, which also orders the classes no neighbour voted for.
//
// The similarities are one fully connected kernel call: the examples, scaled to unit length,
// are packed once as its weight matrix, so a query costs k x feature_size multiply-adds.
#pragma once

#include <cstddef>
#include <vector>

#include "head/example-set.h"
#include "kernels/kernels.h"

namespace mnv2 {

class CosineKnn {
 public:
  CosineKnn() : examples_(0) {}

  // Keeps a copy of the examples (labels in [0, classes), checked by the caller); k is capped
  // at their count.
  void fit(const ExampleSet& examples, size_t classes, size_t k);

  // scores[c]: the share of the k nearest examples labelled c; best[c]: the highest similarity
  // of an example labelled c (the ranking's tie-break).
  void predict(const float* features, const KernelTable& kernels, float* scores, float* best);

  size_t classes() const { return classes_; }
  size_t k() const { return k_; }
  // The examples as given to fit() (saving them and fitting again gives the same head).
  const ExampleSet& examples() const { return examples_; }

 private:
  ExampleSet examples_;
  size_t classes_ = 0;
  size_t k_ = 0;
  std::vector<float> packed_;        // unit-length examples as FC weights, zero bias
  std::vector<float> query_;         // predict()'s unit-length query
  std::vector<float> similarities_;  // one per example
  std::vector<size_t> order_;
};

}  // namespace mnv2
