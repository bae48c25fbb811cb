// A static memory plan: every activation tensor of a network gets an offset in one arena,
// chosen once at load time from the tensors' lifetimes, so tensors that are never alive at the
// same step share memory and inference allocates nothing.
//
// Lifetimes are recorded by simulating the schedule: add() a tensor when a step produces it,
// use() it at every step that reads it. solve() then places tensors largest first at the
// lowest offset that does not overlap a placed tensor whose lifetime intersects its own (the
// greedy "by size" strategy TFLite's arena planner also uses).
#pragma once

#include <cstddef>
#include <vector>

namespace mnv2 {

class MemoryPlan {
 public:
  // Returns the tensor's id. bytes are rounded up to the arena alignment.
  size_t add(size_t bytes, size_t step);
  void use(size_t id, size_t step);
  // Keeps a tensor alive past the last step (outputs read after the run).
  void keep_until_end(size_t id);

  void solve();
  size_t offset(size_t id) const { return tensors_[id].offset; }
  size_t bytes(size_t id) const { return tensors_[id].bytes; }
  size_t arena_bytes() const { return arena_bytes_; }
  size_t tensor_count() const { return tensors_.size(); }
  // The bytes of all tensors alive at a step (what a layer-by-layer runtime holds then).
  size_t live_bytes(size_t step) const;

  static constexpr size_t kAlignment = 64;

 private:
  struct Tensor {
    size_t bytes, first, last, offset;
  };
  std::vector<Tensor> tensors_;
  size_t last_step_ = 0;
  size_t arena_bytes_ = 0;
};

}  // namespace mnv2
