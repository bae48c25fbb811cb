// Stem convolution (3x3, stride 2, 3 input channels) as an implicit GEMM: K = 27 taps,
// register tile of 4 output pixels x 8 output channels (8 accumulators, like the GEMM's 4x8).
// Within one input row the 3 taps of kx times 3 channels are 9 contiguous floats, so a tap is
// a broadcast load at a fixed offset from the pixel. Pixels touching the padding, rows with a
// missing input row and the leftover pixels of a row use a one-pixel path that checks every
// tap. Taps are added in (ky, kx, ci) order like the reference.
#include <algorithm>
#include <cstddef>

#include "kernels/kernels.h"
#include "kernels/simd-partial.h"
#include "kernels/simd.h"

namespace mnv2 {
namespace {

constexpr ptrdiff_t kStride = 2;
constexpr size_t kInC = 3;
constexpr size_t kTaps = 27;
constexpr size_t kBlockFloats = kGemmChannelBlock * (1 + kTaps);
constexpr size_t kTilePixels = 4;

inline v128_t clamp(v128_t v, v128_t vmin, v128_t vmax) {
  return wasm_f32x4_pmin(wasm_f32x4_pmax(v, vmin), vmax);
}

inline void store8(float* o, v128_t lo, v128_t hi, size_t nr) {
  if (nr == kGemmChannelBlock) {
    wasm_v128_store(o, lo);
    wasm_v128_store(o + 4, hi);
  } else {
    store_f32x8_partial(o, lo, hi, nr);
  }
}

// 4 interior pixels (all 27 taps inside the input) x one block of 8 output channels.
// `in` points at the top-left tap of the first pixel.
inline void tile_4x8(const float* in, size_t row_stride, const float* w, float* o, size_t out_c,
                     size_t nr, v128_t vmin, v128_t vmax) {
  constexpr size_t kPixelStep = size_t(kStride) * kInC;
  v128_t acc0lo = wasm_v128_load(w), acc0hi = wasm_v128_load(w + 4);
  v128_t acc1lo = acc0lo, acc1hi = acc0hi;
  v128_t acc2lo = acc0lo, acc2hi = acc0hi;
  v128_t acc3lo = acc0lo, acc3hi = acc0hi;
  w += kGemmChannelBlock;
  for (size_t ky = 0; ky < 3; ky++, in += row_stride) {
    for (size_t t = 0; t < 3 * kInC; t++) {
      const v128_t wlo = wasm_v128_load(w);
      const v128_t whi = wasm_v128_load(w + 4);
      w += kGemmChannelBlock;
      const v128_t x0 = wasm_v128_load32_splat(in + t);
      acc0lo = wasm_f32x4_add(acc0lo, wasm_f32x4_mul(x0, wlo));
      acc0hi = wasm_f32x4_add(acc0hi, wasm_f32x4_mul(x0, whi));
      const v128_t x1 = wasm_v128_load32_splat(in + kPixelStep + t);
      acc1lo = wasm_f32x4_add(acc1lo, wasm_f32x4_mul(x1, wlo));
      acc1hi = wasm_f32x4_add(acc1hi, wasm_f32x4_mul(x1, whi));
      const v128_t x2 = wasm_v128_load32_splat(in + 2 * kPixelStep + t);
      acc2lo = wasm_f32x4_add(acc2lo, wasm_f32x4_mul(x2, wlo));
      acc2hi = wasm_f32x4_add(acc2hi, wasm_f32x4_mul(x2, whi));
      const v128_t x3 = wasm_v128_load32_splat(in + 3 * kPixelStep + t);
      acc3lo = wasm_f32x4_add(acc3lo, wasm_f32x4_mul(x3, wlo));
      acc3hi = wasm_f32x4_add(acc3hi, wasm_f32x4_mul(x3, whi));
    }
  }
  store8(o, clamp(acc0lo, vmin, vmax), clamp(acc0hi, vmin, vmax), nr);
  store8(o + out_c, clamp(acc1lo, vmin, vmax), clamp(acc1hi, vmin, vmax), nr);
  store8(o + 2 * out_c, clamp(acc2lo, vmin, vmax), clamp(acc2hi, vmin, vmax), nr);
  store8(o + 3 * out_c, clamp(acc3lo, vmin, vmax), clamp(acc3hi, vmin, vmax), nr);
}

// One pixel x one block of 8 output channels, every tap checked: rows [ky0, ky1) only, input
// top-left tap at (iy0, ix0), possibly outside the image.
inline void pixel_checked(const float* input, size_t in_w, ptrdiff_t iy0, size_t ky0, size_t ky1,
                          ptrdiff_t ix0, const float* w, float* o, size_t nr, v128_t vmin,
                          v128_t vmax) {
  const size_t kx0 = size_t(std::max<ptrdiff_t>(0, -ix0));
  const size_t kx1 = size_t(std::clamp<ptrdiff_t>(ptrdiff_t(in_w) - ix0, 0, 3));
  v128_t acclo = wasm_v128_load(w), acchi = wasm_v128_load(w + 4);
  for (size_t ky = ky0; ky < ky1; ky++) {
    for (size_t kx = kx0; kx < kx1; kx++) {
      const float* pixel =
          input + (size_t(iy0 + ptrdiff_t(ky)) * in_w + size_t(ix0 + ptrdiff_t(kx))) * kInC;
      const float* wt = w + (1 + (ky * 3 + kx) * kInC) * kGemmChannelBlock;
      for (size_t ci = 0; ci < kInC; ci++, wt += kGemmChannelBlock) {
        const v128_t x = wasm_v128_load32_splat(pixel + ci);
        acclo = wasm_f32x4_add(acclo, wasm_f32x4_mul(x, wasm_v128_load(wt)));
        acchi = wasm_f32x4_add(acchi, wasm_f32x4_mul(x, wasm_v128_load(wt + 4)));
      }
    }
  }
  store8(o, clamp(acclo, vmin, vmax), clamp(acchi, vmin, vmax), nr);
}

}  // namespace

void f32_conv3x3s2c3_minmax__wasmsimd(const float* input, size_t in_h, size_t in_w, size_t pad_top,
                                      size_t pad_left, const float* packed, size_t out_c,
                                      float* output, size_t out_w, size_t out_row_begin,
                                      size_t out_row_end, float min, float max) {
  const v128_t vmin = wasm_f32x4_splat(min);
  const v128_t vmax = wasm_f32x4_splat(max);
  const ptrdiff_t pad_l = ptrdiff_t(pad_left);
  const size_t row_stride = in_w * kInC;

  // Output columns [ox_lo, ox_hi) read only columns inside the input.
  const size_t ox_lo = std::min(out_w, size_t((pad_l + kStride - 1) / kStride));
  const ptrdiff_t last_full = ptrdiff_t(in_w) - 3 + pad_l;  // ox * stride must not exceed it
  const size_t ox_hi =
      last_full < 0 ? ox_lo : std::clamp(size_t(last_full / kStride + 1), ox_lo, out_w);

  for (size_t oy = out_row_begin; oy < out_row_end; oy++) {
    const ptrdiff_t iy0 = ptrdiff_t(oy) * kStride - ptrdiff_t(pad_top);
    const size_t ky0 = size_t(std::clamp<ptrdiff_t>(-iy0, 0, 3));
    const size_t ky1 = std::max(ky0, size_t(std::clamp<ptrdiff_t>(ptrdiff_t(in_h) - iy0, 0, 3)));
    const bool all_rows = ky0 == 0 && ky1 == 3;

    size_t ox = 0;
    while (ox < out_w) {
      const ptrdiff_t ix0 = ptrdiff_t(ox) * kStride - pad_l;
      if (all_rows && ox >= ox_lo && ox + kTilePixels <= ox_hi) {
        const float* in = input + size_t(iy0) * row_stride + size_t(ix0) * kInC;
        const float* w = packed;
        for (size_t j = 0; j < out_c; j += kGemmChannelBlock, w += kBlockFloats) {
          tile_4x8(in, row_stride, w, output + ox * out_c + j, out_c,
                   std::min(kGemmChannelBlock, out_c - j), vmin, vmax);
        }
        ox += kTilePixels;
      } else {
        const float* w = packed;
        for (size_t j = 0; j < out_c; j += kGemmChannelBlock, w += kBlockFloats) {
          pixel_checked(input, in_w, iy0, ky0, ky1, ix0, w, output + ox * out_c + j,
                        std::min(kGemmChannelBlock, out_c - j), vmin, vmax);
        }
        ox += 1;
      }
    }
    output += out_w * out_c;
  }
}

}  // namespace mnv2
