// The totals line of a summary() (classifier or detector): parameters and multiply-adds add
// up over the rows; activation memory does not (rows run one after another), so its total is
// the largest row, the peak. web/index.js's summarize() computes the same for JavaScript.
#pragma once

#include <cstddef>
#include <vector>

#include "model/mobilenet-v2.h"

namespace mnv2 {

struct SummaryTotals {
  size_t params = 0;
  size_t macs = 0;
  size_t peak_activation_bytes = 0;
};

SummaryTotals summary_totals(const std::vector<LayerSummary>& rows);

}  // namespace mnv2
