// summary(): the numbers the paper argues with, one row per layer the network runs (the stem,
// each stage: bottleneck block, head conv, SSD extra layer or predictor; the classifier's pool
// and logits), read from the network description and its plan alone: parameters and
// multiply-adds from the shapes, the activation memory alive while the row runs from the plan's
// arena and scratch, so a float and an int8 network differ only in their bytes per value.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "plan/network-plan.h"

namespace mnv2 {

// One row of summary(): a layer or a whole stage.
struct LayerSummary {
  std::string name;        // "stem", "block3", "head", "pool", "logits", "extra0", "box2", ...
  std::string type;        // "conv3x3", "bottleneck", "conv1x1", "avgpool", "fc", "ssd-extra", ...
  size_t input[3];         // height, width, channels
  size_t output[3];
  size_t expansion;        // t (bottleneck blocks), else 0
  size_t stride;
  size_t params;           // weights + biases
  size_t macs;             // multiply-adds
  size_t activation_bytes; // activations alive while it runs (the planned tensors + scratch)
  // What the stage's expanded tensor (at its input resolution; block 0 counts the stem output
  // it reads instead) and depthwise output (at its output resolution) would cost materialized
  // whole, as a layer-by-layer runtime holds them: the memory fusion avoids. 0 for rows
  // without a depthwise conv.
  size_t expanded_bytes = 0;
};

std::vector<LayerSummary> summarize_plan(const NetworkPlan& plan);

// The totals line of a summary() (classifier or detector): parameters and multiply-adds add
// up over the rows; activation memory does not (rows run one after another), so its total is
// the largest row, the peak. web/index.js's summarize() computes the same for JavaScript.
struct SummaryTotals {
  size_t params = 0;
  size_t macs = 0;
  size_t peak_activation_bytes = 0;
};

SummaryTotals summary_totals(const std::vector<LayerSummary>& rows);

}  // namespace mnv2
