// The SIMD128 multiply+add peak micro-benchmark (f32-peak-mul-add-wasmsimd.cc): the caller
// times f32_peak_mul_add__wasmsimd(passes) and divides passes * macs_per_pass by the time.
#pragma once

#include <cstddef>

namespace mnv2 {

// Multiply-adds one pass performs.
size_t f32_peak_mul_add_macs_per_pass();
// Runs `passes` passes; the result only exists so the work cannot be optimized away.
float f32_peak_mul_add__wasmsimd(size_t passes);

}  // namespace mnv2
