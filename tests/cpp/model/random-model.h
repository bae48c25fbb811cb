// Weight files with made-up weights for any width multiplier and resolution, so the whole
// network can be tested without the real model: pointwise weights stored as uint8 per tensor,
// depthwise as int8 per channel, biases as float (every loader path gets exercised).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace mnv2::testing {

std::vector<uint8_t> random_classifier_file(float alpha, uint32_t input_size,
                                            uint32_t num_classes, uint32_t seed);

// The same network with what the int8 engine needs too (model/random-q8.h): int32 biases and
// activation quantization, int8 activations with the MEAN pool marker or uint8 activations
// with the softmax output's quantization. Loads with either precision.
std::vector<uint8_t> random_q8_classifier_file(float alpha, uint32_t input_size,
                                               uint32_t num_classes, uint32_t seed,
                                               bool int8_activations);

// Random RGBA pixels.
std::vector<uint8_t> random_image(size_t width, size_t height, uint32_t seed);

}  // namespace mnv2::testing
