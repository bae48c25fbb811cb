// summary(): parameter and multiply-add totals must be what the tensors in the file imply,
// for every width multiplier and resolution, and 300.8M multiply-adds for 1.0/224 with the
// TFLite file's 1001 classes (the paper's ~300M plus the 1001-way classifier).
#include <doctest/doctest.h>

#include "api/classifier.h"
#include "model/architecture.h"
#include "model/random-model.h"
#include "model/weight-file.h"
#include "plan/summary.h"

namespace mnv2 {
namespace {

// The same weight file loaded for both executions.
struct BothExecutions {
  std::unique_ptr<Classifier> fused, layered;
};
BothExecutions load_both(const std::vector<uint8_t>& file) {
  std::string error;
  BothExecutions both{Classifier::create(file.data(), file.size(), &error),
                      Classifier::create(file.data(), file.size(), &error, simd_kernels(),
                                         Execution::kLayerByLayer)};
  REQUIRE(both.fused);
  REQUIRE(both.layered);
  return both;
}

// Multiply-adds recomputed here from the layer shapes, independently of summary().
size_t expected_macs(const ArchitectureShape& arch, size_t resolution, size_t classes) {
  size_t size = (resolution + 1) / 2;
  size_t macs = size * size * arch.stem_channels * 27;
  for (const BlockShape& block : arch.blocks) {
    const size_t out = (size + block.stride - 1) / block.stride;
    if (block.has_expand) macs += size * size * block.in_channels * block.expanded_channels;
    macs += out * out * block.expanded_channels * (9 + block.out_channels);
    size = out;
  }
  return macs + size * size * arch.blocks.back().out_channels * arch.head_channels +
         arch.head_channels * classes;
}

}  // namespace

TEST_SUITE("summary") {
  TEST_CASE("totals match the tensors and shapes for every alpha and resolution") {
    for (float alpha : {0.35f, 0.5f, 0.75f, 1.0f, 1.4f}) {
      for (uint32_t resolution : {96u, 128u, 160u, 192u, 224u}) {
        CAPTURE(alpha);
        CAPTURE(resolution);
        const auto file = testing::random_classifier_file(alpha, resolution, 1001, 5);
        std::string error;
        auto classifier = Classifier::create(file.data(), file.size(), &error);
        REQUIRE_MESSAGE(classifier, error);
        const auto rows = classifier->summary();
        CHECK(rows.size() == 1 + 17 + 3);
        WeightFileView view;
        REQUIRE(parse_weight_file(file.data(), file.size(), &view, &error));
        size_t elements = 0;
        for (const auto& tensor : view.tensors) elements += tensor.elements;
        const SummaryTotals t = summary_totals(rows);
        CHECK(t.params == elements);
        CHECK(t.macs == expected_macs(mobilenet_v2_architecture(alpha), resolution, 1001));
        const MemoryStats stats = classifier->memory_stats();
        CHECK(t.peak_activation_bytes <= stats.activation_peak_bytes + stats.scratch_bytes);
        // Whatever else is alive, a block's input and output both are while it runs.
        for (const auto& row : rows) {
          if (row.type != "bottleneck") continue;
          const size_t in = row.input[0] * row.input[1] * row.input[2];
          const size_t out = row.output[0] * row.output[1] * row.output[2];
          CHECK(row.activation_bytes >= (row.name == "block0" ? out : in + out) * 4);
        }
      }
    }
  }

  TEST_CASE("MobileNetV2 1.0/224 with 1001 classes: 300.8M multiply-adds, 3.49M parameters") {
    const auto file = testing::random_classifier_file(1.0f, 224, 1001, 5);
    const BothExecutions both = load_both(file);
    const Classifier* fused = both.fused.get();
    const Classifier* layered = both.layered.get();
    const SummaryTotals f = summary_totals(fused->summary());
    const SummaryTotals l = summary_totals(layered->summary());
    CHECK(f.macs == 300775552);  // rounds to 300.8M
    CHECK(f.params == 3489097);
    CHECK(l.macs == f.macs);
    // Block 1 is the memory peak either way; fusing removes its 112x112x96 expansion.
    const auto fused_rows = fused->summary();
    const auto layered_rows = layered->summary();
    CHECK(layered_rows[2].activation_bytes >= 112 * 112 * 96 * 4);
    CHECK(fused_rows[2].activation_bytes < 112 * 112 * 96 * 4 / 3);
    CHECK(fused_rows[2].expansion == 6);
    CHECK(fused_rows[2].stride == 2);
    CHECK(fused_rows[2].output[0] == 56);
  }

  TEST_CASE("expanded bytes: what materializing each block's expansion would cost") {
    const auto file = testing::random_classifier_file(1.0f, 224, 1001, 5);
    const BothExecutions both = load_both(file);
    const Classifier* fused = both.fused.get();
    const Classifier* layered = both.layered.get();
    const auto fused_rows = fused->summary();
    const auto layered_rows = layered->summary();
    // Block 1: 112x112x(6 * 16) expanded, 56x56x96 after its stride-2 depthwise.
    CHECK(fused_rows[2].expanded_bytes == (112 * 112 + 56 * 56) * 96 * 4);
    for (size_t i = 0; i < fused_rows.size(); ++i) {
      const LayerSummary& row = fused_rows[i];
      CAPTURE(row.name);
      CHECK(row.expanded_bytes == layered_rows[i].expanded_bytes);
      if (row.type != "bottleneck") {
        CHECK(row.expanded_bytes == 0);
        continue;
      }
      const size_t expanded = row.input[2] * row.expansion;
      CHECK(row.expanded_bytes ==
            (row.input[0] * row.input[1] + row.output[0] * row.output[1]) * expanded * 4);
      // Layer by layer, the depthwise step holds both tensors (and its input, unless block 0
      // whose expansion is its input).
      CHECK(layered_rows[i].activation_bytes >= row.expanded_bytes);
    }
    // Fused, the large early expansions never exist whole.
    for (size_t i = 1; i <= 7; ++i) CHECK(fused_rows[i].activation_bytes < fused_rows[i].expanded_bytes);
  }
}

}  // namespace mnv2
