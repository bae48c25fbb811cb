#include "exec/scheduler.h"

#include <algorithm>
#include <cstring>

#include "core/clock.h"

namespace mnv2 {

void Scheduler::prepare(const NetworkPlan& plan, LayerExecutor& executor, ThreadPool& pool) {
  plan_ = &plan;
  network_ = &plan.network();
  executor_ = &executor;
  pool_ = &pool;
  value_bytes_ = plan.value_bytes();
  arena_.assign(plan.arena().arena_bytes(), 0);
  scratch_.assign(plan.threads() * plan.scratch_bytes(), 0);
  windows_.assign(plan.threads() * plan.window_bytes(), 0);
  window_first_.assign(plan.threads(), 0);
  window_rows_.assign(plan.threads(), 0);
}

const uint8_t* Scheduler::value(size_t id) const {
  const size_t tensor = plan_->value_tensor(id);
  return tensor == kNone ? nullptr : arena_.data() + plan_->arena().offset(tensor);
}

const float* Scheduler::decoded(size_t id) const {
  const size_t tensor = plan_->decoded_tensor(id);
  if (tensor == kNone) return nullptr;
  return reinterpret_cast<const float*>(arena_.data() + plan_->arena().offset(tensor));
}

template <typename Work>
void Scheduler::split(const WorkSplit& split, const Work& work) {
  pool_->parallel_for(split.size(), [&](size_t task, size_t thread) {
    const auto [begin, end] = split.ranges[task];
    if (end > begin) work(begin, end, thread);
  });
}

void Scheduler::run() {
  const NetworkDescription& n = *network_;
  double mark = profiling_ ? now_ms() : 0.0;
  const auto lap = [&](size_t row) {
    if (!profiling_) return;
    const double now = now_ms();
    stage_ms_[row] = now - mark;
    mark = now;
  };
  if (profiling_) stage_ms_.assign(n.stages.size() + 1, 0.0);
  stem_ms_ = 0.0;
  // A new image: nothing of the last one may be reused.
  std::fill(window_rows_.begin(), window_rows_.end(), 0);
  if (plan_->value_tensor(n.image) != kNone) {
    // Layer by layer: the whole input, then the whole stem output.
    uint8_t* image = value(n.image);
    executor_->read_input(0, n.input_size, image, 0);
    executor_->stem(image, n.input_size, n.stem_pad, 0, n.stem_size(), value(n.stem_output), 0);
    lap(0);
  }
  for (size_t i = 0; i < n.stages.size(); ++i) {
    run_stage(i);
    lap(i + 1);
  }
  if (profiling_ && plan_->options().execution == Execution::kFused) {
    // Fused, the stem runs inside block 0 and is timed apart.
    stage_ms_[0] = stem_ms_;
    stage_ms_[1] -= stem_ms_;
  }
}

const float* Scheduler::pool() {
  const NetworkDescription& n = *network_;
  executor_->pool(value(n.stages[n.head].output), value(n.pooled), decoded(n.pooled));
  return decoded(n.pooled);
}

const float* Scheduler::classify() {
  const NetworkDescription& n = *network_;
  pool_->parallel_for(plan_->classifier_bands().size(), [&](size_t band, size_t) {
    executor_->fully_connected(band, value(n.pooled), value(n.class_logits));
  });
  executor_->softmax(value(n.class_logits), decoded(n.class_logits));
  return decoded(n.class_logits);
}

// Stem output rows [first, first + count), one row at a time from a 3-row window of input
// rows that slides down the image, so the input never exists whole. Each thread has its own
// window.
void Scheduler::stem_rows(size_t thread, size_t first, size_t count, uint8_t* output) {
  const double start = profiling_ && thread == 0 ? now_ms() : 0.0;
  const NetworkDescription& n = *network_;
  const size_t S = n.input_size;
  const size_t row_bytes = S * 3 * value_bytes_;
  const size_t out_row_bytes = n.stem_size() * n.values[n.stem_output].channels * value_bytes_;
  uint8_t* window = windows_.data() + thread * plan_->window_bytes();
  size_t& window_first = window_first_[thread];
  size_t& window_rows = window_rows_[thread];
  for (size_t y = first; y < first + count; ++y) {
    const ptrdiff_t top = static_cast<ptrdiff_t>(2 * y) - static_cast<ptrdiff_t>(n.stem_pad);
    const size_t low = static_cast<size_t>(std::max<ptrdiff_t>(top, 0));
    const size_t high = std::min(static_cast<size_t>(top + kStemWindowRows), S);
    const size_t window_end = window_first + window_rows;
    size_t kept = 0;
    if (window_rows > 0 && low >= window_first && low < window_end) {
      kept = std::min(window_end, high) - low;
      std::memmove(window, window + (low - window_first) * row_bytes, kept * row_bytes);
    }
    if (low + kept < high) {
      executor_->read_input(low + kept, high - low - kept, window + kept * row_bytes, thread);
    }
    window_first = low;
    window_rows = high - low;
    executor_->stem(window, high - low, static_cast<size_t>(static_cast<ptrdiff_t>(low) - top), 0,
                    1, output + (y - first) * out_row_bytes, thread);
  }
  if (profiling_ && thread == 0) stem_ms_ += now_ms() - start;
}

// Rows [row, row + count) of a stage's expansion: by its expand 1x1 conv from the stage input,
// or (block 0, no expansion) by the stem.
void Scheduler::produce_expanded(size_t index, size_t thread, size_t row, size_t count,
                                 uint8_t* out) {
  const Stage& s = network_->stages[index];
  if (plan_->stage(index).rows == StageRows::kStemRing) {
    stem_rows(thread, row, count, out);
    return;
  }
  const uint8_t* input = value(s.input) + row * s.in_size * s.in_channels * value_bytes_;
  executor_->pointwise(s.expand, count * s.in_size, input, out, nullptr);
}

// The project 1x1 conv of `pixels` output pixels from the first, into the stage's output.
void Scheduler::project(size_t index, size_t first_pixel, size_t pixels,
                        const uint8_t* depthwise) {
  const Stage& s = network_->stages[index];
  const size_t offset = s.output_offset + first_pixel * s.out_channels;
  uint8_t* out = value(s.output) + offset * value_bytes_;
  if (network_->layers[s.project].role != LayerRole::kHidden) {
    executor_->predict(s.project, pixels, depthwise, out, decoded(s.output) + offset);
    return;
  }
  const uint8_t* residual =
      s.residual ? value(s.input) + first_pixel * s.in_channels * value_bytes_ : nullptr;
  executor_->pointwise(s.project, pixels, depthwise, out, residual);
}

void Scheduler::run_stage(size_t index) {
  const NetworkDescription& n = *network_;
  const Stage& s = n.stages[index];
  const StagePlan& p = plan_->stage(index);
  const size_t v = value_bytes_;
  if (s.depthwise == kNone) {
    run_pointwise_stage(index);
    return;
  }
  if (s.input == n.stem_output && plan_->options().execution == Execution::kFused &&
      plan_->value_tensor(n.stem_output) != kNone) {
    // A stem output needed whole (see the plan): each thread its own rows of it.
    uint8_t* stem = value(n.stem_output);
    const size_t row_bytes = s.in_size * s.in_channels * v;
    split(split_rows(s.in_size, plan_->threads()), [&](size_t begin, size_t end, size_t thread) {
      stem_rows(thread, begin, end - begin, stem + begin * row_bytes);
    });
  }
  RowWindow rows{nullptr, s.in_size * s.mid_channels * v, s.in_size};
  if (p.rows == StageRows::kWhole) {
    // The whole expansion first, its pixels split evenly across the threads.
    uint8_t* expanded = tensor(p.expanded_tensor);
    const uint8_t* input = value(s.input);
    split(split_pixels(s.in_size * s.in_size, plan_->threads()),
          [&](size_t begin, size_t end, size_t) {
            executor_->pointwise(s.expand, end - begin, input + begin * s.in_channels * v,
                                 expanded + begin * s.mid_channels * v, nullptr);
          });
    rows.base = expanded;
  } else if (p.rows == StageRows::kInput) {
    rows.base = value(s.input);
  }
  if (p.depthwise_tensor != kNone) {
    run_layers(index, rows);
  } else if (p.pixel_split) {
    run_pixel_split(index, rows);
  } else {
    split(split_rows(s.out_size, plan_->threads()), [&](size_t begin, size_t end, size_t thread) {
      run_rows(index, thread, begin, end);
    });
  }
}

// The head conv: one 1x1 conv, its pixels split across the threads.
void Scheduler::run_pointwise_stage(size_t index) {
  const Stage& s = network_->stages[index];
  const uint8_t* input = value(s.input);
  uint8_t* output = value(s.output);
  split(split_pixels(s.out_size * s.out_size, plan_->threads()),
        [&](size_t begin, size_t end, size_t) {
          executor_->pointwise(s.project, end - begin, input + begin * s.in_channels * value_bytes_,
                               output + begin * s.out_channels * value_bytes_, nullptr);
        });
}

// Output rows [out_begin, out_end) of a fused stage on one thread, a tile at a time.
void Scheduler::run_rows(size_t index, size_t thread, size_t out_begin, size_t out_end) {
  const Stage& s = network_->stages[index];
  const StagePlan& p = plan_->stage(index);
  const size_t row_bytes = s.in_size * s.mid_channels * value_bytes_;
  uint8_t* scratch = scratch_.data() + thread * plan_->scratch_bytes();
  const ptrdiff_t stride = static_cast<ptrdiff_t>(s.stride), pad = static_cast<ptrdiff_t>(s.pad);
  const bool ring = p.rows == StageRows::kExpandRing || p.rows == StageRows::kStemRing;
  RowWindow rows{scratch, row_bytes, p.ring_rows};
  uint8_t* tile = scratch + p.ring_rows * row_bytes;
  size_t produced = static_cast<size_t>(std::max<ptrdiff_t>(ptrdiff_t(out_begin) * stride - pad, 0));
  if (!ring) {
    // The rows exist whole (a whole expansion or the input): only read them.
    rows = {p.rows == StageRows::kWhole ? tensor(p.expanded_tensor) : value(s.input), row_bytes,
            s.in_size};
    tile = scratch;
    produced = s.in_size;
  }
  for (size_t oy = out_begin; oy < out_end; oy += p.tile_rows) {
    const size_t end = std::min(out_end, oy + p.tile_rows);
    const size_t rows_end =
        std::min<size_t>(s.in_size, static_cast<size_t>(ptrdiff_t(end - 1) * stride - pad + 3));
    // Fill the ring up to rows_end, in runs of contiguous slots.
    while (produced < rows_end) {
      const size_t slot = produced % rows.capacity;
      const size_t count = std::min(rows_end - produced, rows.capacity - slot);
      produce_expanded(index, thread, produced, count, scratch + slot * row_bytes);
      produced += count;
    }
    executor_->depthwise(s, rows, oy, end, tile, thread);
    project(index, oy * s.out_size, (end - oy) * s.out_size, tile);
  }
}

// See StagePlan::pixel_split: the depthwise rows in bands into all threads' scratch at once,
// then the project GEMM split by pixels.
void Scheduler::run_pixel_split(size_t index, const RowWindow& rows) {
  const Stage& s = network_->stages[index];
  uint8_t* depthwise = scratch_.data();
  const size_t row_bytes = s.out_size * s.mid_channels * value_bytes_;
  split(split_rows(s.out_size, plan_->threads()), [&](size_t begin, size_t end, size_t thread) {
    executor_->depthwise(s, rows, begin, end, depthwise + begin * row_bytes, thread);
  });
  split(split_pixels(s.out_size * s.out_size, plan_->threads()),
        [&](size_t begin, size_t end, size_t) {
          project(index, begin, end - begin, depthwise + begin * s.mid_channels * value_bytes_);
        });
}

// Layer by layer: the whole depthwise output, then the whole projection.
void Scheduler::run_layers(size_t index, const RowWindow& rows) {
  const Stage& s = network_->stages[index];
  uint8_t* depthwise = tensor(plan_->stage(index).depthwise_tensor);
  executor_->depthwise(s, rows, 0, s.out_size, depthwise, 0);
  project(index, 0, s.out_size * s.out_size, depthwise);
}

}  // namespace mnv2
