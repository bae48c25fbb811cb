// What the float (ssdlite.h) and integer (ssdlite-q8.h) SSDLite engines share when they load a
// detector: the anchor and postprocess parameters, the refusal of outputs too large for the
// engine's memory, and the sizes of the scratch buffers their extra layers and predictors
// share. Both engines run the same layers on the same geometry; only their element types
// differ, so the helpers take either engine's records (any structs with these fields).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "model/anchors.h"
#include "model/postprocess-params.h"
#include "model/weight-file.h"

namespace mnv2 {

// Reads "anchors.params" and "postprocess.params" and checks that the postprocess declares the
// header's class count.
bool load_ssd_params(const WeightFileView& file, size_t num_classes, AnchorParams* anchors,
                     PostprocessParams* postprocess, std::string* error);

// The outputs and the Detector's NMS buffers grow with anchors x classes; a hostile file can make
// that exceed WASM memory, and a failed allocation aborts the module, so such a file is refused
// before anything is allocated (see model/memory-budget.h). bytes_per_value: what the engine
// and the Detector hold per anchor and output column.
bool check_ssd_output_budget(const std::vector<size_t>& grid_sizes, const AnchorParams& anchors,
                             size_t num_classes, uint64_t bytes_per_value, std::string* error);

// The feature maps' grid sizes, in anchor order.
template <typename Map>
std::vector<size_t> ssd_grid_sizes(const std::vector<Map>& maps) {
  std::vector<size_t> sizes;
  for (const Map& map : maps) sizes.push_back(map.size);
  return sizes;
}

// Values the shared buffers must hold: an extra layer's expansion, a depthwise output (extra
// layer or predictor), and the row pointers of the largest input.
struct SsdScratchSizes {
  size_t expanded = 0, depthwise = 0, rows = 0;
};

template <typename Extra, typename Map>
SsdScratchSizes ssd_scratch_sizes(const std::vector<Extra>& extras, const std::vector<Map>& maps) {
  SsdScratchSizes s;
  for (const Extra& extra : extras) {
    s.expanded = std::max(s.expanded, extra.in_size * extra.in_size * extra.mid_channels);
    s.depthwise = std::max(s.depthwise, extra.out_size * extra.out_size * extra.mid_channels);
    s.rows = std::max(s.rows, extra.in_size);
  }
  for (const Map& map : maps) {
    s.depthwise = std::max(s.depthwise, map.size * map.size * map.channels);
    s.rows = std::max(s.rows, map.size);
  }
  return s;
}

}  // namespace mnv2
