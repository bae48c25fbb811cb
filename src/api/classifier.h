// The plain C++ classifier used by the tests, the bindings and the benchmarks: weight bytes
// in, ranked classes or feature vectors out. Every entry point validates its arguments and
// reports problems through a returned false plus a message (no exceptions: the WASM build has
// them off for speed).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "kernels/kernels.h"
#include "model/mobilenet-v2-q8.h"
#include "model/mobilenet-v2.h"
#include "model/pixel-rows.h"
#include "model/preprocess.h"

namespace mnv2 {

struct ClassScore {
  size_t index;
  float score;
};

// Largest image side accepted; bounds width * height * 4 well inside 32-bit sizes.
inline constexpr size_t kMaxImageSide = 16384;

// Checks an RGBA image's dimensions and buffer length; sets *error and returns false if bad.
bool check_image(size_t width, size_t height, size_t rgba_bytes, std::string* error);

// kFloat32: weights dequantized, float arithmetic (MobileNetV2). kInt8: the quantized model
// run with TFLite's integer arithmetic (MobileNetV2Q8; single-threaded, needs a weight file
// with activation quantization; kernels, execution and threads do not apply to it).
enum class Precision { kFloat32, kInt8 };

class Classifier {
 public:
  // Parses, validates and packs the weights; the bytes are not needed afterwards.
  static std::unique_ptr<Classifier> create(const uint8_t* weights, size_t size,
                                            std::string* error,
                                            const KernelTable& kernels = simd_kernels(),
                                            Execution execution = Execution::kFused,
                                            size_t threads = 1,
                                            Precision precision = Precision::kFloat32);

  Precision precision() const { return int8_ ? Precision::kInt8 : Precision::kFloat32; }
  size_t input_size() const { return int8_ ? int8_->input_size() : network_.input_size(); }
  size_t num_classes() const { return int8_ ? int8_->num_classes() : network_.num_classes(); }
  size_t feature_size() const { return int8_ ? int8_->feature_size() : network_.feature_size(); }
  float alpha() const { return alpha_; }
  size_t threads() const { return int8_ ? 1 : network_.threads(); }
  const std::vector<std::string>& labels() const { return labels_; }
  MemoryStats memory_stats() const { return int8_ ? int8_->memory_stats() : network_.memory_stats(); }
  std::vector<LayerSummary> summary() const { return int8_ ? int8_->summary() : network_.summary(); }
  void set_profiling(bool on) { int8_ ? int8_->set_profiling(on) : network_.set_profiling(on); }
  // Milliseconds per summary() row of the last classify()/embed() while profiling.
  const std::vector<double>& layer_ms() const { return int8_ ? int8_->layer_ms() : network_.layer_ms(); }

  // Top-k classes of an RGBA image after keeping the central crop_fraction of each side.
  bool classify(const uint8_t* rgba, size_t width, size_t height, size_t rgba_bytes,
                float crop_fraction, size_t top_k, std::vector<ClassScore>* top,
                std::string* error);

  // The pooled feature vector (feature_size() floats), valid until the next call.
  const float* embed(const uint8_t* rgba, size_t width, size_t height, size_t rgba_bytes,
                     float crop_fraction, std::string* error);

  // Class probabilities of the last classify() (num_classes() floats).
  const float* probabilities() const { return probabilities_; }

 private:
  Classifier() = default;

  MobileNetV2 network_;
  std::unique_ptr<MobileNetV2Q8> int8_;  // set for Precision::kInt8 (network_ then unused)
  ResizedPixels pixels_;                 // the int8 engine's input
  Preprocessor preprocessor_;
  PreprocessSpec spec_{};
  float alpha_ = 0.0f;
  std::vector<std::string> labels_;
  std::vector<size_t> order_;
  const float* probabilities_ = nullptr;
};

}  // namespace mnv2
