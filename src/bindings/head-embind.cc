// Embind bindings of the trainable head (src/head/trainable-head.h), beside embind.cc's and in
// the same style: feature vectors are staged by JavaScript straight into a float buffer inside
// WASM memory, and failures return null or false with the message in error(). head.post.js
// wraps this into Module.HeadTrainer, whose methods take Float32Arrays and throw Errors.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "head/trainable-head.h"

namespace {

using emscripten::val;

template <typename T>
val view(const std::vector<T>& values) {
  return val(emscripten::typed_memory_view(values.size(), values.data()));
}

class HeadCore {
 public:
  explicit HeadCore(size_t feature_size) : head_(feature_size) {}

  // Address of room for `floats` values, the input of the next call. head.post.js asks
  // Module.canAllocate first: with exceptions off, a failing resize would abort the module.
  uintptr_t staging(size_t floats) {
    if (staging_.size() < floats) staging_.resize(floats);
    return reinterpret_cast<uintptr_t>(staging_.data());
  }

  // Adds `count` staged feature vectors as examples of `label`; all or none.
  bool add_examples(size_t count, uint32_t label) {
    const size_t d = head_.feature_size();
    if (!staged(count * d)) return false;
    for (size_t i = 0; i < count; i++) {
      const size_t bad = mnv2::first_non_finite(staging_.data() + i * d, d);
      if (bad != d) {
        error_ = "feature vector " + std::to_string(i) + " has a non-finite value at index " + std::to_string(bad);
        return false;
      }
    }
    for (size_t i = 0; i < count; i++) head_.examples().add(staging_.data() + i * d, label, &error_);
    return true;
  }

  void remove_label(uint32_t label) { head_.examples().remove_label(label); }
  size_t example_count() const { return head_.examples().size(); }
  size_t label_count(uint32_t label) const { return head_.examples().count(label); }

  // {loss, accuracy} of the trained head on its examples, or null.
  val train_softmax(size_t classes, size_t epochs, float learning_rate, float weight_decay) {
    mnv2::SoftmaxOptions options;
    options.epochs = epochs;
    options.learning_rate = learning_rate;
    options.weight_decay = weight_decay;
    mnv2::SoftmaxReport report;
    if (!head_.train_softmax(classes, options, &report, &error_)) return val::null();
    val result = val::object();
    result.set("loss", report.loss);
    result.set("accuracy", report.accuracy);
    return result;
  }

  bool train_knn(size_t classes, size_t k) { return head_.train_knn(classes, k, &error_); }

  // Staged: mean[d], weights[classes][d], bias[classes].
  bool load_softmax(size_t classes) {
    const size_t d = head_.feature_size();
    if (!staged(d + classes * d + classes)) return false;
    const float* mean = staging_.data();
    return head_.load_softmax(classes, mean, mean + d, mean + d + classes * d, &error_);
  }

  // [{index, score}] for the staged feature vector, every class, highest score first; or null.
  val predict() {
    if (!staged(head_.feature_size())) return val::null();
    if (!head_.predict(staging_.data(), &ranking_, &error_)) return val::null();
    val result = val::array();
    for (size_t i = 0; i < ranking_.size(); i++) {
      val entry = val::object();
      entry.set("index", ranking_[i].label);
      entry.set("score", ranking_[i].score);
      result.set(i, entry);
    }
    return result;
  }

  std::string method() const {
    switch (head_.method()) {
      case mnv2::HeadMethod::kSoftmax: return "softmax";
      case mnv2::HeadMethod::kKnn: return "knn";
      default: return "";
    }
  }
  size_t classes() const { return head_.classes(); }
  size_t feature_size() const { return head_.feature_size(); }
  // The trained model's parameters, as views into WASM memory that JS copies at once.
  val softmax_mean() const { return view(head_.softmax().mean()); }
  val softmax_weights() const { return view(head_.softmax().weights()); }
  val softmax_bias() const { return view(head_.softmax().bias()); }
  size_t knn_k() const { return head_.knn().k(); }
  val knn_features() const { return view(head_.knn().examples().features()); }
  val knn_labels() const { return view(head_.knn().examples().labels()); }
  const std::string& error() const { return error_; }

 private:
  bool staged(size_t floats) {
    if (floats > staging_.size()) {
      error_ = "feature vectors were not staged: call staging(floats) first";
      return false;
    }
    return true;
  }

  mnv2::TrainableHead head_;
  std::vector<float> staging_;
  std::vector<mnv2::HeadScore> ranking_;
  std::string error_;
};

}  // namespace

EMSCRIPTEN_BINDINGS(mobilenetv2_head) {
  emscripten::class_<HeadCore>("HeadCore")
      .constructor<size_t>()
      .function("staging", &HeadCore::staging)
      .function("addExamples", &HeadCore::add_examples)
      .function("removeLabel", &HeadCore::remove_label)
      .function("exampleCount", &HeadCore::example_count)
      .function("labelCount", &HeadCore::label_count)
      .function("trainSoftmax", &HeadCore::train_softmax)
      .function("trainKnn", &HeadCore::train_knn)
      .function("loadSoftmax", &HeadCore::load_softmax)
      .function("predict", &HeadCore::predict)
      .function("softmaxMean", &HeadCore::softmax_mean)
      .function("softmaxWeights", &HeadCore::softmax_weights)
      .function("softmaxBias", &HeadCore::softmax_bias)
      .function("knnFeatures", &HeadCore::knn_features)
      .function("knnLabels", &HeadCore::knn_labels)
      .function("error", &HeadCore::error)
      .property("method", &HeadCore::method)
      .property("classes", &HeadCore::classes)
      .property("knnK", &HeadCore::knn_k)
      .property("featureSize", &HeadCore::feature_size);
}
