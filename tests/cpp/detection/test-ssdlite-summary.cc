// Detector::summary() and memory_stats() on made-up SSDLite weights: the rows the network
// runs, parameter totals equal to the weight file's tensors, multiply-adds recomputed here from
// the layer shapes, and activation bytes consistent with the allocated memory, for both
// backbone executions.
#include <doctest/doctest.h>

#include <string>

#include "api/detector.h"
#include "detection/random-detector.h"
#include "model/architecture.h"
#include "model/ssdlite.h"
#include "model/weight-file.h"
#include "plan/summary.h"

namespace mnv2 {
namespace {

// The VOC anchor generator (random-detector.cc) gives 5 aspect ratios plus the interpolated
// scale per cell, and 3 boxes on the lowest map.
size_t voc_anchors_per_cell(size_t map) { return map == 0 ? 3 : 6; }

size_t ceil_half(size_t size) { return (size + 1) / 2; }

// Multiply-adds recomputed from the spec alone, independently of summary().
size_t expected_macs(const testing::RandomDetectorSpec& spec) {
  const ArchitectureShape arch = mobilenet_v2_architecture(spec.alpha);
  size_t size = ceil_half(spec.input_size);
  size_t macs = size * size * arch.stem_channels * 27;
  size_t tap_size = 0;
  for (size_t i = 0; i < arch.blocks.size(); ++i) {
    const BlockShape& block = arch.blocks[i];
    if (i == kSsdTapBlock) tap_size = size;
    const size_t out = (size + block.stride - 1) / block.stride;
    if (block.has_expand) macs += size * size * block.in_channels * block.expanded_channels;
    macs += out * out * block.expanded_channels * (9 + block.out_channels);
    size = out;
  }
  macs += size * size * arch.blocks.back().out_channels * arch.head_channels;
  // Feature maps: {size, channels}.
  std::vector<std::pair<size_t, size_t>> maps = {
      {tap_size, arch.blocks[kSsdTapBlock].expanded_channels}, {size, arch.head_channels}};
  for (const auto& [mid, out_c] : spec.extras) {
    const auto [in, in_c] = maps.back();
    const size_t out = ceil_half(in);
    macs += in * in * in_c * mid + out * out * mid * 9 + out * out * mid * out_c;
    maps.push_back({out, out_c});
  }
  for (size_t m = 0; m < maps.size(); ++m) {
    const auto [s, c] = maps[m];
    const size_t a = voc_anchors_per_cell(m);
    // Two predictors, each a depthwise 3x3 and a 1x1 conv to a * 4 or a * (classes + 1).
    macs += 2 * s * s * c * 9 + s * s * c * a * (4 + spec.num_classes + 1);
  }
  return macs;
}

size_t layer_elements(const std::vector<uint8_t>& file) {
  WeightFileView view;
  std::string error;
  REQUIRE_MESSAGE(parse_weight_file(file.data(), file.size(), &view, &error), error);
  size_t elements = 0;
  for (const auto& tensor : view.tensors) {
    // The anchor and post-processing settings are parameters of no layer.
    if (tensor.name == "anchors.params" || tensor.name == "postprocess.params") continue;
    elements += tensor.elements;
  }
  return elements;
}

}  // namespace

TEST_SUITE("detector summary") {
  TEST_CASE("rows, totals, multiply-adds and memory of random detectors") {
    testing::RandomDetectorSpec small;  // alpha 0.35, 128x128, 4 extra layers, 3 classes
    testing::RandomDetectorSpec other;
    other.alpha = 0.5f;
    other.input_size = 160;
    other.num_classes = 5;
    other.extras = {{24, 48}, {16, 24}};
    other.seed = 7;
    for (const auto& spec : {small, other}) {
      const auto file = testing::random_detector_file(spec);
      std::vector<std::vector<LayerSummary>> by_execution;
      for (Execution execution : {Execution::kFused, Execution::kLayerByLayer}) {
        CAPTURE(spec.alpha);
        CAPTURE(execution == Execution::kFused);
        std::string error;
        auto detector =
            Detector::create(file.data(), file.size(), &error, simd_kernels(), execution);
        REQUIRE_MESSAGE(detector, error);
        CHECK(detector->execution() == execution);
        const auto rows = detector->summary();
        const size_t extras = spec.extras.size(), maps = 2 + extras;
        REQUIRE(rows.size() == 1 + 17 + 1 + extras + 2 * maps);
        CHECK(rows[0].name == "stem");
        CHECK(rows[17].name == "block16");
        CHECK(rows[18].name == "head");
        CHECK(rows[19].name == "extra0");
        CHECK(rows[19 + extras].name == "box0");
        CHECK(rows[20 + extras].name == "class0");
        CHECK(rows.back().name == "class" + std::to_string(maps - 1));

        // Every extra layer reads the previous one's output (the first reads the head's).
        for (size_t i = 0; i < extras; ++i) {
          const LayerSummary& row = rows[19 + i];
          const LayerSummary& previous = rows[18 + i];
          for (size_t d = 0; d < 3; ++d) CHECK(row.input[d] == previous.output[d]);
          CHECK(row.output[0] == ceil_half(row.input[0]));
          CHECK(row.output[2] == spec.extras[i].second);
        }

        size_t params = 0, macs = 0, peak = 0;
        for (const auto& row : rows) {
          params += row.params;
          macs += row.macs;
          peak = std::max(peak, row.activation_bytes);
        }
        const SummaryTotals totals = summary_totals(rows);
        CHECK(totals.params == params);
        CHECK(totals.macs == macs);
        CHECK(totals.peak_activation_bytes == peak);
        CHECK(totals.params == layer_elements(file));
        CHECK(totals.macs == expected_macs(spec));

        const MemoryStats stats = detector->memory_stats();
        // Weights are packed floats: at least 4 bytes per parameter.
        CHECK(stats.weights_bytes >= 4 * totals.params);
        // No row holds more than what is allocated.
        CHECK(totals.peak_activation_bytes <= stats.activation_peak_bytes + stats.scratch_bytes);
        // While the predictors run, both outputs and all feature maps are held.
        const size_t outputs =
            detector->num_anchors() * (4 + detector->num_classes() + 1) * sizeof(float);
        size_t maps_bytes = 0;
        for (size_t m = 0; m < maps; ++m) {
          const LayerSummary& box = rows[19 + extras + 2 * m];
          maps_bytes += box.input[0] * box.input[1] * box.input[2] * sizeof(float);
          CHECK(box.expanded_bytes == box.input[0] * box.input[1] * box.input[2] * 4);
        }
        CHECK(rows.back().activation_bytes >= outputs + maps_bytes);
        CHECK(stats.activation_peak_bytes >= outputs + maps_bytes);
        by_execution.push_back(rows);
      }
      // The head is the same whatever the backbone does; the backbone's peak is lower fused.
      const auto& fused = by_execution[0];
      const auto& layered = by_execution[1];
      for (size_t i = 19; i < fused.size(); ++i) {
        CAPTURE(fused[i].name);
        CHECK(fused[i].params == layered[i].params);
        CHECK(fused[i].macs == layered[i].macs);
        CHECK(fused[i].activation_bytes == layered[i].activation_bytes);
      }
      size_t fused_backbone = 0, layered_backbone = 0;
      for (size_t i = 0; i < 19; ++i) {
        fused_backbone = std::max(fused_backbone, fused[i].activation_bytes);
        layered_backbone = std::max(layered_backbone, layered[i].activation_bytes);
      }
      CHECK(fused_backbone < layered_backbone);
    }
  }
}

}  // namespace mnv2
