#include "plan/memory-plan.h"

#include <algorithm>
#include <limits>
#include <numeric>

#include "kernels/kernels.h"

namespace mnv2 {

size_t MemoryPlan::add(size_t bytes, size_t step) {
  tensors_.push_back({round_up(std::max<size_t>(bytes, 1), kAlignment), step, step, 0});
  last_step_ = std::max(last_step_, step);
  return tensors_.size() - 1;
}

void MemoryPlan::use(size_t id, size_t step) {
  Tensor& tensor = tensors_.at(id);
  tensor.first = std::min(tensor.first, step);
  tensor.last = std::max(tensor.last, step);
  last_step_ = std::max(last_step_, step);
}

void MemoryPlan::keep_until_end(size_t id) {
  tensors_.at(id).last = std::numeric_limits<size_t>::max();
}

size_t MemoryPlan::live_bytes(size_t step) const {
  size_t total = 0;
  for (const Tensor& tensor : tensors_) {
    if (tensor.first <= step && step <= tensor.last) total += tensor.bytes;
  }
  return total;
}

void MemoryPlan::solve() {
  std::vector<size_t> order(tensors_.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [this](size_t a, size_t b) { return tensors_[a].bytes > tensors_[b].bytes; });
  std::vector<size_t> placed;
  arena_bytes_ = 0;
  for (size_t id : order) {
    Tensor& tensor = tensors_[id];
    // Address ranges of placed tensors alive at the same time, by offset.
    std::vector<std::pair<size_t, size_t>> busy;
    for (size_t other : placed) {
      const Tensor& o = tensors_[other];
      if (o.first <= tensor.last && tensor.first <= o.last) busy.push_back({o.offset, o.offset + o.bytes});
    }
    std::sort(busy.begin(), busy.end());
    size_t offset = 0;
    for (const auto& [begin, end] : busy) {
      if (offset + tensor.bytes <= begin) break;
      offset = std::max(offset, end);
    }
    tensor.offset = offset;
    arena_bytes_ = std::max(arena_bytes_, offset + tensor.bytes);
    placed.push_back(id);
  }
}

}  // namespace mnv2
