#include "head/example-set.h"

#include <algorithm>
#include <cmath>

namespace mnv2 {

size_t first_non_finite(const float* features, size_t count) {
  for (size_t i = 0; i < count; i++) {
    if (!std::isfinite(features[i])) return i;
  }
  return count;
}

size_t ExampleSet::num_labels() const {
  return labels_.empty() ? 0 : size_t{*std::max_element(labels_.begin(), labels_.end())} + 1;
}

size_t ExampleSet::count(uint32_t label) const {
  return static_cast<size_t>(std::count(labels_.begin(), labels_.end(), label));
}

bool ExampleSet::add(const float* features, uint32_t label, std::string* error) {
  const size_t bad = first_non_finite(features, feature_size_);
  if (bad != feature_size_) {
    *error = "the feature vector has a non-finite value (" + std::to_string(features[bad]) +
             ") at index " + std::to_string(bad);
    return false;
  }
  features_.insert(features_.end(), features, features + feature_size_);
  labels_.push_back(label);
  return true;
}

void ExampleSet::remove_label(uint32_t label) {
  size_t kept = 0;
  for (size_t i = 0; i < labels_.size(); i++) {
    if (labels_[i] == label) continue;
    if (kept != i) {
      std::copy_n(row(i), feature_size_, features_.begin() + kept * feature_size_);
    }
    labels_[kept++] = labels_[i] > label ? labels_[i] - 1 : labels_[i];
  }
  labels_.resize(kept);
  features_.resize(kept * feature_size_);
}

void ExampleSet::clear() {
  features_.clear();
  labels_.clear();
}

}  // namespace mnv2
