// Timing for the micro-benchmarks (kernel-bench.cc, q8-kernel-bench.cc, engine-bench.cc):
// a millisecond clock, and the best of several runs once V8 has tiered the code up.
#pragma once

#include <algorithm>
#include <chrono>

inline double now_ms() {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// best(fn): runs `fn` for warm_ms (so the engine optimizes it), then returns its fastest of
// `runs` runs in ms. Each benchmark picks its own defaults; best(fn, warm_ms, runs) overrides.
struct BestOfRuns {
  double warm_ms;
  int runs;

  template <typename F>
  double operator()(F&& fn) const {
    return (*this)(fn, warm_ms, runs);
  }

  template <typename F>
  double operator()(F&& fn, double warm, int count) const {
    const double end = now_ms() + warm;
    while (now_ms() < end) fn();
    double best = 1e30;
    for (int i = 0; i < count; ++i) {
      const double start = now_ms();
      fn();
      best = std::min(best, now_ms() - start);
    }
    return best;
  }
};
