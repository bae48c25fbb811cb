// Reading a .mnv2 weight file (format in weight-format.h). Weight files come from the
// network, so parse_weight_file() checks every field, offset, size and the checksum before
// anything is used, with overflow-safe arithmetic, and names what is wrong when it rejects one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "model/weight-format.h"

namespace mnv2 {

struct TensorView {
  std::string name;
  TensorType type;
  std::vector<size_t> dims;
  size_t elements;
  const uint8_t* data;        // into the caller's buffer
  const float* scales;        // quant_count entries, unaligned: read with memcpy
  const uint8_t* zero_points; // quant_count int32 entries, unaligned
  size_t quant_count;
  size_t quant_axis;

  // Quant parameter i (i < quant_count), read from its unaligned place in the file.
  float scale(size_t i) const;
  int32_t zero_point(size_t i) const;
};

// A validated view of a weight file; valid while the bytes it was parsed from are.
struct WeightFileView {
  FileHeader header;
  std::vector<TensorView> tensors;
  std::vector<std::string> labels;

  const TensorView* find(const std::string& name) const;
};

// Returns false and sets *error when the bytes are not a valid weight file.
bool parse_weight_file(const uint8_t* data, size_t size, WeightFileView* out, std::string* error);

// The tensor as float32: stored floats copied, integers dequantized with their scale and zero
// point (per channel along quant_axis). *out is resized to tensor.elements.
void dequantize(const TensorView& tensor, std::vector<float>* out);

}  // namespace mnv2
