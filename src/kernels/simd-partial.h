// Loads and stores of the first `count` floats of a vector (count 0..4), for channel tails:
// tensors are packed tight, so a full 16-byte access past the last channel would touch the
// next pixel's data, or run past the end of the buffer.
#pragma once

#include <cstddef>

#include "kernels/simd.h"

namespace mnv2 {

inline v128_t load_f32_partial(const float* p, size_t count) {
  switch (count) {
    case 1:
      return wasm_v128_load32_zero(p);
    case 2:
      return wasm_v128_load64_zero(p);
    case 3:
      return wasm_v128_load32_lane(p + 2, wasm_v128_load64_zero(p), 2);
    case 4:
      return wasm_v128_load(p);
    default:
      return wasm_f32x4_splat(0.0f);
  }
}

inline void store_f32_partial(float* p, v128_t v, size_t count) {
  switch (count) {
    case 1:
      wasm_v128_store32_lane(p, v, 0);
      break;
    case 2:
      wasm_v128_store64_lane(p, v, 0);
      break;
    case 3:
      wasm_v128_store64_lane(p, v, 0);
      wasm_v128_store32_lane(p + 2, v, 2);
      break;
    case 4:
      wasm_v128_store(p, v);
      break;
    default:
      break;
  }
}

// Stores the first `count` (0..8) floats of the 8-wide tile lo:hi.
inline void store_f32x8_partial(float* p, v128_t lo, v128_t hi, size_t count) {
  if (count >= 4) {
    wasm_v128_store(p, lo);
    store_f32_partial(p + 4, hi, count - 4);
  } else {
    store_f32_partial(p, lo, count);
  }
}

}  // namespace mnv2
