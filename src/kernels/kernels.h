// Kernel contracts of the engine: float32, NHWC, channels innermost.
//
// Every kernel exists twice with the same signature: `<name>__ref` (plain loops, the
// readable definition) and `<name>__wasmsimd` (SIMD128 through wasm_simd128.h, or SIMDe's
// simde/wasm/simd128.h in native builds). kernels.def lists them once; the tests, the
// benchmark and the selection table (select.cc) are all driven from that list.
//
// Weights are packed once at load time by the pack functions below; both twins of a family
// read the same packed layout, so a test packs once and runs both.
#pragma once

#include <cstddef>
#include <cstdint>

namespace mnv2 {

// Output-channel block of packed GEMM / stem-conv weights: one register tile is 8 wide.
constexpr size_t kGemmChannelBlock = 8;
// Channel padding of packed depthwise weights: one f32x4 vector.
constexpr size_t kDwChannelBlock = 4;

inline size_t round_up(size_t value, size_t multiple) {
  return (value + multiple - 1) / multiple * multiple;
}

// ---- Packing (shared by both twins) -----------------------------------------------------

// GEMM / pointwise 1x1 conv / fully connected.
// weights: [n][k] (output channel major, as TFLite's OHWI with H=W=1), bias: [n].
// packed: for each block of 8 output channels: bias[8], then k rows of w[8] (zero padded
// past n). Size in floats: gemm_packed_size(k, n).
size_t gemm_packed_size(size_t k, size_t n);
void gemm_pack(size_t k, size_t n, const float* weights, const float* bias, float* packed);

// Depthwise 3x3: weights [3][3][c] (TFLite's 1HWC), bias [c].
// packed: bias[cp], then 9 taps (ky*3+kx) of w[cp], cp = round_up(c, 4), zero padded.
size_t dwconv3x3_packed_size(size_t channels);
void dwconv3x3_pack(size_t channels, const float* weights, const float* bias, float* packed);

// Stem conv 3x3 with 3 input channels: weights [n][3][3][3] (OHWI), bias [n].
// packed: for each block of 8 output channels: bias[8], then 27 taps ((ky*3+kx)*3+ci) of w[8].
size_t conv3x3c3_packed_size(size_t n);
void conv3x3c3_pack(size_t n, const float* weights, const float* bias, float* packed);

// ---- Kernel signatures (function types; kernels.def declares the functions) -------------

// Stem: 3x3 conv, stride 2, 3 input channels -> out_c channels, fused bias + clamp.
// input: [in_h][in_w][3]. Computes output rows [out_row_begin, out_row_end) of an output of
// width out_w; output points at row out_row_begin ([rows][out_w][out_c]).
// Input pixels outside [0, in_h) x [0, in_w) (after subtracting pad_top / pad_left) are zero.
using conv3x3s2c3_fn = void(const float* input, size_t in_h, size_t in_w, size_t pad_top,
                            size_t pad_left, const float* packed, size_t out_c, float* output,
                            size_t out_w, size_t out_row_begin, size_t out_row_end, float min,
                            float max);

// Depthwise 3x3, stride 1 or 2 (one kernel each), fused bias + clamp.
// input_rows[iy] points at input row iy ([in_w][channels]) for iy in [0, in_h); the kernel
// only reads the rows the requested output rows need, so a caller streaming row tiles may
// leave the others null. Computes output rows [out_row_begin, out_row_end) of width out_w;
// output points at row out_row_begin. Taps outside the input (after padding) read zero.
using dwconv3x3_fn = void(const float* const* input_rows, size_t in_h, size_t in_w,
                          size_t channels, size_t pad_top, size_t pad_left, const float* packed,
                          float* output, size_t out_w, size_t out_row_begin,
                          size_t out_row_end, float min, float max);

// GEMM with packed weights: c[m][n] = clamp(a[m][k] . w + bias, min, max) (+ residual[m][n]).
// Strides are in floats. residual may be null; when given it is added after the clamp (the
// linear bottleneck has min/max = -inf/+inf, so the order only matters for ReLU6 layers).
using gemm_fn = void(size_t m, size_t k, size_t n, const float* a, size_t a_stride,
                     const float* packed, float* c, size_t c_stride, const float* residual,
                     size_t residual_stride, float min, float max);

// Fully connected (one row): output[n] = clamp(input[k] . w + bias), gemm-packed weights.
using fc_fn = void(size_t k, size_t n, const float* input, const float* packed, float* output,
                   float min, float max);

// Global average pool: output[c] = mean over pixels of input[p][c].
using global_avgpool_fn = void(const float* input, size_t pixels, size_t channels,
                               float* output);

// Numerically stable softmax over n values (output may alias input).
using softmax_fn = void(const float* input, size_t n, float* output);

// ---- Declarations of every listed kernel ------------------------------------------------
#define MNV2_KERNEL(name, type) \
  type name##__ref;             \
  type name##__wasmsimd;
#include "kernels.def"
#undef MNV2_KERNEL
#define MNV2_RELAXED_KERNEL(name, type) type name##__wasmrelaxedsimd;
#include "kernels-relaxed.def"
#undef MNV2_RELAXED_KERNEL

// The single place that picks an implementation for the engine.
struct KernelTable {
#define MNV2_KERNEL(name, type) type* name;
#include "kernels.def"
#undef MNV2_KERNEL
};

const KernelTable& reference_kernels();
const KernelTable& simd_kernels();
// simd_kernels() with the relaxed-SIMD twins of kernels-relaxed.def; only for use once
// relaxed_kernels_installed() (kernels/relaxed/microkernels.h).
const KernelTable& relaxed_simd_kernels();

}  // namespace mnv2
