// The one walk over a NetworkPlan, for every precision: it owns the activation arena, each
// thread's scratch (rings and tiles) and the stem's window of input rows, and runs the stem and
// the stages the way the plan says, splitting rows and pixels across the thread pool, calling
// the LayerExecutor for every layer. What a value is (float or int8) it never knows: it moves
// bytes, value_bytes() of them per value.
//
// A fused stage on one thread, band of output rows [begin, end), a tile at a time:
//   rows of the expansion the tile needs -> ring (expand 1x1, or the stem for block 0)
//   -> depthwise 3x3 into a tile of rows -> project 1x1 (+ residual) into the output rows.
// Each band primes its own ring, recomputing the one or two expanded rows it shares with its
// neighbour, so any number of threads computes exactly what one thread does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/thread-pool.h"
#include "exec/layer-executor.h"
#include "plan/network-plan.h"

namespace mnv2 {

class Scheduler {
 public:
  // Allocates the plan's buffers. The plan (and its description), the executor and the pool
  // must outlive the scheduler.
  void prepare(const NetworkPlan& plan, LayerExecutor& executor, ThreadPool& pool);
  size_t scratch_bytes() const { return scratch_.size() + windows_.size(); }

  // The stem, then every stage in order. With profiling on, stage_ms() holds the wall time
  // of the stem (index 0) and of each stage (index i + 1).
  void run();
  // A classifier, after run(): the pooled features (floats), then the class probabilities.
  const float* pool();
  const float* classify();
  void set_profiling(bool on) { profiling_ = on; }
  const std::vector<double>& stage_ms() const { return stage_ms_; }

  // A value's bytes, or a decoded value's floats, after run() (null: never materialized).
  const uint8_t* value(size_t id) const;
  const float* decoded(size_t id) const;

 private:
  uint8_t* tensor(size_t id) { return arena_.data() + plan_->arena().offset(id); }
  uint8_t* value(size_t id) { return tensor(plan_->value_tensor(id)); }
  float* decoded(size_t id) { return reinterpret_cast<float*>(tensor(plan_->decoded_tensor(id))); }
  void run_stage(size_t index);
  void run_pointwise_stage(size_t index);
  void run_rows(size_t index, size_t thread, size_t out_begin, size_t out_end);
  void run_pixel_split(size_t index, const RowWindow& rows);
  void run_layers(size_t index, const RowWindow& rows);
  void project(size_t index, size_t first_pixel, size_t pixels, const uint8_t* depthwise);
  void produce_expanded(size_t index, size_t thread, size_t row, size_t count, uint8_t* out);
  void stem_rows(size_t thread, size_t first, size_t count, uint8_t* output);
  template <typename Work>
  void split(const WorkSplit& split, const Work& work);

  const NetworkPlan* plan_ = nullptr;
  const NetworkDescription* network_ = nullptr;
  LayerExecutor* executor_ = nullptr;
  ThreadPool* pool_ = nullptr;
  size_t value_bytes_ = 0;
  std::vector<uint8_t> arena_, scratch_, windows_;
  // The fused stem's window of input rows and where it starts, per thread.
  std::vector<size_t> window_first_, window_rows_;
  bool profiling_ = false;
  double stem_ms_ = 0.0;
  std::vector<double> stage_ms_;
};

}  // namespace mnv2
