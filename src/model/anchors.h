// SSD anchors ("default boxes") generated from the anchor generator's parameters, the way the
// TensorFlow Object Detection API's ssd_anchor_generator defines them (Liu et al., SSD, arXiv
// 1512.02325, section 2.2), so the weight file carries a few numbers instead of a table.
//
// For layer l of L feature maps the scale is min + (max - min) * l / (L - 1) (and 1.0 after
// the last). Each cell of an n x n grid gets, in this order:
//   lowest layer when reduce_boxes_in_lowest_layer: (0.1, ratio 1), (s, 2), (s, 0.5);
//   otherwise: (s, r) for every aspect ratio r, then (sqrt(s * s_next), interpolated ratio)
//   when the interpolated ratio is > 0.
// A box (s, r) has height s / sqrt(r) and width s * sqrt(r); cell (i, j) is centred at
// ((i + 0.5) / n, (j + 0.5) / n). Anchors run over rows, then columns, then the boxes of a
// cell, which is the order of the box predictor's output.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace mnv2 {

struct AnchorParams {
  float min_scale = 0.0f;
  float max_scale = 0.0f;
  std::vector<float> aspect_ratios;
  float interpolated_scale_aspect_ratio = 1.0f;  // <= 0: no interpolated box
  bool reduce_boxes_in_lowest_layer = true;
};

// Centre and size, normalized to the image: the layout of TFLite's anchor tensor.
struct Anchor {
  float y, x, h, w;
};

// Checks the parameters for use with `layers` feature maps; false and *error when unusable.
bool check_anchor_params(const AnchorParams& params, size_t layers, std::string* error);

// Boxes per grid cell on layer `layer`.
size_t anchors_per_cell(const AnchorParams& params, size_t layer);

// Every anchor of square grids of the given sizes (one per layer, largest map first).
// params must have passed check_anchor_params().
std::vector<Anchor> generate_anchors(const AnchorParams& params,
                                     const std::vector<size_t>& grid_sizes);

// The weight file stores the parameters as floats ("anchors.params"):
//   [min_scale, max_scale, interpolated_scale_aspect_ratio, reduce_boxes_in_lowest_layer (0/1),
//    aspect_ratio_0, ..., aspect_ratio_{n-1}]
std::vector<float> encode_anchor_params(const AnchorParams& params);
bool decode_anchor_params(const std::vector<float>& values, AnchorParams* params,
                          std::string* error);

}  // namespace mnv2
