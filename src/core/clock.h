// Wall-clock milliseconds for the per-layer profile (summary() rows' times).
#pragma once

#include <chrono>

namespace mnv2 {

inline double now_ms() {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace mnv2
