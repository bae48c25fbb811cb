#include "exec/network.h"

#include "core/clock.h"
#include "exec/f32-executor.h"
#include "exec/q8-executor.h"

namespace mnv2 {

bool Network::load(const WeightFileView& file, Precision precision, const KernelTable& kernels,
                   Execution execution, size_t threads, std::string* error) {
  std::unique_ptr<LayerExecutor> executor;
  if (precision == Precision::kInt8) {
    executor.reset(new Q8Executor(simd_q8_kernels()));
  } else {
    executor.reset(new F32Executor(kernels));
  }
  return load(file, std::move(executor), execution, threads, error);
}

bool Network::load(const WeightFileView& file, std::unique_ptr<LayerExecutor> executor,
                   Execution execution, size_t threads, std::string* error) {
  executor_ = std::move(executor);
  if (!describe_network(file, &description_, error) ||
      !executor_->load(file, description_, error)) {
    return false;
  }
  // The layer-by-layer reference stays single-threaded.
  pool_ = std::make_unique<ThreadPool>(execution == Execution::kFused ? threads : 1);
  PlanOptions options;
  options.value_bytes = executor_->value_bytes();
  options.threads = pool_->size();
  options.execution = execution;
  options.stem_scratch_bytes = executor_->stem_scratch_bytes();
  plan_.build(description_, options);
  executor_->prepare(plan_);
  scheduler_.prepare(plan_, *executor_, *pool_);
  return true;
}

MemoryStats Network::memory_stats() const {
  return {executor_->weight_bytes(), plan_.arena().arena_bytes(), plan_.total_scratch_bytes()};
}

void Network::set_profiling(bool on) {
  profiling_ = on;
  scheduler_.set_profiling(on);
}

void Network::run() {
  scheduler_.run();
  if (profiling_) layer_ms_ = scheduler_.stage_ms();
}

const float* Network::features() {
  run();
  const double start = profiling_ ? now_ms() : 0.0;
  const float* features = executor_->pool(value(description_.stages[description_.head].output));
  if (profiling_) layer_ms_.push_back(now_ms() - start);
  return features;
}

const float* Network::classify() {
  const double start = profiling_ ? now_ms() : 0.0;
  pool_->parallel_for(plan_.classifier_bands().size(),
                      [&](size_t band, size_t) { executor_->fully_connected(band); });
  const float* probabilities = executor_->softmax();
  if (profiling_) {
    layer_ms_.resize(description_.stages.size() + 3, 0.0);
    layer_ms_.back() = now_ms() - start;
  }
  return probabilities;
}

}  // namespace mnv2
