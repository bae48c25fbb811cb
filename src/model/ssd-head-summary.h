// The SSDLite head's summary() rows (extra layers, then the box and class predictors of every
// feature map), shared by the float detector (ssdlite-summary.cc) and the int8 one
// (ssdlite-q8-summary.cc). Both run the same layers in the same order on buffers of the same
// shapes, so parameters and multiply-adds follow from the geometry alone; the engines differ
// only in the bytes a value takes and in the buffers their predictors write, which the
// caller describes in SsdHeadMemory.
#pragma once

#include <cstddef>
#include <vector>

#include "model/mobilenet-v2.h"

namespace mnv2 {

// One extra layer: 1x1 expand, 3x3 depthwise stride 2, 1x1 project.
struct SsdExtraShape {
  size_t in_size, out_size;
  size_t in_channels, mid_channels, out_channels;
};

// One feature map the predictors read (map 0: block 13's expansion, map 1: the head conv,
// then one per extra layer).
struct SsdMapShape {
  size_t size, channels, anchors_per_cell;
};

struct SsdHeadShapes {
  std::vector<SsdExtraShape> extras;
  std::vector<SsdMapShape> maps;
};

// From an engine's own extra-layer and feature-map records (float or int8: any structs with
// these fields).
template <typename Extra, typename Map>
SsdHeadShapes ssd_head_shapes(const std::vector<Extra>& extras, const std::vector<Map>& maps) {
  SsdHeadShapes shapes;
  for (const Extra& e : extras) {
    shapes.extras.push_back({e.in_size, e.out_size, e.in_channels, e.mid_channels, e.out_channels});
  }
  for (const Map& map : maps) shapes.maps.push_back({map.size, map.channels, map.anchors_per_cell});
  return shapes;
}

struct SsdHeadMemory {
  size_t value_bytes;     // bytes per activation value: 4 (float) or 1 (int8)
  size_t outputs_bytes;   // the head's outputs, held from the first predictor to the end
  // Whether a predictor's 1x1 conv writes to a buffer of its own before its values reach the
  // outputs (the int8 engine requantizes them through tables) instead of straight into them.
  bool predictor_buffer;
};

// Appends extra0.., then box<m> and class<m> per map. Activation bytes count what is alive
// while the layer runs: maps 0 and 1 as the backbone's plan keeps them (rounded up to its
// alignment), every extra output produced so far, the outputs during the predictors, and the
// layer's own expand / depthwise buffers, which the head materializes whole (expanded_bytes).
void append_ssd_head_rows(const SsdHeadShapes& shapes, size_t score_stride,
                          const SsdHeadMemory& memory, std::vector<LayerSummary>* rows);

}  // namespace mnv2
