#include "model/summary-totals.h"

#include <algorithm>

namespace mnv2 {

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
