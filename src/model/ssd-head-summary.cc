#include "model/ssd-head-summary.h"

#include <string>

#include "kernels/kernels.h"
#include "model/memory-plan.h"

namespace mnv2 {
namespace {

size_t pointwise_params(size_t in_c, size_t out_c) { return in_c * out_c + out_c; }
size_t depthwise_params(size_t channels) { return 9 * channels + channels; }

}  // namespace

void append_ssd_head_rows(const SsdHeadShapes& shapes, size_t score_stride,
                          const SsdHeadMemory& memory, std::vector<LayerSummary>* rows) {
  const std::vector<SsdExtraShape>& extras = shapes.extras;
  const std::vector<SsdMapShape>& maps = shapes.maps;
  const size_t v = memory.value_bytes;
  size_t kept_maps = 0;
  for (size_t m = 0; m < 2 && m < maps.size(); ++m) {
    kept_maps += round_up(v * maps[m].size * maps[m].size * maps[m].channels,
                          MemoryPlan::kAlignment);
  }

  size_t extra_outputs = 0;  // the outputs produced so far, all kept for the predictors
  for (size_t i = 0; i < extras.size(); ++i) {
    const SsdExtraShape& extra = extras[i];
    const size_t in_pixels = extra.in_size * extra.in_size;
    const size_t out_pixels = extra.out_size * extra.out_size;
    const size_t mid = extra.mid_channels;
    extra_outputs += v * out_pixels * extra.out_channels;
    const size_t expanded = v * (in_pixels + out_pixels) * mid;
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
    row.expanded_bytes = expanded;
    rows->push_back(row);
  }

  for (size_t m = 0; m < maps.size(); ++m) {
    const SsdMapShape& map = maps[m];
    const size_t pixels = map.size * map.size;
    const size_t depthwise_out = v * pixels * map.channels;
    const struct {
      const char* name;
      size_t outputs_per_anchor;
    } predictors[] = {{"box", 4}, {"class", score_stride}};
    for (const auto& predictor : predictors) {
      const size_t out_c = map.anchors_per_cell * predictor.outputs_per_anchor;
      const size_t predicted = memory.predictor_buffer ? v * pixels * out_c : 0;
      LayerSummary row{predictor.name + std::to_string(m),
                       std::string("ssd-") + predictor.name,
                       {map.size, map.size, map.channels},
                       {map.size, map.size, out_c},
                       0,
                       1,
                       depthwise_params(map.channels) + pointwise_params(map.channels, out_c),
                       pixels * map.channels * 9 + pixels * map.channels * out_c,
                       kept_maps + extra_outputs + memory.outputs_bytes + depthwise_out +
                           predicted};
      row.expanded_bytes = depthwise_out;
      rows->push_back(row);
    }
  }
}

}  // namespace mnv2
