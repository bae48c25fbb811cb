// Writing a .mnv2 weight file (format in weight-format.h). Used by the TFLite converter and by
// tests that need weight files with made-up weights. Compiled into every build (WASM too), so
// it reports errors by return value, never by exception.
//
// Typical use:
//   WeightFileBuilder b;
//   b.set_model_kind(ModelKind::kClassifier);
//   b.set_input_size(224);
//   b.set_alpha(1.0f);
//   b.set_num_classes(1001);
//   b.set_input_normalization(127.5f, 127.5f);   // (pixel - mean) / std
//   b.set_labels(labels);                        // exactly num_classes labels
//   b.add_f32_tensor("stem.b", {32}, bias);       // float32, no quantization
//   b.add_tensor("stem.w", TensorType::kU8, {32, 3, 3, 3}, bytes, 864, {0.03f}, {122}, 0);
//   std::vector<uint8_t> file = b.build();       // empty on error, see b.error()
//
// add_*() and build() check their arguments against the format's rules (the ones the loader,
// weight-file.cc, enforces too), so a mistake shows up here rather than as a file the engine
// rejects later. The first problem is kept in error() and makes build() fail, so callers may
// check once at the end.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "model/weight-format.h"

namespace mnv2 {

class WeightFileBuilder {
 public:
  // Header fields. Defaults: classifier, input 224, alpha 1, no classes, mean 127.5, std 127.5.
  void set_model_kind(ModelKind kind) { kind_ = kind; }
  void set_input_size(uint32_t size) { input_size_ = size; }
  void set_alpha(float alpha) { alpha_ = alpha; }
  void set_num_classes(uint32_t count) { num_classes_ = count; }
  void set_input_normalization(float mean, float std) {
    input_mean_ = mean;
    input_std_ = std;
  }
  // One label per class, index i = class i; no label may contain '\n', '\r' or NUL.
  void set_labels(std::vector<std::string> labels) { labels_ = std::move(labels); }

  // Adds a tensor; the bytes are copied. dims: 1..4 entries, each >= 1; data_bytes must be
  // product(dims) * element size (4 for kF32/kI32, 1 for kU8/kI8), little-endian.
  // Quantization (real = scale[c] * (q - zero_point[c])): kF32 takes none (empty vectors);
  // integer types need scales.size() == zero_points.size() == 1 (per tensor) or dims[quant_axis]
  // (per channel), quant_axis < dims.size(), every scale finite and > 0, zero points within
  // the type (kU8 0..255, kI8 -128..127, kI32 0).
  // Names: unique, 1..31 bytes (e.g. "block3.expand.w"). Returns false (and sets error()) on
  // invalid arguments; the tensor is then not added.
  bool add_tensor(const std::string& name, TensorType type, const std::vector<uint32_t>& dims,
                  const void* data, size_t data_bytes, const std::vector<float>& scales = {},
                  const std::vector<int32_t>& zero_points = {}, uint32_t quant_axis = 0);

  // Shorthand for an unquantized float32 tensor.
  bool add_f32_tensor(const std::string& name, const std::vector<uint32_t>& dims,
                      const std::vector<float>& values);

  size_t tensor_count() const { return tensors_.size(); }

  // The whole file: header, tensor table, tensor data (each 4-byte aligned), quantization
  // parameters, labels ('\n' after each), with file_bytes and the CRC-32 filled in. Returns an
  // empty vector when anything added so far or any header field is invalid; error() says why.
  std::vector<uint8_t> build();

  // Empty while everything is valid; otherwise the first problem found.
  const std::string& error() const { return error_; }

 private:
  struct PendingTensor {
    std::string name;
    TensorType type;
    std::vector<uint32_t> dims;
    std::vector<uint8_t> data;
    std::vector<float> scales;
    std::vector<int32_t> zero_points;
    uint32_t quant_axis;
  };

  bool fail(const std::string& message);
  bool check_header();

  ModelKind kind_ = ModelKind::kClassifier;
  uint32_t input_size_ = 224;
  float alpha_ = 1.0f;
  uint32_t num_classes_ = 0;
  float input_mean_ = 127.5f;
  float input_std_ = 127.5f;
  std::vector<std::string> labels_;
  std::vector<PendingTensor> tensors_;
  std::string error_;
};

}  // namespace mnv2
