// SSDLite::summary() and memory_stats(): the detector's layers with the numbers of
// MobileNetV2::summary() (parameters, multiply-adds, live activation bytes), computed from the
// channel counts read from the weight file and from the buffers run() really uses.
//
// How the head holds memory (ssdlite.cc), which the activation bytes follow:
//  - the backbone plan keeps block 13's expansion (map 0) and the head conv output (map 1) in
//    its arena until the end of the run, since the predictors run after everything else;
//  - every extra layer's output is its own std::vector, alive for the whole run for the same
//    reason; outputs (box encodings, scores) are std::vectors too;
//  - expand and depthwise results go to two shared scratch vectors sized for their largest
//    use, the depthwise one for the predictors on map 0 (19x19x576 floats at 300x300).
// Nothing of the head reuses the backbone arena, whose other tensors are dead by then.
#include <algorithm>

#include "kernels/kernels.h"
#include "model/memory-plan.h"
#include "model/ssdlite.h"

namespace mnv2 {
namespace {

size_t pointwise_params(size_t in_c, size_t out_c) { return in_c * out_c + out_c; }
size_t depthwise_params(size_t channels) { return 9 * channels + channels; }
size_t float_bytes(size_t count) { return count * sizeof(float); }

}  // namespace

std::vector<LayerSummary> SSDLite::summary() const {
  // A detector's weight file has no "logits", so the backbone's rows end at its head conv.
  std::vector<LayerSummary> rows = backbone_.summary();

  // Map 0 and map 1 as the backbone plan holds them (each tensor rounded up to its alignment).
  size_t kept_maps = 0;
  for (size_t m = 0; m < 2; ++m) {
    kept_maps += round_up(float_bytes(maps_[m].size * maps_[m].size * maps_[m].channels),
                          MemoryPlan::kAlignment);
  }

  size_t extra_outputs = 0;  // the outputs produced so far, all kept for the predictors
  for (size_t i = 0; i < extras_.size(); ++i) {
    const Extra& extra = extras_[i];
    const size_t in_pixels = extra.in_size * extra.in_size;
    const size_t out_pixels = extra.out_size * extra.out_size;
    const size_t mid = extra.mid_channels;
    extra_outputs += float_bytes(extra.output.size());
    const size_t expanded = float_bytes((in_pixels + out_pixels) * mid);
    LayerSummary row{"extra" + std::to_string(i),
                     "ssd-extra",
                     {extra.in_size, extra.in_size, extra.in_channels},
                     {extra.out_size, extra.out_size, extra.out_channels},
                     0,
                     2,
                     pointwise_params(extra.in_channels, mid) + depthwise_params(mid) +
                         pointwise_params(mid, extra.out_channels),
                     in_pixels * extra.in_channels * mid + out_pixels * mid * 9 +
                         out_pixels * mid * extra.out_channels,
                     kept_maps + extra_outputs + expanded};
    // The head runs its extra layers layer by layer: the expansion is materialized whole.
    row.expanded_bytes = expanded;
    rows.push_back(row);
  }

  const size_t outputs = float_bytes(encodings_.size() + scores_.size());
  for (size_t m = 0; m < maps_.size(); ++m) {
    const FeatureMap& map = maps_[m];
    const size_t pixels = map.size * map.size;
    const size_t depthwise_out = float_bytes(pixels * map.channels);
    const struct {
      const char* name;
      size_t outputs_per_anchor;
    } predictors[] = {{"box", 4}, {"class", score_stride()}};
    for (const auto& predictor : predictors) {
      const size_t out_c = map.anchors_per_cell * predictor.outputs_per_anchor;
      LayerSummary row{predictor.name + std::to_string(m),
                       std::string("ssd-") + predictor.name,
                       {map.size, map.size, map.channels},
                       {map.size, map.size, out_c},
                       0,
                       1,
                       depthwise_params(map.channels) + pointwise_params(map.channels, out_c),
                       pixels * map.channels * 9 + pixels * map.channels * out_c,
                       kept_maps + extra_outputs + outputs + depthwise_out};
      row.expanded_bytes = depthwise_out;
      rows.push_back(row);
    }
  }
  return rows;
}

MemoryStats SSDLite::memory_stats() const {
  MemoryStats stats = backbone_.memory_stats();
  size_t weights = 0, extra_outputs = 0;
  for (const Extra& extra : extras_) {
    weights += extra.expand.size() + extra.depthwise.size() + extra.project.size();
    extra_outputs += extra.output.size();
  }
  for (const FeatureMap& map : maps_) {
    weights += map.box_dw.size() + map.box_pw.size() + map.class_dw.size() + map.class_pw.size();
  }
  stats.weights_bytes += float_bytes(weights);
  stats.activation_peak_bytes += float_bytes(extra_outputs + encodings_.size() + scores_.size());
  stats.scratch_bytes += float_bytes(expanded_.size() + depthwise_out_.size());
  return stats;
}

}  // namespace mnv2
