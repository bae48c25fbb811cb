// The examples a trainable head learns from: feature vectors (embed()'s pooled features, or any
// vectors of one fixed length) with a class index each. Class indices are kept dense (0 ...
// num_labels() - 1) so the trainers can size their outputs by them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace mnv2 {

class ExampleSet {
 public:
  explicit ExampleSet(size_t feature_size) : feature_size_(feature_size) {}

  size_t feature_size() const { return feature_size_; }
  size_t size() const { return labels_.size(); }
  // One more than the largest class index present (0 when empty).
  size_t num_labels() const;
  size_t count(uint32_t label) const;

  // Appends one example of feature_size() values; false with *error when one is NaN or
  // infinite (a trainer fed one would turn every weight into NaN).
  bool add(const float* features, uint32_t label, std::string* error);
  // Drops the examples of `label` and renumbers the classes above it down by one.
  void remove_label(uint32_t label);
  void clear();

  const float* row(size_t i) const { return features_.data() + i * feature_size_; }
  uint32_t label(size_t i) const { return labels_[i]; }
  const std::vector<float>& features() const { return features_; }
  const std::vector<uint32_t>& labels() const { return labels_; }

 private:
  size_t feature_size_;
  std::vector<float> features_;  // size() rows of feature_size_ values
  std::vector<uint32_t> labels_;
};

// Index of the first value of features[0, count) that is NaN or infinite, or count if none.
size_t first_non_finite(const float* features, size_t count);

}  // namespace mnv2
