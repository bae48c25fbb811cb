// How a NetworkDescription runs, decided once at load time for a number of bytes per value
// (4 for float32, 1 for int8: the only trace of the number type here) and a thread count:
//  - which tensors are materialized, and where each lives in one activation arena
//    (MemoryPlan, from the tensors' lifetimes), so inference allocates nothing;
//  - per stage, how its depthwise conv gets its input rows (a ring of expanded rows per band,
//    the stem streaming into that ring, a whole expansion computed first, or the input tensor
//    itself) and how many output rows a tile holds, within a scratch budget per thread;
//  - the split of work across threads: row bands per stage, pixel ranges for whole layers.
//
// Two executions of the backbone (the detector's head stages always run fused):
//  - kFused (default; paper section 5.1): each bottleneck block runs a few output rows at a
//    time: expand only the input rows those need into a small ring, depthwise, project. The
//    expanded tensor never exists whole; neither does the input image or the stem output,
//    which stream into block 0 the same way. Only bottleneck tensors are materialized.
//  - kLayerByLayer: every layer's output is materialized, as layer-by-layer runtimes do. It is
//    kept as the reference the fused path is tested against, and for the memory comparison.
// Every plan computes the same values: tiles, rings and splits change where values live, not
// how each one is computed.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

#include "graph/network-description.h"
#include "plan/memory-plan.h"

namespace mnv2 {

enum class Execution { kFused, kLayerByLayer };

// The fused stem's window of input rows: it reads 3 rows per output row.
inline constexpr size_t kStemWindowRows = 3;

struct PlanOptions {
  size_t value_bytes = 4;
  size_t threads = 1;
  Execution execution = Execution::kFused;
  size_t stem_scratch_bytes = 0;  // per thread: an executor's own stem buffer (int8's im2col)
};

// Where a stage's depthwise conv finds its input rows.
enum class StageRows {
  kExpandRing,  // expanded band by band into a ring of rows in the thread's scratch
  kStemRing,    // the stem's output rows streamed into that ring (block 0 has no expand conv)
  kWhole,       // the whole expansion, computed first into the arena, pixels split across threads
  kInput,       // no expand conv: the stage's input tensor itself
};

struct StagePlan {
  StageRows rows = StageRows::kInput;
  size_t expanded_tensor = kNone;   // kWhole
  size_t depthwise_tensor = kNone;  // layer by layer: the whole depthwise output
  // A stage with few output rows that do not split evenly across the threads (7 rows on 2:
  // bands of 3 and 4, the project GEMM, most of the work, waiting on the larger one): the
  // depthwise rows go in bands into all threads' scratch at once, then the project GEMM
  // splits the pixels (24/25).
  bool pixel_split = false;
  size_t tile_rows = 0;  // output rows per tile
  size_t ring_rows = 0;  // expanded rows the ring holds
  size_t scratch_bytes = 0;              // per thread: ring + one tile of depthwise output
  size_t first_step = 0, last_step = 0;  // the arena steps it runs in
};

// [begin, end) ranges of work, one per task.
struct WorkSplit {
  std::vector<std::pair<size_t, size_t>> ranges;
  size_t size() const { return ranges.size(); }
};
// Rows split into min(threads, rows) contiguous bands.
WorkSplit split_rows(size_t rows, size_t threads);
// GEMM rows (pixels) split evenly at multiples of the GEMM's 4-row tile: a 7x7 map splits
// 24/25 on two threads, not 21/28 as whole rows would.
WorkSplit split_pixels(size_t pixels, size_t threads);

class NetworkPlan {
 public:
  void build(const NetworkDescription& network, const PlanOptions& options);

  const NetworkDescription& network() const { return *network_; }
  const PlanOptions& options() const { return options_; }
  size_t value_bytes() const { return options_.value_bytes; }
  size_t threads() const { return options_.threads; }
  const MemoryPlan& arena() const { return arena_; }
  const StagePlan& stage(size_t i) const { return stages_[i]; }

  // The arena tensor of a value, kNone when it is never materialized (fused: the image and,
  // unless block 0 adds it to its output, the stem output).
  size_t value_tensor(size_t value) const { return value_tensors_[value]; }
  // A decoded value's float copy: the value's own tensor when values are floats.
  size_t decoded_tensor(size_t value) const { return decoded_tensors_[value]; }
  bool stem_streamed() const { return value_tensors_[network_->stem_output] == kNone; }
  size_t stem_step() const { return stem_step_; }
  // The classifier's steps: the pool, then the fully connected layer and softmax.
  size_t pool_step() const { return pool_step_; }
  size_t classifier_step() const { return classifier_step_; }

  // Per thread: the scratch of the stage that needs most, the stem's window of input rows,
  // and the executor's stem buffer; and the most input rows any stage has (row tables).
  size_t scratch_bytes() const { return scratch_bytes_; }
  size_t window_bytes() const { return window_bytes_; }
  size_t max_rows() const { return max_rows_; }
  // Everything outside the arena, for all threads.
  size_t total_scratch_bytes() const {
    return threads() * (scratch_bytes_ + window_bytes_ + options_.stem_scratch_bytes);
  }
  // The classifier's output channels split across the threads (multiples of 32 channels).
  const WorkSplit& classifier_bands() const { return classifier_bands_; }

  // The bytes of all tensors alive at any step in [first, last].
  size_t live_bytes(size_t first, size_t last) const;

 private:
  void layout();
  void plan_tiles(const Stage& stage, StagePlan* plan) const;
  bool fused(size_t stage) const;

  const NetworkDescription* network_ = nullptr;
  PlanOptions options_;
  MemoryPlan arena_;
  std::vector<StagePlan> stages_;
  std::vector<bool> wants_whole_expansion_;
  std::vector<size_t> value_tensors_, decoded_tensors_;
  size_t stem_step_ = 0, pool_step_ = 0, classifier_step_ = 0;
  size_t scratch_bytes_ = 0, window_bytes_ = 0, max_rows_ = 0;
  WorkSplit classifier_bands_;
};

}  // namespace mnv2
