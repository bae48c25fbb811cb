#include "api/classifier.h"

#include <algorithm>
#include <cmath>

namespace mnv2 {

bool check_image(size_t width, size_t height, size_t rgba_bytes, std::string* error) {
  if (width == 0 || height == 0) {
    *error = "image is empty (" + std::to_string(width) + "x" + std::to_string(height) + ")";
    return false;
  }
  if (width > kMaxImageSide || height > kMaxImageSide) {
    *error = "image " + std::to_string(width) + "x" + std::to_string(height) +
             " is larger than " + std::to_string(kMaxImageSide) + " pixels on a side";
    return false;
  }
  if (rgba_bytes != width * height * 4) {
    *error = "RGBA buffer has " + std::to_string(rgba_bytes) + " bytes, a " +
             std::to_string(width) + "x" + std::to_string(height) + " image needs " +
             std::to_string(width * height * 4);
    return false;
  }
  return true;
}

std::unique_ptr<Classifier> Classifier::create(const uint8_t* weights, size_t size,
                                               std::string* error,
                                               const KernelTable& kernels,
                                               Execution execution, size_t threads,
                                               Precision precision) {
  std::unique_ptr<Classifier> classifier(new Classifier());
  const NetworkOptions options{precision, execution, threads, &kernels};
  if (!classifier->network_.load(weights, size, ModelKind::kClassifier, options,
                                 &classifier->labels_, error)) {
    return nullptr;
  }
  classifier->precision_ = precision;
  classifier->order_.resize(classifier->num_classes());
  return classifier;
}

const float* Classifier::embed(const uint8_t* rgba, size_t width, size_t height,
                               size_t rgba_bytes, float crop_fraction, std::string* error) {
  if (!check_image(width, height, rgba_bytes, error)) return nullptr;
  if (!(crop_fraction > 0.0f && crop_fraction <= 1.0f)) {
    *error = "crop fraction must be in (0, 1], got " + std::to_string(crop_fraction);
    return nullptr;
  }
  network_.set_image(rgba, width, height, crop_fraction);
  return network_.features();
}

bool Classifier::classify(const uint8_t* rgba, size_t width, size_t height, size_t rgba_bytes,
                          float crop_fraction, size_t top_k, std::vector<ClassScore>* top,
                          std::string* error) {
  if (top_k < 1 || top_k > num_classes()) {
    *error = "topK must be between 1 and " + std::to_string(num_classes()) + ", got " +
             std::to_string(top_k);
    return false;
  }
  const float* features = embed(rgba, width, height, rgba_bytes, crop_fraction, error);
  if (features == nullptr) return false;
  probabilities_ = network_.classify();
  for (size_t i = 0; i < order_.size(); ++i) order_[i] = i;
  // Ties keep the lower class index first so results are deterministic. NaN (a weight file
  // with huge values can overflow the softmax) ranks below every number: a comparison that
  // is not a strict weak order would be undefined behaviour in the sort.
  std::partial_sort(order_.begin(), order_.begin() + top_k, order_.end(),
                    [this](size_t a, size_t b) {
                      const float pa = probabilities_[a], pb = probabilities_[b];
                      const bool nan_a = std::isnan(pa), nan_b = std::isnan(pb);
                      if (nan_a != nan_b) return nan_b;
                      if (!nan_a && pa != pb) return pa > pb;
                      return a < b;
                    });
  top->clear();
  for (size_t i = 0; i < top_k; ++i) top->push_back({order_[i], probabilities_[order_[i]]});
  return true;
}

}  // namespace mnv2
