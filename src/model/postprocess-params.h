// The detection postprocess settings a detector weight file carries ("postprocess.params"),
// taken by the converter from the TFLite_Detection_PostProcess operator's options so that
// nothing about the model is baked into the engine. Layout (floats; counts are exact):
//   [y_scale, x_scale, h_scale, w_scale, nms_iou_threshold, nms_score_threshold,
//    max_detections, max_classes_per_detection, detections_per_class, use_regular_nms (0/1),
//    num_classes]
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/box-decode.h"

namespace mnv2 {

struct PostprocessParams {
  BoxCoderScales scales{};
  float iou_threshold = 0.0f;
  float score_threshold = 0.0f;  // the exported model's; the API has its own default
  uint32_t max_detections = 0;
  uint32_t max_classes_per_detection = 0;
  uint32_t detections_per_class = 0;
  bool use_regular_nms = false;
  uint32_t num_classes = 0;
};

inline constexpr size_t kPostprocessParamCount = 11;

std::vector<float> encode_postprocess_params(const PostprocessParams& params);

// Checks ranges too: positive finite coder scales, thresholds in [0, 1], counts >= 1, and one
// class per detection (the only kind of class-agnostic NMS the engine runs).
bool decode_postprocess_params(const std::vector<float>& values, PostprocessParams* params,
                               std::string* error);

}  // namespace mnv2
