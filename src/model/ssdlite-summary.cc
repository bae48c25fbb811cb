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
#include "model/ssd-head-summary.h"
#include "model/ssdlite.h"

namespace mnv2 {
namespace {

size_t float_bytes(size_t count) { return count * sizeof(float); }

}  // namespace

std::vector<LayerSummary> SSDLite::summary() const {
  // A detector's weight file has no "logits", so the backbone's rows end at its head conv.
  std::vector<LayerSummary> rows = backbone_.summary();
  // The predictors' 1x1 convs write straight into the outputs.
  const SsdHeadMemory memory{sizeof(float), float_bytes(encodings_.size() + scores_.size()), false};
  append_ssd_head_rows(ssd_head_shapes(extras_, maps_), score_stride(), memory, &rows);
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
