// The multiply-add peak micro-benchmarks, float (f32-peak-mul-add-wasmsimd.cc) and int8
// (qs8-peak-dot-add-wasmsimd.cc), and their relaxed-SIMD counterparts: the caller times one
// with `passes` passes and divides passes * macs_per_pass by the time.
#pragma once

#include <cstddef>
#include <cstdint>

namespace mnv2 {

// Multiply-adds one pass performs.
size_t f32_peak_mul_add_macs_per_pass();
// Runs `passes` passes; the result only exists so the work cannot be optimized away.
float f32_peak_mul_add__wasmsimd(size_t passes);

size_t qs8_peak_dot_add_macs_per_pass();
int32_t qs8_peak_dot_add__wasmsimd(size_t passes);

// The relaxed-SIMD peaks (relaxed-peaks.cc): the relaxed kernel module's GEMM micro-kernels
// themselves, for models running on them. Need relaxed_kernels_installed() (else they do
// nothing and return NaN / 0); the int8 one measures what its kernel computes exactly only
// where q8_usdot_exact().
size_t f32_peak_relaxed_madd_macs_per_pass();
float f32_peak_relaxed_madd(size_t passes);
size_t qs8_peak_relaxed_usdot_macs_per_pass();
int32_t qs8_peak_relaxed_usdot(size_t passes);

}  // namespace mnv2
