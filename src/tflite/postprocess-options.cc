#include "tflite/postprocess-options.h"

#include <flatbuffers/flexbuffers.h>

#include <cmath>

namespace mnv2::tflite {
namespace {

bool is_number(const flexbuffers::Reference& value) {
  return value.IsNumeric() || value.IsBool();
}

// Keys TFLite's kernel requires, and the optional ones with the kernel's defaults.
bool read_number(const flexbuffers::Map& map, const char* key, bool required, double fallback,
                 double* out, std::string* error) {
  const flexbuffers::Reference value = map[key];
  if (value.IsNull()) {
    if (required) {
      *error = std::string("TFLite_Detection_PostProcess options lack ") + key;
      return false;
    }
    *out = fallback;
    return true;
  }
  if (!is_number(value)) {
    *error = std::string("TFLite_Detection_PostProcess option ") + key + " is not a number";
    return false;
  }
  *out = value.IsBool() ? (value.AsBool() ? 1.0 : 0.0) : value.AsDouble();
  if (!std::isfinite(*out)) {
    *error = std::string("TFLite_Detection_PostProcess option ") + key + " is not finite";
    return false;
  }
  return true;
}

}  // namespace

bool read_postprocess_options(const std::vector<uint8_t>& options, PostprocessParams* params,
                              std::string* error) {
  if (options.empty()) {
    *error = "TFLite_Detection_PostProcess has no options";
    return false;
  }
  if (!flexbuffers::VerifyBuffer(options.data(), options.size())) {
    *error = "TFLite_Detection_PostProcess options are not a valid FlexBuffer";
    return false;
  }
  const flexbuffers::Reference root = flexbuffers::GetRoot(options.data(), options.size());
  if (!root.IsMap()) {
    *error = "TFLite_Detection_PostProcess options are not a FlexBuffer map";
    return false;
  }
  const flexbuffers::Map map = root.AsMap();
  double y, x, h, w, iou, score, max_detections, per_detection, per_class, regular, classes;
  if (!read_number(map, "y_scale", true, 0, &y, error) ||
      !read_number(map, "x_scale", true, 0, &x, error) ||
      !read_number(map, "h_scale", true, 0, &h, error) ||
      !read_number(map, "w_scale", true, 0, &w, error) ||
      !read_number(map, "nms_iou_threshold", true, 0, &iou, error) ||
      !read_number(map, "nms_score_threshold", true, 0, &score, error) ||
      !read_number(map, "max_detections", true, 0, &max_detections, error) ||
      !read_number(map, "num_classes", true, 0, &classes, error) ||
      !read_number(map, "max_classes_per_detection", false, 1, &per_detection, error) ||
      !read_number(map, "detections_per_class", false, 100, &per_class, error) ||
      !read_number(map, "use_regular_nms", false, 0, &regular, error)) {
    return false;
  }
  // The engine's own validation (ranges, whole counts) applies to what goes into the file.
  const std::vector<float> values = {
      static_cast<float>(y),          static_cast<float>(x),
      static_cast<float>(h),          static_cast<float>(w),
      static_cast<float>(iou),        static_cast<float>(score),
      static_cast<float>(max_detections), static_cast<float>(per_detection),
      static_cast<float>(per_class),  static_cast<float>(regular != 0.0),
      static_cast<float>(classes)};
  if (!decode_postprocess_params(values, params, error)) {
    *error = "TFLite_Detection_PostProcess options: " + *error;
    return false;
  }
  return true;
}

}  // namespace mnv2::tflite
