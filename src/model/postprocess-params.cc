#include "model/postprocess-params.h"

#include <cmath>

namespace mnv2 {
namespace {

// Counts travel as floats; anything past this is not a count a detector uses.
constexpr float kMaxCount = 1u << 20;

bool read_count(float value, const char* name, uint32_t* out, std::string* error) {
  if (!(value >= 1.0f && value <= kMaxCount) || std::floor(value) != value) {
    *error = std::string("postprocess.params: ") + name + " must be a whole number from 1 to " +
             std::to_string(static_cast<uint32_t>(kMaxCount)) + ", got " + std::to_string(value);
    return false;
  }
  *out = static_cast<uint32_t>(value);
  return true;
}

bool read_fraction(float value, const char* name, float* out, std::string* error) {
  if (!(value >= 0.0f && value <= 1.0f)) {
    *error = std::string("postprocess.params: ") + name + " must be in [0, 1], got " +
             std::to_string(value);
    return false;
  }
  *out = value;
  return true;
}

}  // namespace

std::vector<float> encode_postprocess_params(const PostprocessParams& p) {
  return {p.scales.y,
          p.scales.x,
          p.scales.h,
          p.scales.w,
          p.iou_threshold,
          p.score_threshold,
          static_cast<float>(p.max_detections),
          static_cast<float>(p.max_classes_per_detection),
          static_cast<float>(p.detections_per_class),
          p.use_regular_nms ? 1.0f : 0.0f,
          static_cast<float>(p.num_classes)};
}

bool decode_postprocess_params(const std::vector<float>& v, PostprocessParams* p,
                               std::string* error) {
  if (v.size() != kPostprocessParamCount) {
    *error = "postprocess.params has " + std::to_string(v.size()) + " values, expected " +
             std::to_string(kPostprocessParamCount);
    return false;
  }
  for (size_t i = 0; i < 4; ++i) {
    if (!(std::isfinite(v[i]) && v[i] > 0.0f)) {
      *error = "postprocess.params: box coder scale " + std::to_string(i) +
               " must be a positive number, got " + std::to_string(v[i]);
      return false;
    }
  }
  p->scales = {v[0], v[1], v[2], v[3]};
  if (!read_fraction(v[4], "nms_iou_threshold", &p->iou_threshold, error) ||
      !read_fraction(v[5], "nms_score_threshold", &p->score_threshold, error) ||
      !read_count(v[6], "max_detections", &p->max_detections, error) ||
      !read_count(v[7], "max_classes_per_detection", &p->max_classes_per_detection, error) ||
      !read_count(v[8], "detections_per_class", &p->detections_per_class, error) ||
      !read_count(v[10], "num_classes", &p->num_classes, error)) {
    return false;
  }
  if (p->max_classes_per_detection != 1) {
    *error = "postprocess.params: max_classes_per_detection is " +
             std::to_string(p->max_classes_per_detection) + "; only 1 is supported";
    return false;
  }
  if (v[9] != 0.0f && v[9] != 1.0f) {
    *error = "postprocess.params: use_regular_nms must be 0 or 1, got " + std::to_string(v[9]);
    return false;
  }
  p->use_regular_nms = v[9] == 1.0f;
  return true;
}

}  // namespace mnv2
