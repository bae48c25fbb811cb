// Embind bindings: this file and head-embind.cc are the only ones that include Emscripten headers.
//
// The bound class is deliberately low level: pixels are staged by JavaScript straight into a
// buffer inside WASM memory (one copy, no per-call allocation), and failures return null with
// the message in error(), because a JS exception thrown through C++ frames would skip their
// destructors and leak. classifier.post.js wraps this into Module.Classifier, whose methods
// take typed arrays and throw Errors.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "api/classifier.h"
#include "api/detector.h"
#include "kernels/relaxed/microkernels.h"
#include "kernels/kernels-q8.h"
#include "kernels/peak/peak.h"

namespace {

using emscripten::val;

std::string last_create_error;

// Bytes of WebAssembly memory the module holds now (it only grows).
double wasm_memory_bytes() { return static_cast<double>(__builtin_wasm_memory_size(0)) * 65536.0; }

float peak_mul_add(double passes) { return mnv2::f32_peak_mul_add__wasmsimd(static_cast<size_t>(passes)); }
double peak_macs_per_pass() { return static_cast<double>(mnv2::f32_peak_mul_add_macs_per_pass()); }
int32_t q8_peak_dot_add(double passes) { return mnv2::qs8_peak_dot_add__wasmsimd(static_cast<size_t>(passes)); }
double q8_peak_macs_per_pass() { return static_cast<double>(mnv2::qs8_peak_dot_add_macs_per_pass()); }
float relaxed_peak_madd(double passes) { return mnv2::f32_peak_relaxed_madd(static_cast<size_t>(passes)); }
double relaxed_peak_madd_macs_per_pass() { return static_cast<double>(mnv2::f32_peak_relaxed_madd_macs_per_pass()); }
int32_t relaxed_peak_q8_usdot(double passes) { return mnv2::qs8_peak_relaxed_usdot(static_cast<size_t>(passes)); }
double relaxed_peak_q8_usdot_macs_per_pass() { return static_cast<double>(mnv2::qs8_peak_relaxed_usdot_macs_per_pass()); }
// Whether int8 models run the relaxed integer GEMM when asked for relaxed SIMD (the kernel
// module installed and its dot product exact here).
bool relaxed_int8_exact() { return mnv2::q8_usdot_exact(); }
bool relaxed_kernels_installed() { return mnv2::relaxed_kernels_installed(); }

// Whether `bytes` can be allocated now. Exceptions are off in this build, so a failing
// operator new (std::vector, std::string) aborts the whole module, and Embind's std::string
// argument conversion writes through a null malloc result. malloc itself returns null when
// memory cannot grow, so callers test with it first: after the free, the same amount fits.
bool can_allocate(double bytes) {
  if (!(bytes >= 0.0 && bytes < 4294967296.0)) return false;
  // volatile: the compiler may otherwise drop a malloc whose result is only freed, and then
  // assume it succeeded.
  void* volatile probe = std::malloc(bytes > 0.0 ? static_cast<size_t>(bytes) : 1);
  const bool ok = probe != nullptr;
  std::free(probe);
  return ok;
}

// A staging buffer of at least `bytes` bytes, or 0 when WASM memory cannot hold one.
uintptr_t reserve_staging(std::vector<uint8_t>& buffer, size_t bytes) {
  if (bytes == 0) bytes = 1;
  if (buffer.size() < bytes) {
    std::vector<uint8_t>().swap(buffer);  // the old pixels are not needed: free them first
    if (!can_allocate(static_cast<double>(bytes))) return 0;
    buffer.resize(bytes);
  }
  return reinterpret_cast<uintptr_t>(buffer.data());
}

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
    entry.set("expandedBytes", static_cast<double>(row.expanded_bytes));
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

// The kernel table for a model: relaxed asks for the float kernels' relaxed-SIMD twins
// (kernels-relaxed.def), which exist once JavaScript installed the kernel module. An int8
// model then runs the integer kernels' relaxed twins where they are exact on this machine
// (mnv2::q8_kernels_for), else the SIMD128 ones. Null, with last_create_error set, when the
// relaxed kernels are missing.
const mnv2::KernelTable* kernels_for(bool relaxed) {
  if (relaxed && !mnv2::relaxed_kernels_installed()) {
    last_create_error = "the relaxed-SIMD kernels are not installed in this module";
    return nullptr;
  }
  return relaxed ? &mnv2::relaxed_simd_kernels() : &mnv2::simd_kernels();
}

// What model.backend names (the JS side adds "-threads" for the pthreads build): the kernels
// that run for the model's precision.
std::string kernels_name(const mnv2::KernelTable* kernels, bool int8) {
  const bool relaxed = int8 ? &mnv2::q8_kernels_for(*kernels) == &mnv2::relaxed_simd_q8_kernels()
                            : kernels == &mnv2::relaxed_simd_kernels();
  return relaxed ? "relaxed-simd" : "simd";
}

class ClassifierCore {
 public:
  // layer_by_layer selects the reference execution that materializes every layer (for
  // comparisons); the default streams row tiles through fused blocks.
  // threads: total threads for one inference (1 = the caller only), for either precision; only
  // a pthreads build of the module honours more than 1. int8: run the quantized model with
  // integer arithmetic (Precision::kInt8) instead of dequantizing it to float. relaxed: see
  // kernels_for.
  static ClassifierCore* create(const std::string& weights, bool layer_by_layer, size_t threads,
                                bool int8, bool relaxed) {
    last_create_error.clear();
    const mnv2::KernelTable* kernels = kernels_for(relaxed);
    if (!kernels) return nullptr;
    auto classifier = mnv2::Classifier::create(
        reinterpret_cast<const uint8_t*>(weights.data()), weights.size(), &last_create_error,
        *kernels, layer_by_layer ? mnv2::Execution::kLayerByLayer : mnv2::Execution::kFused,
        threads, int8 ? mnv2::Precision::kInt8 : mnv2::Precision::kFloat32);
    if (!classifier) return nullptr;
    return new ClassifierCore(std::move(classifier), kernels_name(kernels, int8));
  }

  // Address of a buffer of at least `bytes` bytes for the next call's RGBA pixels.
  uintptr_t staging(size_t bytes) {
    return reserve_staging(staging_, bytes);  // 0: out of memory
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
  size_t threads() const { return classifier_->threads(); }
  std::string precision() const {
    return classifier_->precision() == mnv2::Precision::kInt8 ? "int8" : "float32";
  }
  // The kernels that run: "relaxed-simd" or "simd" (the JS backend name adds "-threads").
  std::string kernels() const { return kernels_; }
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
  ClassifierCore(std::unique_ptr<mnv2::Classifier> classifier, std::string kernels)
      : classifier_(std::move(classifier)), kernels_(std::move(kernels)) {}

  bool staged(size_t bytes) {
    if (bytes > staging_.size()) {
      error_ = "pixels were not staged: call staging(bytes) first";
      return false;
    }
    return true;
  }

  std::unique_ptr<mnv2::Classifier> classifier_;
  std::string kernels_;
  std::vector<uint8_t> staging_;
  std::vector<mnv2::ClassScore> top_;
  std::string error_;
};

// The detector binding, same pattern: detector.post.js wraps it into Module.Detector.
class DetectorCore {
 public:
  // layer_by_layer, threads: as for ClassifierCore; int8: run the quantized model with
  // integer arithmetic (Precision::kInt8); relaxed: see kernels_for.
  static DetectorCore* create(const std::string& weights, bool layer_by_layer, size_t threads,
                              bool int8, bool relaxed) {
    last_create_error.clear();
    const mnv2::KernelTable* kernels = kernels_for(relaxed);
    if (!kernels) return nullptr;
    auto detector = mnv2::Detector::create(
        reinterpret_cast<const uint8_t*>(weights.data()), weights.size(), &last_create_error,
        *kernels, layer_by_layer ? mnv2::Execution::kLayerByLayer : mnv2::Execution::kFused,
        int8 ? mnv2::Precision::kInt8 : mnv2::Precision::kFloat32, threads);
    if (!detector) return nullptr;
    return new DetectorCore(std::move(detector), kernels_name(kernels, int8));
  }

  // Address of a buffer of at least `bytes` bytes for the next call's RGBA pixels.
  uintptr_t staging(size_t bytes) {
    return reserve_staging(staging_, bytes);  // 0: out of memory
  }

  // [{bbox: [x, y, width, height], class, classIndex, score}] in the image's pixels.
  val detect(size_t width, size_t height, size_t bytes, float min_score, size_t max_detections,
             float iou_threshold, bool class_agnostic) {
    if (bytes > staging_.size()) {
      error_ = "pixels were not staged: call staging(bytes) first";
      return val::null();
    }
    mnv2::DetectOptions options;
    options.min_score = min_score;
    options.max_detections = max_detections;
    options.iou_threshold = iou_threshold;
    options.class_agnostic = class_agnostic;
    if (!detector_->detect(staging_.data(), width, height, bytes, options, &detections_,
                           &error_)) {
      return val::null();
    }
    val result = val::array();
    for (size_t i = 0; i < detections_.size(); ++i) {
      const mnv2::Detection& d = detections_[i];
      val bbox = val::array();
      bbox.set(0, d.x);
      bbox.set(1, d.y);
      bbox.set(2, d.width);
      bbox.set(3, d.height);
      val entry = val::object();
      entry.set("bbox", bbox);
      entry.set("class", detector_->labels()[d.class_index]);
      entry.set("classIndex", static_cast<double>(d.class_index));
      entry.set("score", d.score);
      result.set(i, entry);
    }
    return result;
  }

  // The int8 engine's raw head tensors of the last detect(), in the graph's quantization: the
  // concatenated box encodings and the LOGISTIC's class scores (views into WASM memory that JS
  // copies), or null for the float engine. For comparisons with TFLite's own tensors.
  val box_codes() const {
    const int8_t* codes = detector_->box_codes();
    if (codes == nullptr) return val::null();
    return val(emscripten::typed_memory_view(detector_->num_anchors() * 4, codes));
  }
  val score_codes() const {
    const int8_t* codes = detector_->score_codes();
    if (codes == nullptr) return val::null();
    return val(emscripten::typed_memory_view(detector_->num_anchors() * detector_->score_stride(),
                                             codes));
  }

  const std::string& error() const { return error_; }
  val memory_stats() const { return memory_stats_object(detector_->memory_stats()); }
  val summary() const { return summary_array(detector_->summary()); }
  std::string execution() const {
    return detector_->execution() == mnv2::Execution::kLayerByLayer ? "layer-by-layer" : "fused";
  }
  size_t threads() const { return detector_->threads(); }
  size_t input_size() const { return detector_->input_size(); }
  size_t num_classes() const { return detector_->num_classes(); }
  size_t num_anchors() const { return detector_->num_anchors(); }
  std::string precision() const {
    return detector_->precision() == mnv2::Precision::kInt8 ? "int8" : "float32";
  }
  // As ClassifierCore::kernels.
  std::string kernels() const { return kernels_; }
  float default_iou_threshold() const { return detector_->default_options().iou_threshold; }
  bool default_class_agnostic() const { return detector_->default_options().class_agnostic; }
  val labels() const {
    val result = val::array();
    const auto& labels = detector_->labels();
    for (size_t i = 0; i < labels.size(); ++i) result.set(i, labels[i]);
    return result;
  }

 private:
  DetectorCore(std::unique_ptr<mnv2::Detector> detector, std::string kernels)
      : detector_(std::move(detector)), kernels_(std::move(kernels)) {
    detections_.reserve(detector_->num_anchors());
  }

  std::unique_ptr<mnv2::Detector> detector_;
  std::string kernels_;
  std::vector<uint8_t> staging_;
  std::vector<mnv2::Detection> detections_;
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
      .property("threads", &ClassifierCore::threads)
      .property("precision", &ClassifierCore::precision)
      .property("kernels", &ClassifierCore::kernels)
      .property("inputSize", &ClassifierCore::input_size)
      .property("numClasses", &ClassifierCore::num_classes)
      .property("featureSize", &ClassifierCore::feature_size)
      .property("alpha", &ClassifierCore::alpha);
  emscripten::class_<DetectorCore>("DetectorCore")
      .class_function("create", &DetectorCore::create, emscripten::allow_raw_pointers())
      .function("staging", &DetectorCore::staging)
      .function("detect", &DetectorCore::detect)
      .function("boxCodes", &DetectorCore::box_codes)
      .function("scoreCodes", &DetectorCore::score_codes)
      .function("error", &DetectorCore::error)
      .function("labels", &DetectorCore::labels)
      .function("memoryStats", &DetectorCore::memory_stats)
      .function("summary", &DetectorCore::summary)
      .property("execution", &DetectorCore::execution)
      .property("threads", &DetectorCore::threads)
      .property("inputSize", &DetectorCore::input_size)
      .property("numClasses", &DetectorCore::num_classes)
      .property("numAnchors", &DetectorCore::num_anchors)
      .property("precision", &DetectorCore::precision)
      .property("kernels", &DetectorCore::kernels)
      .property("defaultIouThreshold", &DetectorCore::default_iou_threshold)
      .property("defaultClassAgnostic", &DetectorCore::default_class_agnostic);
  emscripten::function("lastCreateError", &last_error);
  emscripten::function("wasmMemoryBytes", &wasm_memory_bytes);
  // The SIMD128 multiply-add peak micro-benchmarks (kernels/peak), float and int8: JS times
  // simdPeakMulAdd(passes) or simdPeakQ8DotAdd(passes).
  emscripten::function("simdPeakMulAdd", &peak_mul_add);
  emscripten::function("simdPeakMacsPerPass", &peak_macs_per_pass);
  emscripten::function("simdPeakQ8DotAdd", &q8_peak_dot_add);
  emscripten::function("simdPeakQ8MacsPerPass", &q8_peak_macs_per_pass);
  // Their relaxed-SIMD counterparts, for models on the relaxed kernels (kernels/peak/peak.h).
  emscripten::function("relaxedPeakMadd", &relaxed_peak_madd);
  emscripten::function("relaxedPeakMaddMacsPerPass", &relaxed_peak_madd_macs_per_pass);
  emscripten::function("relaxedPeakQ8Usdot", &relaxed_peak_q8_usdot);
  emscripten::function("relaxedPeakQ8UsdotMacsPerPass", &relaxed_peak_q8_usdot_macs_per_pass);
  emscripten::function("relaxedInt8Exact", &relaxed_int8_exact);
  emscripten::function("relaxedKernelsInstalled", &relaxed_kernels_installed);
  emscripten::function("canAllocate", &can_allocate);
}
