// TEST ONLY: MobileNetV2 from an integer .mnv2 file computed the way the reference runtime of
// shared/reference (Arm NN 22, CpuRef backend) computes quantized layers, as opposed to TFLite's
// fixed-point arithmetic that the engine follows. Arm NN's reference workloads dequantize every
// tensor to float ((q - zero_point) * scale), sum products in float in their loop order (input
// channel, filter row, filter column), add the bias decoded with the bias tensor's own scale,
// and quantize once: round half away from zero of value / scale, plus the zero point, clamped.
// A fused ReLU6 is a separate activation on the decoded value; ADD, the average pool (or MEAN)
// and the softmax work on decoded floats too.
//
// It exists to show where the int8 engine's remaining differences from the reference come
// from: fed the same pixels, this reproduces the reference scores exactly, so the pixels are
// the reference's and what is left is arithmetic. Plain loops, slow, never shipped.
#pragma once

#include <cstdint>
#include <vector>

#include "model/weight-file.h"

namespace mnv2::testing {

// Softmax scores in 1/256 steps (0..255), one per class, for an input of
// input_size * input_size RGB pixels.
std::vector<int> armnn_float_scores(const WeightFileView& file, const std::vector<uint8_t>& rgb);

}  // namespace mnv2::testing
