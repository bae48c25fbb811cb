#include "plan/summary.h"

#include <algorithm>

namespace mnv2 {
namespace {

size_t layer_params(const Layer& layer) {
  switch (layer.kind) {
    case LayerKind::kStemConv3x3s2: return 9 * layer.in_channels * layer.out_channels + layer.out_channels;
    case LayerKind::kDepthwise3x3: return 9 * layer.out_channels + layer.out_channels;
    default: return layer.in_channels * layer.out_channels + layer.out_channels;
  }
}

LayerSummary stage_row(const NetworkPlan& plan, size_t index) {
  const NetworkDescription& n = plan.network();
  const Stage& s = n.stages[index];
  const StagePlan& p = plan.stage(index);
  const size_t v = plan.value_bytes();
  const size_t in_pixels = s.in_size * s.in_size, out_pixels = s.out_size * s.out_size;
  LayerSummary row{s.name, s.type, {s.in_size, s.in_size, s.in_channels},
                   {s.out_size, s.out_size, s.out_channels}, s.expansion, s.stride, 0, 0, 0};
  for (size_t layer : {s.expand, s.depthwise, s.project}) {
    if (layer != kNone) row.params += layer_params(n.layers[layer]);
  }
  if (s.expand != kNone) row.macs += in_pixels * s.in_channels * s.mid_channels;
  if (s.depthwise != kNone) {
    row.macs += out_pixels * s.mid_channels * 9;
    // The expansion, or the stem output block 0 reads in its place; then the depthwise output.
    const bool expands = s.expand != kNone || s.input == n.stem_output;
    row.expanded_bytes = ((expands ? in_pixels : 0) + out_pixels) * s.mid_channels * v;
  }
  row.macs += out_pixels * s.mid_channels * s.out_channels;
  row.activation_bytes = plan.live_bytes(p.first_step, p.last_step) + p.scratch_bytes;
  // Fused, the stem streams into block 0 and its scratch is alive then.
  if (s.input == n.stem_output && plan.options().execution == Execution::kFused) {
    row.activation_bytes += plan.threads() * (plan.window_bytes() + plan.options().stem_scratch_bytes);
  }
  return row;
}

}  // namespace

std::vector<LayerSummary> summarize_plan(const NetworkPlan& plan) {
  const NetworkDescription& n = plan.network();
  const size_t S = n.input_size, O = n.stem_size();
  const Layer& stem = n.layers[n.stem];
  std::vector<LayerSummary> rows;
  rows.push_back({"stem", "conv3x3", {S, S, 3}, {O, O, stem.out_channels}, 0, 2,
                  layer_params(stem), O * O * stem.out_channels * 27,
                  plan.live_bytes(plan.stem_step(), plan.stem_step()) +
                      plan.threads() * (plan.window_bytes() + plan.options().stem_scratch_bytes)});
  for (size_t i = 0; i < n.stages.size(); ++i) {
    rows.push_back(stage_row(plan, i));
    if (i != n.head || n.logits == kNone) continue;
    const size_t F = n.head_size(), C = n.feature_size(), classes = n.num_classes;
    rows.push_back({"pool", "avgpool", {F, F, C}, {1, 1, C}, 0, 1, 0, 0,
                    plan.live_bytes(plan.pool_step(), plan.pool_step())});
    rows.push_back({"logits", "fc", {1, 1, C}, {1, 1, classes}, 0, 1,
                    layer_params(n.layers[n.logits]), C * classes,
                    plan.live_bytes(plan.classifier_step(), plan.classifier_step())});
  }
  return rows;
}

SummaryTotals summary_totals(const std::vector<LayerSummary>& rows) {
  SummaryTotals totals;
  for (const LayerSummary& row : rows) {
    totals.params += row.params;
    totals.macs += row.macs;
    totals.peak_activation_bytes = std::max(totals.peak_activation_bytes, row.activation_bytes);
  }
  return totals;
}

}  // namespace mnv2
