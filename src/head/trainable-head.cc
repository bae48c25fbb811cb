#include "head/trainable-head.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace mnv2 {
namespace {

// A parameter in a message, as printf's %g writes it (3e+38, not 39 digits).
std::string shown(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

}  // namespace

size_t TrainableHead::classes() const {
  switch (method_) {
    case HeadMethod::kSoftmax: return softmax_.classes();
    case HeadMethod::kKnn: return knn_.classes();
    default: return 0;
  }
}

bool TrainableHead::check_training_set(size_t classes, std::string* error) const {
  if (examples_.size() == 0) {
    *error = "there are no examples to train on";
    return false;
  }
  if (classes < 2 || classes > kMaxHeadClasses) {
    *error = "training needs from 2 to " + std::to_string(kMaxHeadClasses) + " classes, got " +
             std::to_string(classes);
    return false;
  }
  std::vector<size_t> counts(classes, 0);
  for (uint32_t label : examples_.labels()) {
    if (label >= classes) {
      *error = "an example has class " + std::to_string(label) + ", past the " +
               std::to_string(classes) + " classes";
      return false;
    }
    counts[label]++;
  }
  for (size_t c = 0; c < classes; c++) {
    if (counts[c] == 0) {
      *error = "class " + std::to_string(c) + " has no examples";
      return false;
    }
  }
  return true;
}

bool TrainableHead::train_softmax(size_t classes, const SoftmaxOptions& options,
                                  SoftmaxReport* report, std::string* error) {
  if (!check_training_set(classes, error)) return false;
  if (options.epochs < 1 || !(options.learning_rate > 0.0f) || !std::isfinite(options.learning_rate) ||
      !(options.weight_decay >= 0.0f) || !std::isfinite(options.weight_decay)) {
    *error = "softmax training needs epochs >= 1, a finite learning rate > 0 and a finite weight decay >= 0";
    return false;
  }
  softmax_.train(examples_, classes, options, *kernels_, report);
  method_ = HeadMethod::kSoftmax;
  return true;
}

bool TrainableHead::train_knn(size_t classes, size_t k, std::string* error) {
  if (!check_training_set(classes, error)) return false;
  if (k < 1) {
    *error = "k must be at least 1";
    return false;
  }
  knn_.fit(examples_, classes, k);
  method_ = HeadMethod::kKnn;
  return true;
}

bool TrainableHead::load_softmax(size_t classes, const float* mean, const float* weights,
                                 const float* bias, std::string* error) {
  const size_t d = feature_size();
  if (classes < 2 || classes > kMaxHeadClasses) {
    *error = "a softmax head needs from 2 to " + std::to_string(kMaxHeadClasses) + " classes, got " +
             std::to_string(classes);
    return false;
  }
  if (first_non_finite(mean, d) != d || first_non_finite(weights, classes * d) != classes * d ||
      first_non_finite(bias, classes) != classes) {
    *error = "the softmax head's parameters contain a NaN or infinite value";
    return false;
  }
  if (!check_softmax_range(classes, mean, weights, bias, error)) return false;
  softmax_.load(classes, d, mean, weights, bias);
  method_ = HeadMethod::kSoftmax;
  return true;
}

// Finite is not enough: huge finite weights overflow a logit to infinity and the softmax then
// gives NaN scores (fuzz-head's first finding). A trained head's mean is the mean of unit
// vectors (each value within [-1, 1]) and its logits stay small; these bounds hold for every
// trained head and keep every logit of every embedding finite.
bool TrainableHead::check_softmax_range(size_t classes, const float* mean, const float* weights,
                                        const float* bias, std::string* error) const {
  const size_t d = feature_size();
  for (size_t j = 0; j < d; j++) {
    if (!(std::fabs(mean[j]) <= kMaxSoftmaxMean)) {
      *error = "the softmax head's mean has " + shown(mean[j]) + " at index " + std::to_string(j) +
               ": a mean of unit vectors lies within [-1, 1]";
      return false;
    }
  }
  // A normalized input value is at most (1 + |mean|) * sqrt(d) in size (2 instead of 1: the
  // unit vector's value may round past 1), so a class's logit at most sum |w| * that + |bias|:
  // kept far enough below float's range that logit differences stay finite too.
  const double input_bound = (2.0 + kMaxSoftmaxMean) * std::sqrt(double(d));
  for (size_t c = 0; c < classes; c++) {
    double logit_bound = std::fabs(double(bias[c]));
    for (size_t j = 0; j < d; j++) logit_bound += std::fabs(double(weights[c * d + j])) * input_bound;
    if (!(logit_bound <= kMaxSoftmaxLogit)) {
      *error = "the softmax head's weights of class " + std::to_string(c) +
               " are too large: its logits could reach " + shown(logit_bound) + " (at most " +
               shown(kMaxSoftmaxLogit) + ")";
      return false;
    }
  }
  return true;
}

bool TrainableHead::predict(const float* features, std::vector<HeadScore>* ranking,
                            std::string* error) {
  if (method_ == HeadMethod::kUntrained) {
    *error = "the head is not trained yet";
    return false;
  }
  const size_t d = feature_size();
  const size_t bad = first_non_finite(features, d);
  if (bad != d) {
    *error = "the feature vector has a non-finite value at index " + std::to_string(bad);
    return false;
  }
  const size_t n = classes();
  scores_.resize(n);
  tie_break_.resize(n);
  if (method_ == HeadMethod::kSoftmax) {
    softmax_.predict(features, *kernels_, scores_.data());
    tie_break_ = scores_;
  } else {
    knn_.predict(features, *kernels_, scores_.data(), tie_break_.data());
  }
  ranking->resize(n);
  for (size_t c = 0; c < n; c++) (*ranking)[c] = {uint32_t(c), scores_[c]};
  std::stable_sort(ranking->begin(), ranking->end(), [&](const HeadScore& a, const HeadScore& b) {
    return a.score > b.score || (a.score == b.score && tie_break_[a.label] > tie_break_[b.label]);
  });
  return true;
}

}  // namespace mnv2
