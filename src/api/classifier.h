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

#include "exec/network.h"
#include "kernels/kernels.h"

namespace mnv2 {

struct ClassScore {
  size_t index;
  float score;
};

// Largest image side accepted; bounds width * height * 4 well inside 32-bit sizes.
inline constexpr size_t kMaxImageSide = 16384;

// Checks an RGBA image's dimensions and buffer length; sets *error and returns false if bad.
bool check_image(size_t width, size_t height, size_t rgba_bytes, std::string* error);

class Classifier {
 public:
  // Parses, validates and packs the weights; the bytes are not needed afterwards. threads:
  // for one inference, in either precision (0: one per hardware thread).
  static std::unique_ptr<Classifier> create(
      const uint8_t* weights, size_t size, std::string* error,
      const KernelTable& kernels = simd_kernels(), Execution execution = Execution::kFused,
      size_t threads = 1, Precision precision = Precision::kFloat32);

  Precision precision() const { return precision_; }
  size_t input_size() const { return network_.description().input_size; }
  size_t num_classes() const { return network_.description().num_classes; }
  size_t feature_size() const { return network_.description().feature_size(); }
  float alpha() const { return network_.description().alpha; }
  size_t threads() const { return network_.threads(); }
  const std::vector<std::string>& labels() const { return labels_; }
  MemoryStats memory_stats() const { return network_.memory_stats(); }
  std::vector<LayerSummary> summary() const { return network_.summary(); }
  void set_profiling(bool on) { network_.set_profiling(on); }
  // Milliseconds per summary() row of the last classify()/embed() while profiling.
  const std::vector<double>& layer_ms() const { return network_.layer_ms(); }
  const Network& network() const { return network_; }

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

  Network network_;
  Precision precision_ = Precision::kFloat32;
  std::vector<std::string> labels_;
  std::vector<size_t> order_;
  const float* probabilities_ = nullptr;
};

}  // namespace mnv2
