#include "exec/network.h"

#include "core/clock.h"
#include "plan/memory-budget.h"

namespace mnv2 {

namespace {

const char* kind_name(uint32_t kind) {
  return kind == static_cast<uint32_t>(ModelKind::kDetector) ? "detector" : "classifier";
}

}  // namespace

bool Network::load(const uint8_t* weights, size_t size, ModelKind kind,
                   const NetworkOptions& options, std::vector<std::string>* labels,
                   std::string* error) {
  WeightFileView file;
  if (!parse_weight_file(weights, size, &file, error)) return false;
  if (file.header.model_kind != static_cast<uint32_t>(kind)) {
    *error = std::string("weight file holds a ") + kind_name(file.header.model_kind) + ", not a " +
             kind_name(static_cast<uint32_t>(kind));
    return false;
  }
  if (!check_model_memory(file, options.execution, options.threads, error)) return false;
  std::unique_ptr<LayerExecutor> executor = options.precision == Precision::kInt8
                                                ? make_q8_executor(q8_kernels_for(*options.kernels))
                                                : make_f32_executor(*options.kernels);
  if (!load(file, std::move(executor), options.execution, options.threads, error)) return false;
  *labels = std::move(file.labels);
  return true;
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
  const float* features = scheduler_.pool();
  if (profiling_) layer_ms_.push_back(now_ms() - start);
  return features;
}

const float* Network::classify() {
  const double start = profiling_ ? now_ms() : 0.0;
  const float* probabilities = scheduler_.classify();
  if (profiling_) {
    layer_ms_.resize(description_.stages.size() + 3, 0.0);
    layer_ms_.back() = now_ms() - start;
  }
  return probabilities;
}

}  // namespace mnv2
