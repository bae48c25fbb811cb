// SSDLite weight files with made-up weights, so the detection head can be tested without the
// real model: any width multiplier and resolution, small extra layers, pointwise weights int8
// per output channel (like the VOC model), depthwise weights and all biases float32 (unless
// quantized, see below).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "model/anchors.h"
#include "model/postprocess-params.h"

namespace mnv2::testing {

// The VOC model's anchor generator (tflite/convert-detector.cc has the converter's copy; the
// portable tests cannot link the converter).
AnchorParams voc_anchor_params();

struct RandomDetectorSpec {
  float alpha = 0.35f;
  uint32_t input_size = 128;
  uint32_t num_classes = 3;
  // Output channels of the extra layers' 1x1 convs: {expand, project} per layer.
  std::vector<std::pair<uint32_t, uint32_t>> extras = {{32, 64}, {16, 32}, {16, 32}, {8, 16}};
  // The anchor generator's aspect ratios (its other parameters are the VOC model's).
  std::vector<float> aspect_ratios = {1.0f, 2.0f, 0.5f, 3.0f, 0.3333f};
  uint32_t seed = 1;
  // Also what the int8 engine needs (model/random-q8.h): integer weights everywhere (uint8
  // per tensor), int32 biases and activation records, with int8 or uint8 activations.
  bool quantized = false;
  bool int8_activations = true;
  // Tensors to leave out or to give a wrong shape, for the loader's error paths.
  std::string omit;
  std::string misshape;
};

// The postprocess settings of the VOC SSDLite model, for num_classes classes.
PostprocessParams voc_postprocess_params(uint32_t num_classes);

std::vector<uint8_t> random_detector_file(const RandomDetectorSpec& spec);

}  // namespace mnv2::testing
