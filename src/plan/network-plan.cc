#include "plan/network-plan.h"

#include <algorithm>

namespace mnv2 {
namespace {

// Scratch for one fused stage (its ring of expanded rows plus one tile of depthwise output).
// Small enough to stay in a typical L2 cache; the row tiles are sized to fit it. 192 KiB
// rather than 160: two output rows per tile instead of one in float blocks 2-3 and 11-15, so
// their GEMMs get twice the rows (~2% faster overall, measured), while activations + scratch
// stay within the 1.25 MiB the memory test holds the fused float network to.
constexpr size_t kScratchBudgetBytes = 192 * 1024;
// With several threads, each band of a fused stage recomputes the expanded rows it shares with
// its neighbour (two per border at stride 1): 4% more expand work at 56 rows, 14% at 14, 29%
// at 7. Stages with at most this many input rows therefore expand their whole input once,
// split across the threads, into the activation arena (where the small late tensors leave
// room, see build()), and the bands only read it.
constexpr size_t kWholeExpansionMaxRows = 28;
// With one thread, the stages with at most this many input rows expand whole: their row tiles
// are a few 7- or 14-pixel rows, so the ring's GEMM calls get row counts that are not
// multiples of the GEMM's 4-row tile, and their large weights are streamed once per tile;
// expanded whole, the expansion is one GEMM call.
constexpr size_t kWholeExpansionMaxRowsOneThread = 14;
// The classifier's output channels split at multiples of 32: whole packed blocks of the float
// FC kernel (8 channels) and of the integer GEMM (16).
constexpr size_t kClassifierGranule = 32;

}  // namespace

WorkSplit split_rows(size_t rows, size_t threads) {
  WorkSplit split;
  const size_t bands = std::min(threads, rows);
  for (size_t band = 0; band < bands; ++band) {
    split.ranges.push_back({band * rows / bands, (band + 1) * rows / bands});
  }
  return split;
}

WorkSplit split_pixels(size_t pixels, size_t threads) {
  WorkSplit split;
  const size_t bands = std::min(threads, pixels);
  const auto edge = [&](size_t band) {
    return band == bands ? pixels : (band * pixels / bands + 2) / 4 * 4;
  };
  for (size_t band = 0; band < bands; ++band) split.ranges.push_back({edge(band), edge(band + 1)});
  return split;
}

bool NetworkPlan::fused(size_t stage) const {
  // The detector's head stages run fused whatever the backbone does.
  return options_.execution == Execution::kFused || stage >= network_->blocks;
}

// Which fused stages expand their whole input at once is decided here: a stage asks for it
// when that saves work (see the constants above), and gets it only if the activation arena
// does not grow, so the memory the fused plan promises stays what it was. Late blocks have
// small tensors while the arena's peak is set by the early ones, so they fit.
void NetworkPlan::build(const NetworkDescription& network, const PlanOptions& options) {
  network_ = &network;
  options_ = options;
  stages_.assign(network.stages.size(), StagePlan{});
  wants_whole_expansion_.assign(network.stages.size(), false);
  layout();
  const size_t arena = arena_.arena_bytes();
  const size_t max_rows_whole =
      options.threads > 1 ? kWholeExpansionMaxRows : kWholeExpansionMaxRowsOneThread;
  for (size_t i = network.stages.size(); i-- > 0;) {
    const Stage& stage = network.stages[i];
    if (!fused(i) || stage.expand == kNone || stage.expanded != kNone ||
        stage.in_size > max_rows_whole) {
      continue;
    }
    wants_whole_expansion_[i] = true;
    layout();
    if (arena_.arena_bytes() > arena) wants_whole_expansion_[i] = false;
  }
  layout();

  const size_t v = options.value_bytes;
  for (size_t i = 0; i < network.stages.size(); ++i) {
    const Stage& stage = network.stages[i];
    StagePlan& plan = stages_[i];
    const size_t threads = std::min(options.threads, stage.out_size);
    const bool whole_rows = plan.rows == StageRows::kWhole || plan.rows == StageRows::kInput;
    plan.pixel_split = fused(i) && stage.depthwise != kNone && whole_rows && threads > 1 &&
                       stage.out_size % threads != 0 && stage.out_size < 4 * threads &&
                       stage.out_size * stage.out_size * stage.mid_channels * v <=
                           scratch_bytes_ * options.threads;
  }
  window_bytes_ = options.execution == Execution::kFused
                      ? kStemWindowRows * network.input_size * 3 * v
                      : 0;
  classifier_bands_ = WorkSplit();
  if (network.logits != kNone) {
    const size_t n = network.num_classes;
    const size_t groups = (n + kClassifierGranule - 1) / kClassifierGranule;
    for (const auto& [begin, end] : split_rows(groups, options.threads).ranges) {
      classifier_bands_.ranges.push_back(
          {begin * kClassifierGranule, std::min(n, end * kClassifierGranule)});
    }
  }
}

void NetworkPlan::plan_tiles(const Stage& stage, StagePlan* plan) const {
  const size_t v = options_.value_bytes;
  const size_t in_row = stage.in_size * stage.mid_channels * v;
  const size_t out_row = stage.out_size * stage.mid_channels * v;
  const bool ring = plan->rows == StageRows::kExpandRing || plan->rows == StageRows::kStemRing;
  const auto ring_rows = [&](size_t tile) {
    return ring ? std::min(stage.in_size, (tile - 1) * stage.stride + 3) : stage.in_size;
  };
  const auto scratch = [&](size_t tile) {
    return (ring ? ring_rows(tile) * in_row : 0) + tile * out_row;
  };
  size_t tile = 1;
  while (tile < stage.out_size && scratch(tile + 1) <= kScratchBudgetBytes) ++tile;
  // A tile's project GEMM has tile * out_w rows; the GEMM computes 4 rows at a time and a
  // leftover group of 1-3 rows costs nearly a whole group. Rather fewer rows per tile than a
  // leftover in every tile (14-pixel rows: an even tile height), unless one tile is all rows.
  if (tile < stage.out_size) {
    for (size_t fewer = tile; fewer > 0; --fewer) {
      if (fewer * stage.out_size % 4 == 0) {
        tile = fewer;
        break;
      }
    }
  }
  plan->tile_rows = tile;
  plan->ring_rows = ring_rows(tile);
  plan->scratch_bytes = scratch(tile);
}

// The tensors' lifetimes and the fused tiling for the current choices, solved into arena_.
void NetworkPlan::layout() {
  const NetworkDescription& n = *network_;
  const size_t v = options_.value_bytes;
  arena_ = MemoryPlan();
  value_tensors_.assign(n.values.size(), kNone);
  decoded_tensors_.assign(n.values.size(), kNone);
  scratch_bytes_ = 0;
  max_rows_ = n.stem_size();
  const auto add_value = [&](size_t value, size_t step) {
    const Value& info = n.values[value];
    const size_t id = arena_.add(info.elements() * v, step);
    value_tensors_[value] = decoded_tensors_[value] = id;
    if (info.kept) arena_.keep_until_end(id);
    if (info.decoded && v != sizeof(float)) {
      decoded_tensors_[value] = arena_.add(info.elements() * sizeof(float), step);
      arena_.keep_until_end(decoded_tensors_[value]);
    }
    return id;
  };
  size_t step = 0;
  const bool layered = options_.execution == Execution::kLayerByLayer;
  if (layered) {
    add_value(n.image, step);
    add_value(n.stem_output, ++step);
    arena_.use(value_tensors_[n.image], step);
    stem_step_ = step;
  }
  for (size_t i = 0; i < n.stages.size(); ++i) {
    const Stage& stage = n.stages[i];
    StagePlan& plan = stages_[i];
    plan = StagePlan();
    max_rows_ = std::max(max_rows_, stage.in_size);
    const size_t input = value_tensors_[stage.input];
    if (!fused(i)) {
      // Layer by layer: expansion, depthwise output and output each materialized.
      plan.first_step = step + 1;
      size_t rows = input;
      plan.rows = StageRows::kInput;
      if (stage.expand != kNone) {
        rows = plan.expanded_tensor =
            arena_.add(stage.in_size * stage.in_size * stage.mid_channels * v, ++step);
        arena_.use(input, step);
        if (stage.expanded != kNone) {
          value_tensors_[stage.expanded] = plan.expanded_tensor;
          arena_.keep_until_end(plan.expanded_tensor);
        }
        plan.rows = StageRows::kWhole;
      }
      plan.depthwise_tensor =
          arena_.add(stage.out_size * stage.out_size * stage.mid_channels * v, ++step);
      arena_.use(rows, step);
      add_value(stage.output, ++step);
      arena_.use(plan.depthwise_tensor, step);
      if (stage.residual) arena_.use(input, step);
      plan.last_step = step;
      continue;
    }
    // Fused: the whole stage is one step, its input, output and any whole expansion alive.
    plan.first_step = plan.last_step = ++step;
    if (value_tensors_[stage.output] == kNone) add_value(stage.output, step);
    if (input != kNone) arena_.use(input, step);
    if (stage.depthwise == kNone) continue;  // the head conv: one GEMM, split by pixels
    if (stage.input == n.stem_output) {
      stem_step_ = step;
      // Block 0 of narrow networks (alpha <= 0.25) adds its input to its output: the stem
      // output must then exist whole, computed first.
      if (stage.residual && input == kNone) add_value(n.stem_output, step);
    }
    if (stage.expand == kNone) {
      plan.rows = value_tensors_[stage.input] != kNone ? StageRows::kInput : StageRows::kStemRing;
    } else if (stage.expanded != kNone || wants_whole_expansion_[i]) {
      plan.rows = StageRows::kWhole;
      plan.expanded_tensor =
          arena_.add(stage.in_size * stage.in_size * stage.mid_channels * v, step);
      if (stage.expanded != kNone) {
        value_tensors_[stage.expanded] = plan.expanded_tensor;
        arena_.keep_until_end(plan.expanded_tensor);
      }
    } else {
      plan.rows = StageRows::kExpandRing;
    }
    plan_tiles(stage, &plan);
    scratch_bytes_ = std::max(scratch_bytes_, plan.scratch_bytes);
  }
  if (n.pooled != kNone) {
    add_value(n.pooled, pool_step_ = ++step);
    arena_.use(value_tensors_[n.stages[n.head].output], step);
    add_value(n.class_logits, classifier_step_ = ++step);
    arena_.use(value_tensors_[n.pooled], step);
  }
  arena_.solve();
}

size_t NetworkPlan::live_bytes(size_t first, size_t last) const {
  size_t bytes = 0;
  for (size_t step = first; step <= last; ++step) bytes = std::max(bytes, arena_.live_bytes(step));
  return bytes;
}

}  // namespace mnv2
