// SSDLiteQ8::summary() and memory_stats(): the int8 detector's layers with the numbers the
// float detector reports (ssdlite-summary.cc), for this engine's buffers.
//
// How the int8 head holds memory (ssdlite-q8.cc), which the activation bytes follow:
//  - the backbone plan (MobileNetV2Q8::load_backbone) keeps block 13's expansion (map 0) and
//    the head conv output (map 1) in its arena to the end of the run;
//  - every extra layer's output is its own int8 vector, alive for the whole run;
//  - expand, depthwise and predictor results go to shared int8 scratch vectors sized for
//    their largest use; a predictor's 1x1 output is mapped through its tables into both the
//    int8 codes (box_codes_, score_codes_) and the float outputs the Detector decodes, all
//    four alive for the whole run.
#include "model/ssd-head-summary.h"
#include "model/ssdlite-q8.h"

namespace mnv2 {

std::vector<LayerSummary> SSDLiteQ8::summary() const {
  // Loaded backbone-only, the backbone's rows end at its head conv (no pool or logits).
  std::vector<LayerSummary> rows = backbone_.summary();
  const size_t outputs = box_codes_.size() + score_codes_.size() +
                         (encodings_.size() + scores_.size()) * sizeof(float);
  // A predictor's 1x1 conv writes int8 values to predicted_, which its tables then map.
  const SsdHeadMemory memory{sizeof(int8_t), outputs, true};
  append_ssd_head_rows(ssd_head_shapes(extras_, maps_), score_stride(), memory, &rows);
  return rows;
}

MemoryStats SSDLiteQ8::memory_stats() const {
  MemoryStats stats = backbone_.memory_stats();
  size_t words = 0, extra_outputs = 0;
  for (const Extra& extra : extras_) {
    words += extra.expand.words() + extra.depthwise.size() + extra.project.words();
    extra_outputs += extra.output.size();
  }
  size_t tables = 0;  // per map, the predictors' int8 and float lookup tables
  for (const FeatureMap& map : maps_) {
    words += map.box_dw.size() + map.box_pw.words() + map.class_dw.size() + map.class_pw.words();
    tables += sizeof(map.box_code) + sizeof(map.score_code) + sizeof(map.box_value) +
              sizeof(map.score_value);
  }
  stats.weights_bytes += words * sizeof(int32_t) + tables;
  stats.activation_peak_bytes += extra_outputs + box_codes_.size() + score_codes_.size() +
                                 (encodings_.size() + scores_.size()) * sizeof(float);
  stats.scratch_bytes += expanded_.size() + depthwise_out_.size() + predicted_.size();
  return stats;
}

}  // namespace mnv2
