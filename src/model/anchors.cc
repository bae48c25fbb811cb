#include "model/anchors.h"

#include <cmath>

namespace mnv2 {
namespace {

// The fixed smallest box of a reduced lowest layer, a constant of the TF OD API generator.
constexpr double kLowestLayerScale = 0.1;
constexpr size_t kFixedParams = 4;
constexpr size_t kMaxAspectRatios = 16;
// Bounds that keep every box's height and width a positive normal float: a denormal scale or
// an extreme ratio made boxes of size 0 (fuzz-postprocess finding), which no detector has.
// Real configurations use scales 0.1 to 0.95 and ratios 1/3 to 3 (TF OD API's SSD configs).
constexpr float kMinScale = 1e-3f;
constexpr float kMinAspectRatio = 1e-3f, kMaxAspectRatio = 1e3f;

struct BoxSpec {
  double scale;
  double aspect_ratio;
};

double layer_scale(const AnchorParams& params, size_t layer, size_t layers) {
  if (layer >= layers) return 1.0;
  if (layers == 1) return params.min_scale;
  return params.min_scale + (static_cast<double>(params.max_scale) - params.min_scale) *
                                static_cast<double>(layer) / static_cast<double>(layers - 1);
}

std::vector<BoxSpec> layer_boxes(const AnchorParams& params, size_t layer, size_t layers) {
  const double scale = layer_scale(params, layer, layers);
  if (layer == 0 && params.reduce_boxes_in_lowest_layer) {
    return {{kLowestLayerScale, 1.0}, {scale, 2.0}, {scale, 0.5}};
  }
  std::vector<BoxSpec> boxes;
  for (float ratio : params.aspect_ratios) boxes.push_back({scale, ratio});
  if (params.interpolated_scale_aspect_ratio > 0.0f) {
    const double next = layer_scale(params, layer + 1, layers);
    boxes.push_back({std::sqrt(scale * next), params.interpolated_scale_aspect_ratio});
  }
  return boxes;
}

bool ratio_in_range(float ratio) { return ratio >= kMinAspectRatio && ratio <= kMaxAspectRatio; }

}  // namespace

bool check_anchor_params(const AnchorParams& params, size_t layers, std::string* error) {
  if (layers == 0) {
    *error = "anchors need at least one feature map";
    return false;
  }
  if (!(params.min_scale >= kMinScale && params.min_scale <= params.max_scale &&
        params.max_scale <= 1.0f)) {
    *error = "anchor scales must satisfy 0.001 <= min_scale <= max_scale <= 1, got " +
             std::to_string(params.min_scale) + " and " + std::to_string(params.max_scale);
    return false;
  }
  if (params.aspect_ratios.empty() || params.aspect_ratios.size() > kMaxAspectRatios) {
    *error = "anchors need 1 to " + std::to_string(kMaxAspectRatios) + " aspect ratios, got " +
             std::to_string(params.aspect_ratios.size());
    return false;
  }
  for (float ratio : params.aspect_ratios) {
    if (!ratio_in_range(ratio)) {
      *error = "anchor aspect ratio " + std::to_string(ratio) + " is not a number from 0.001 to 1000";
      return false;
    }
  }
  const float interpolated = params.interpolated_scale_aspect_ratio;
  if (!std::isfinite(interpolated) || (interpolated > 0.0f && !ratio_in_range(interpolated))) {
    *error = "the interpolated anchor aspect ratio must be <= 0 (none) or from 0.001 to 1000, got " +
             std::to_string(interpolated);
    return false;
  }
  return true;
}

size_t anchors_per_cell(const AnchorParams& params, size_t layer) {
  if (layer == 0 && params.reduce_boxes_in_lowest_layer) return 3;
  return params.aspect_ratios.size() + (params.interpolated_scale_aspect_ratio > 0.0f ? 1 : 0);
}

std::vector<Anchor> generate_anchors(const AnchorParams& params,
                                     const std::vector<size_t>& grid_sizes) {
  std::vector<Anchor> anchors;
  const size_t layers = grid_sizes.size();
  for (size_t layer = 0; layer < layers; ++layer) {
    const std::vector<BoxSpec> boxes = layer_boxes(params, layer, layers);
    const size_t n = grid_sizes[layer];
    const double stride = 1.0 / static_cast<double>(n);
    for (size_t row = 0; row < n; ++row) {
      for (size_t col = 0; col < n; ++col) {
        for (const BoxSpec& box : boxes) {
          const double ratio_sqrt = std::sqrt(box.aspect_ratio);
          Anchor anchor;
          anchor.y = static_cast<float>((static_cast<double>(row) + 0.5) * stride);
          anchor.x = static_cast<float>((static_cast<double>(col) + 0.5) * stride);
          anchor.h = static_cast<float>(box.scale / ratio_sqrt);
          anchor.w = static_cast<float>(box.scale * ratio_sqrt);
          anchors.push_back(anchor);
        }
      }
    }
  }
  return anchors;
}

std::vector<float> encode_anchor_params(const AnchorParams& params) {
  std::vector<float> values = {params.min_scale, params.max_scale,
                               params.interpolated_scale_aspect_ratio,
                               params.reduce_boxes_in_lowest_layer ? 1.0f : 0.0f};
  values.insert(values.end(), params.aspect_ratios.begin(), params.aspect_ratios.end());
  return values;
}

bool decode_anchor_params(const std::vector<float>& values, AnchorParams* params,
                          std::string* error) {
  if (values.size() <= kFixedParams) {
    *error = "anchors.params has " + std::to_string(values.size()) + " values, needs at least " +
             std::to_string(kFixedParams + 1);
    return false;
  }
  const float reduce = values[3];
  if (reduce != 0.0f && reduce != 1.0f) {
    *error = "anchors.params: reduce_boxes_in_lowest_layer must be 0 or 1, got " +
             std::to_string(reduce);
    return false;
  }
  params->min_scale = values[0];
  params->max_scale = values[1];
  params->interpolated_scale_aspect_ratio = values[2];
  params->reduce_boxes_in_lowest_layer = reduce == 1.0f;
  params->aspect_ratios.assign(values.begin() + kFixedParams, values.end());
  return true;
}

}  // namespace mnv2
