// The options of TFLite's TFLite_Detection_PostProcess custom operator: a FlexBuffer map
// stored in the operator's custom_options, with keys max_detections, max_classes_per_detection,
// detections_per_class, use_regular_nms, nms_score_threshold, nms_iou_threshold, num_classes,
// y_scale, x_scale, h_scale, w_scale (names and defaults as TFLite documents its kernel).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/postprocess-params.h"

namespace mnv2::tflite {

// Verifies the FlexBuffer before reading it; false and *error (naming the key) when it is
// malformed, misses a required key, or holds a value outside what the engine supports.
bool read_postprocess_options(const std::vector<uint8_t>& options, PostprocessParams* params,
                              std::string* error);

}  // namespace mnv2::tflite
