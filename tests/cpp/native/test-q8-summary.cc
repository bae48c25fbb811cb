// summary() and memory_stats() of the int8 engines on the real weight files in weights/
// (scripts/fetch-weights.sh): the int8 detector reports the float detector's layers with the
// same parameters and multiply-adds but int8 activation bytes, and the int8 classifier's
// bottleneck rows say what their int8 expansions would cost materialized whole.
//
// The int8 backbone materializes every tensor (MobileNetV2Q8's arena), as the float backbone
// does layer by layer, so its memory is compared with that execution: the same tensors at a
// quarter of the bytes. (The fused float backbone streams its expansions through row rings;
// at 300x300 its peak is below the int8 one's, which these tests do not assume either way.)
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "api/classifier.h"
#include "api/detector.h"
#include "native/q8-runs.h"
#include "native/shared-models.h"
#include "plan/summary.h"

using namespace mnv2;

TEST_SUITE("int8 summary") {
  TEST_CASE("the int8 detector's rows: the float detector's layers and costs, int8 memory") {
    const std::vector<uint8_t> file = test::read_weight_file("ssdlite_mobilenet_v2_voc_300.mnv2");
    std::string error;
    auto f32 = Detector::create(file.data(), file.size(), &error, simd_kernels(),
                                Execution::kLayerByLayer);
    REQUIRE_MESSAGE(f32, error);
    auto q8 = Detector::create(file.data(), file.size(), &error, simd_kernels(),
                               Execution::kFused, Precision::kInt8);
    REQUIRE_MESSAGE(q8, error);
    const std::vector<LayerSummary> float_rows = f32->summary();
    const std::vector<LayerSummary> rows = q8->summary();
    // Backbone to the head conv (no pool or logits), 4 extra layers, 2 predictors x 6 maps.
    REQUIRE(rows.size() == 19 + 4 + 12);
    REQUIRE(rows.size() == float_rows.size());
    CHECK(rows[18].name == "head");
    CHECK(rows[19].name == "extra0");
    CHECK(rows.back().name == "class5");
    for (size_t i = 0; i < rows.size(); ++i) {
      const LayerSummary& row = rows[i];
      const LayerSummary& expected = float_rows[i];
      CAPTURE(row.name);
      CHECK(row.name == expected.name);
      CHECK(row.type == expected.type);
      CHECK(std::equal(row.input, row.input + 3, expected.input));
      CHECK(std::equal(row.output, row.output + 3, expected.output));
      CHECK(row.params == expected.params);
      CHECK(row.macs == expected.macs);
      CHECK(row.activation_bytes > 0);
      // The same tensors at a quarter of the bytes.
      CHECK(row.expanded_bytes * 4 == expected.expanded_bytes);
      if (row.type == "bottleneck" || row.type.rfind("ssd-", 0) == 0) CHECK(row.expanded_bytes > 0);
      // Int8 tensors are a quarter of float ones; the head also holds float outputs, which
      // the int8 engine produces too, so no row reaches the float one.
      CHECK(row.activation_bytes < expected.activation_bytes);
    }

    const SummaryTotals totals = summary_totals(rows);
    const SummaryTotals float_totals = summary_totals(float_rows);
    size_t params = 0, macs = 0, peak = 0;
    for (const LayerSummary& row : rows) {
      params += row.params;
      macs += row.macs;
      peak = std::max(peak, row.activation_bytes);
    }
    CHECK(totals.params == params);
    CHECK(totals.macs == macs);
    CHECK(totals.peak_activation_bytes == peak);
    CHECK(totals.params == float_totals.params);
    CHECK(totals.macs == float_totals.macs);
    CHECK(totals.peak_activation_bytes < float_totals.peak_activation_bytes);

    const MemoryStats stats = q8->memory_stats();
    const MemoryStats float_stats = f32->memory_stats();
    MESSAGE("int8 detector: params ", totals.params, ", MACs ", totals.macs, ", peak row ",
            totals.peak_activation_bytes, " B; weights ", stats.weights_bytes, " B, activations ",
            stats.activation_peak_bytes, " B, scratch ", stats.scratch_bytes, " B");
    MESSAGE("float detector (layer by layer): peak row ", float_totals.peak_activation_bytes,
            " B; weights ", float_stats.weights_bytes, " B, activations ",
            float_stats.activation_peak_bytes, " B, scratch ", float_stats.scratch_bytes, " B");
    // Packed int32 words per weight (int16 taps in pairs at least): at least 2 bytes per
    // parameter, yet less than the float engine's packed floats.
    CHECK(stats.weights_bytes >= 2 * totals.params);
    CHECK(stats.weights_bytes < float_stats.weights_bytes);
    CHECK(stats.activation_peak_bytes > 0);
    CHECK(stats.activation_peak_bytes < float_stats.activation_peak_bytes);
    CHECK(totals.peak_activation_bytes <= stats.activation_peak_bytes + stats.scratch_bytes);
    // The predictors hold the float outputs the Detector decodes, plus their int8 codes.
    const size_t outputs = q8->num_anchors() * (4 + q8->num_classes() + 1) * (sizeof(float) + 1);
    CHECK(rows.back().activation_bytes >= outputs);
    CHECK(stats.activation_peak_bytes >= outputs);
  }

  TEST_CASE("the int8 classifier's bottleneck rows report their int8 expansions") {
    const std::vector<uint8_t> file = test::read_weight_file("tf2_mobilenet_v2_1.0_224_ptq.mnv2");
    const test::ClassifierPair pair = test::float_and_int8(file);
    const std::vector<LayerSummary> float_rows = pair.f32->summary();
    const std::vector<LayerSummary> rows = pair.q8->summary();
    REQUIRE(rows.size() == float_rows.size());
    CHECK(rows.back().name == "logits");  // a classifier keeps its pool and logits rows
    size_t blocks = 0;
    for (size_t i = 0; i < rows.size(); ++i) {
      CAPTURE(rows[i].name);
      if (rows[i].type != "bottleneck") {
        CHECK(rows[i].expanded_bytes == 0);
        continue;
      }
      ++blocks;
      const size_t e = rows[i].input[2] * rows[i].expansion;
      CHECK(rows[i].expanded_bytes ==
            (rows[i].input[0] * rows[i].input[1] + rows[i].output[0] * rows[i].output[1]) * e);
      CHECK(rows[i].expanded_bytes * 4 == float_rows[i].expanded_bytes);
    }
    CHECK(blocks == 17);
  }
}
