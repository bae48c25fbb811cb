// Embind bindings: the only file that includes Emscripten headers.
//
// The bound class is deliberately low level: pixels are staged by JavaScript straight into a
// buffer inside WASM memory (one copy, no per-call allocation), and failures return null with
// the message in error(), because a JS exception thrown through C++ frames would skip their
// destructors and leak. classifier.post.js wraps this into Module.Classifier, whose methods
// take typed arrays and throw Errors.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <memory>
#include <string>
#include <vector>

#include "api/classifier.h"

namespace {

using emscripten::val;

std::string last_create_error;

// Bytes of WebAssembly memory the module holds now (it only grows).
double wasm_memory_bytes() { return static_cast<double>(__builtin_wasm_memory_size(0)) * 65536.0; }

val shape_array(const size_t (&shape)[3]) {
  val result = val::array();
  for (size_t i = 0; i < 3; ++i) result.set(i, static_cast<double>(shape[i]));
  return result;
}

val summary_array(const std::vector<mnv2::LayerSummary>& rows) {
  val result = val::array();
  for (size_t i = 0; i < rows.size(); ++i) {
    const mnv2::LayerSummary& row = rows[i];
    val entry = val::object();
    entry.set("name", row.name);
    entry.set("type", row.type);
    entry.set("input", shape_array(row.input));
    entry.set("output", shape_array(row.output));
    entry.set("expansion", static_cast<double>(row.expansion));
    entry.set("stride", static_cast<double>(row.stride));
    entry.set("params", static_cast<double>(row.params));
    entry.set("macs", static_cast<double>(row.macs));
    entry.set("activationBytes", static_cast<double>(row.activation_bytes));
    result.set(i, entry);
  }
  return result;
}

val memory_stats_object(const mnv2::MemoryStats& stats) {
  val result = val::object();
  result.set("weightsBytes", static_cast<double>(stats.weights_bytes));
  result.set("activationPeakBytes", static_cast<double>(stats.activation_peak_bytes));
  result.set("scratchBytes", static_cast<double>(stats.scratch_bytes));
  result.set("wasmMemoryBytes", wasm_memory_bytes());
  return result;
}

class ClassifierCore {
 public:
  // layer_by_layer selects the reference execution that materializes every layer (for
  // comparisons); the default streams row tiles through fused blocks.
  static ClassifierCore* create(const std::string& weights, bool layer_by_layer) {
    last_create_error.clear();
    auto classifier = mnv2::Classifier::create(
        reinterpret_cast<const uint8_t*>(weights.data()), weights.size(), &last_create_error,
        mnv2::simd_kernels(),
        layer_by_layer ? mnv2::Execution::kLayerByLayer : mnv2::Execution::kFused);
    if (!classifier) return nullptr;
    return new ClassifierCore(std::move(classifier));
  }

  // Address of a buffer of at least `bytes` bytes for the next call's RGBA pixels.
  uintptr_t staging(size_t bytes) {
    if (staging_.size() < bytes) staging_.resize(bytes);
    return reinterpret_cast<uintptr_t>(staging_.data());
  }

  val classify(size_t width, size_t height, size_t bytes, size_t top_k, float crop) {
    if (!staged(bytes)) return val::null();
    if (!classifier_->classify(staging_.data(), width, height, bytes, crop, top_k, &top_,
                               &error_)) {
      return val::null();
    }
    val result = val::array();
    for (size_t i = 0; i < top_.size(); ++i) {
      val entry = val::object();
      entry.set("index", static_cast<double>(top_[i].index));
      entry.set("label", classifier_->labels()[top_[i].index]);
      entry.set("score", top_[i].score);
      result.set(i, entry);
    }
    return result;
  }

  // A view of the features inside WASM memory: JS copies it before the next call.
  val embed(size_t width, size_t height, size_t bytes, float crop) {
    if (!staged(bytes)) return val::null();
    const float* features =
        classifier_->embed(staging_.data(), width, height, bytes, crop, &error_);
    if (features == nullptr) return val::null();
    return val(emscripten::typed_memory_view(classifier_->feature_size(), features));
  }

  const std::string& error() const { return error_; }
  val memory_stats() const { return memory_stats_object(classifier_->memory_stats()); }
  val summary() const { return summary_array(classifier_->summary()); }
  void set_profiling(bool on) { classifier_->set_profiling(on); }
  val layer_ms() const {
    val result = val::array();
    const auto& times = classifier_->layer_ms();
    for (size_t i = 0; i < times.size(); ++i) result.set(i, times[i]);
    return result;
  }
  size_t input_size() const { return classifier_->input_size(); }
  size_t num_classes() const { return classifier_->num_classes(); }
  size_t feature_size() const { return classifier_->feature_size(); }
  float alpha() const { return classifier_->alpha(); }
  val labels() const {
    val result = val::array();
    const auto& labels = classifier_->labels();
    for (size_t i = 0; i < labels.size(); ++i) result.set(i, labels[i]);
    return result;
  }

 private:
  explicit ClassifierCore(std::unique_ptr<mnv2::Classifier> classifier)
      : classifier_(std::move(classifier)) {}

  bool staged(size_t bytes) {
    if (bytes > staging_.size()) {
      error_ = "pixels were not staged: call staging(bytes) first";
      return false;
    }
    return true;
  }

  std::unique_ptr<mnv2::Classifier> classifier_;
  std::vector<uint8_t> staging_;
  std::vector<mnv2::ClassScore> top_;
  std::string error_;
};

std::string last_error() { return last_create_error; }

}  // namespace

EMSCRIPTEN_BINDINGS(mobilenetv2) {
  emscripten::class_<ClassifierCore>("ClassifierCore")
      .class_function("create", &ClassifierCore::create, emscripten::allow_raw_pointers())
      .function("staging", &ClassifierCore::staging)
      .function("classify", &ClassifierCore::classify)
      .function("embed", &ClassifierCore::embed)
      .function("error", &ClassifierCore::error)
      .function("memoryStats", &ClassifierCore::memory_stats)
      .function("summary", &ClassifierCore::summary)
      .function("setProfiling", &ClassifierCore::set_profiling)
      .function("layerMs", &ClassifierCore::layer_ms)
      .function("labels", &ClassifierCore::labels)
      .property("inputSize", &ClassifierCore::input_size)
      .property("numClasses", &ClassifierCore::num_classes)
      .property("featureSize", &ClassifierCore::feature_size)
      .property("alpha", &ClassifierCore::alpha);
  emscripten::function("lastCreateError", &last_error);
  emscripten::function("wasmMemoryBytes", &wasm_memory_bytes);
}
