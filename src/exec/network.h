// A network ready to run: its description (graph/), its plan (plan/), the executor of its
// precision and the scheduler that walks the plan with it (exec/). Classifier and Detector
// (api/) are thin layers over this; tests use it to reach the layers' own outputs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/thread-pool.h"
#include "exec/layer-executor.h"
#include "exec/scheduler.h"
#include "graph/network-description.h"
#include "kernels/kernels.h"
#include "plan/network-plan.h"
#include "plan/summary.h"

namespace mnv2 {

// kFloat32: weights dequantized, float arithmetic (F32Executor). kInt8: the quantized model
// run with TFLite's integer arithmetic (Q8Executor; needs a weight file with activation
// quantization).
enum class Precision { kFloat32, kInt8 };

struct NetworkOptions {
  Precision precision = Precision::kFloat32;
  Execution execution = Execution::kFused;
  // 1 runs on the caller; more split every stage across a pool; 0 means one per hardware
  // thread. Layer by layer stays on one thread.
  size_t threads = 1;
  const KernelTable* kernels = &simd_kernels();  // the float executor's (int8: SIMD q8)
};

struct MemoryStats {
  size_t weights_bytes;          // packed weights
  size_t activation_peak_bytes;  // the planned activation arena
  size_t scratch_bytes;          // per-thread rings, tiles and stem windows
};

class Network {
 public:
  Network() = default;
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  // Parses a weight file, refuses it unless it holds a `kind` model whose memory bound fits
  // (plan/memory-budget.h: checked before anything is allocated), then describes, loads and
  // plans its network; false with a message naming what is wrong. *labels: the file's.
  bool load(const uint8_t* weights, size_t size, ModelKind kind, const NetworkOptions& options,
            std::vector<std::string>* labels, std::string* error);
  // The same from a parsed file with an executor of the caller's (tests: other kernel tables).
  bool load(const WeightFileView& file, std::unique_ptr<LayerExecutor> executor,
            Execution execution, size_t threads, std::string* error);

  const NetworkDescription& description() const { return description_; }
  const NetworkPlan& plan() const { return plan_; }
  LayerExecutor& executor() { return *executor_; }
  size_t threads() const { return pool_->size(); }
  Execution execution() const { return plan_.options().execution; }
  MemoryStats memory_stats() const;
  std::vector<LayerSummary> summary() const { return summarize_plan(plan_); }

  // Per-layer wall time of the last run, in the order of summary()'s rows, when profiling is
  // on. Off by default: timing costs a little.
  void set_profiling(bool on);
  const std::vector<double>& layer_ms() const { return layer_ms_; }

  // The input of the next run (see LayerExecutor::set_image).
  void set_image(const uint8_t* rgba, size_t width, size_t height, float crop) {
    executor_->set_image(rgba, width, height, crop);
  }
  // Every stage: a classifier up to its head conv, a detector up to its outputs.
  void run();
  // A classifier: run(), then the pooled features (feature_size() floats), valid until the
  // next call; then classify(): the class probabilities from them.
  const float* features();
  const float* classify();

  // A value's bytes, or a decoded value's floats, after the run (see Scheduler).
  const uint8_t* value(size_t id) const { return scheduler_.value(id); }
  const float* decoded(size_t id) const { return scheduler_.decoded(id); }

 private:
  NetworkDescription description_;
  NetworkPlan plan_;
  std::unique_ptr<LayerExecutor> executor_;
  std::unique_ptr<ThreadPool> pool_;
  Scheduler scheduler_;
  bool profiling_ = false;
  std::vector<double> layer_ms_;
};

}  // namespace mnv2
