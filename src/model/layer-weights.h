// Reading one layer's weights out of a weight file: find the tensors by name, check their
// shapes, dequantize, and pack them for the kernels. Shared by every network built from a
// weight file (MobileNetV2, the SSDLite head).
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
