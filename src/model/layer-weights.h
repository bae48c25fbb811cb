// Reading one layer's weights out of a weight file: find the tensors by name, check their
// shapes, dequantize, and pack them for the float kernels (F32Executor). The integer layers
// are read by q8-layer-weights.h.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "model/weight-file.h"

namespace mnv2 {

// "[a,b,c]"
std::string dims_text(const std::vector<size_t>& dims);

// The tensor, or null with *error naming it.
const TensorView* find_tensor(const WeightFileView& file, const std::string& name,
                              std::string* error);

// Checks a tensor's shape; every expected shape follows from the declared width multiplier, so
// the message names it.
bool check_dims(const WeightFileView& file, const TensorView& tensor,
                const std::vector<size_t>& dims, std::string* error);

// Finds a tensor, checks its shape and dequantizes it.
bool read_tensor(const WeightFileView& file, const std::string& name,
                 const std::vector<size_t>& dims, std::vector<float>* values,
                 std::string* error);

// A 1x1 conv's "<layer>.w" [out][1][1][in] and "<layer>.b", packed for the GEMM.
bool read_pointwise(const WeightFileView& file, const std::string& layer, size_t in_c,
                    size_t out_c, std::vector<float>* packed, std::string* error);

// A depthwise 3x3 conv's "<layer>.w" [1][3][3][c] and "<layer>.b", packed for its kernels.
bool read_depthwise(const WeightFileView& file, const std::string& layer, size_t channels,
                    std::vector<float>* packed, std::string* error);

}  // namespace mnv2
