// Depthwise 3x3, stride 2, channels in SIMD lanes. Per output row and per group of 4
// channels the bias and the 9 taps are loaded into registers once, then the kernel walks the
// row. The padding cases MobileNetV2 produces (a missing top or bottom input row, a missing
// left or right column at the row ends) are compiled as separate variants that simply leave
// the missing taps out, so they run at the speed of the interior; anything else (tiny images,
// the last group when channels % 4 != 0) takes a slower path that checks every tap and loads
// only the valid lanes. Taps are added in (ky, kx) order, skipping missing ones, exactly like
// the reference.
#include <algorithm>
#include <cstddef>

#include "kernels/kernels.h"
#include "kernels/simd-partial.h"
#include "kernels/simd.h"

namespace mnv2 {
namespace {

constexpr ptrdiff_t kStride = 2;

inline v128_t clamp(v128_t v, v128_t vmin, v128_t vmax) {
  return wasm_f32x4_pmin(wasm_f32x4_pmax(v, vmin), vmax);
}

inline v128_t mul_add(v128_t acc, const float* in, v128_t w) {
  return wasm_f32x4_add(acc, wasm_f32x4_mul(wasm_v128_load(in), w));
}

struct Taps {
  v128_t bias, k00, k01, k02, k10, k11, k12, k20, k21, k22;
};

// Columns [kX0, kX1) of one input row; `in` points at column kX0 of the pixel's window.
template <size_t kX0, size_t kX1>
inline v128_t add_row(v128_t acc, const float* in, size_t channels, v128_t ka, v128_t kb,
                      v128_t kc) {
  if constexpr (kX0 <= 0 && 0 < kX1) acc = mul_add(acc, in + (0 - kX0) * channels, ka);
  if constexpr (kX0 <= 1 && 1 < kX1) acc = mul_add(acc, in + (1 - kX0) * channels, kb);
  if constexpr (kX0 <= 2 && 2 < kX1) acc = mul_add(acc, in + (2 - kX0) * channels, kc);
  return acc;
}

// One pixel of a full group; the middle input row always exists, the top and bottom ones
// when kTop / kBottom (otherwise their pointers are not touched).
template <bool kTop, bool kBottom, size_t kX0, size_t kX1>
inline v128_t pixel(const Taps& t, const float* i0, const float* i1, const float* i2,
                    size_t channels) {
  v128_t acc = t.bias;
  if constexpr (kTop) acc = add_row<kX0, kX1>(acc, i0, channels, t.k00, t.k01, t.k02);
  acc = add_row<kX0, kX1>(acc, i1, channels, t.k10, t.k11, t.k12);
  if constexpr (kBottom) acc = add_row<kX0, kX1>(acc, i2, channels, t.k20, t.k21, t.k22);
  return acc;
}

// Any pixel of `cr` (1..4) channels with every tap checked. rows[ky] points at the group's
// first channel in input row ky (null outside [ky0, ky1)); w at the group's bias.
inline v128_t pixel_checked(const float* const rows[3], size_t ky0, size_t ky1, ptrdiff_t ix0,
                            size_t in_w, size_t channels, const float* w, size_t cp, size_t cr) {
  const size_t kx0 = size_t(std::max<ptrdiff_t>(0, -ix0));
  const size_t kx1 = size_t(std::clamp<ptrdiff_t>(ptrdiff_t(in_w) - ix0, 0, 3));
  v128_t acc = wasm_v128_load(w);
  for (size_t ky = ky0; ky < ky1; ky++) {
    for (size_t kx = kx0; kx < kx1; kx++) {
      const v128_t x = load_f32_partial(rows[ky] + size_t(ix0 + ptrdiff_t(kx)) * channels, cr);
      acc = wasm_f32x4_add(acc, wasm_f32x4_mul(x, wasm_v128_load(w + (1 + ky * 3 + kx) * cp)));
    }
  }
  return acc;
}

// The geometry of one output row shared by all its channel groups.
struct Row {
  const float* rows[3];  // at channel 0 of input rows iy0 + ky; null when missing
  size_t ky0, ky1;       // present rows
  size_t in_w, channels, cp, out_w;
  ptrdiff_t pad_left;
  size_t ox_lo, ox_hi;  // output columns whose window lies inside the input
};

// Output row for one full group of 4 channels at channel c, middle input row present.
template <bool kTop, bool kBottom>
void row_full_group(const Row& r, const float* w, size_t c, float* o, v128_t vmin, v128_t vmax) {
  const size_t channels = r.channels, cp = r.cp;
  const Taps t = {wasm_v128_load(w),          wasm_v128_load(w + 1 * cp),
                  wasm_v128_load(w + 2 * cp), wasm_v128_load(w + 3 * cp),
                  wasm_v128_load(w + 4 * cp), wasm_v128_load(w + 5 * cp),
                  wasm_v128_load(w + 6 * cp), wasm_v128_load(w + 7 * cp),
                  wasm_v128_load(w + 8 * cp), wasm_v128_load(w + 9 * cp)};
  const float* rows[3] = {kTop ? r.rows[0] + c : nullptr, r.rows[1] + c,
                          kBottom ? r.rows[2] + c : nullptr};
  // Pointers at column x of each present row.
  auto at = [&](size_t ky, size_t x) {
    return rows[ky] != nullptr ? rows[ky] + x * channels : nullptr;
  };

  for (size_t ox = 0; ox < r.ox_lo; ox++, o += channels) {
    const ptrdiff_t ix0 = ptrdiff_t(ox) * kStride - r.pad_left;
    v128_t acc;
    if (ix0 == -1 && r.in_w >= 2) {
      acc = pixel<kTop, kBottom, 1, 3>(t, at(0, 0), at(1, 0), at(2, 0), channels);
    } else {
      acc = pixel_checked(rows, r.ky0, r.ky1, ix0, r.in_w, channels, w, cp, 4);
    }
    wasm_v128_store(o, clamp(acc, vmin, vmax));
  }

  if (r.ox_hi > r.ox_lo) {
    const size_t x = size_t(ptrdiff_t(r.ox_lo) * kStride - r.pad_left);
    const float* i0 = at(0, x);
    const float* i1 = at(1, x);
    const float* i2 = at(2, x);
    const size_t step = size_t(kStride) * channels;
    // A local count: the loop's stores could alias `r`, so r.ox_hi would be reloaded each pixel.
    for (size_t n = r.ox_hi - r.ox_lo; n != 0; n--, o += channels) {
      wasm_v128_store(o, clamp(pixel<kTop, kBottom, 0, 3>(t, i0, i1, i2, channels), vmin, vmax));
      if constexpr (kTop) i0 += step;
      i1 += step;
      if constexpr (kBottom) i2 += step;
    }
  }

  for (size_t ox = std::max(r.ox_lo, r.ox_hi); ox < r.out_w; ox++, o += channels) {
    const ptrdiff_t ix0 = ptrdiff_t(ox) * kStride - r.pad_left;
    v128_t acc;
    if (ix0 >= 0 && ix0 + 2 == ptrdiff_t(r.in_w)) {
      const size_t x = size_t(ix0);
      acc = pixel<kTop, kBottom, 0, 2>(t, at(0, x), at(1, x), at(2, x), channels);
    } else {
      acc = pixel_checked(rows, r.ky0, r.ky1, ix0, r.in_w, channels, w, cp, 4);
    }
    wasm_v128_store(o, clamp(acc, vmin, vmax));
  }
}

// Output row for the group at channel c with cr channels, every tap checked.
void row_checked(const Row& r, const float* w, size_t c, size_t cr, float* o, v128_t vmin,
                 v128_t vmax) {
  const float* rows[3] = {nullptr, nullptr, nullptr};
  for (size_t ky = r.ky0; ky < r.ky1; ky++) rows[ky] = r.rows[ky] + c;
  for (size_t ox = 0; ox < r.out_w; ox++, o += r.channels) {
    const v128_t acc = pixel_checked(rows, r.ky0, r.ky1, ptrdiff_t(ox) * kStride - r.pad_left,
                                     r.in_w, r.channels, w, r.cp, cr);
    store_f32_partial(o, clamp(acc, vmin, vmax), cr);
  }
}

}  // namespace

void f32_dwconv3x3s2_minmax__wasmsimd(const float* const* input_rows, size_t in_h, size_t in_w,
                                      size_t channels, size_t pad_top, size_t pad_left,
                                      const float* packed, float* output, size_t out_w,
                                      size_t out_row_begin, size_t out_row_end, float min,
                                      float max) {
  const v128_t vmin = wasm_f32x4_splat(min);
  const v128_t vmax = wasm_f32x4_splat(max);
  Row r;
  r.in_w = in_w;
  r.channels = channels;
  r.cp = round_up(channels, kDwChannelBlock);
  r.out_w = out_w;
  r.pad_left = ptrdiff_t(pad_left);
  r.ox_lo = std::min(out_w, size_t((r.pad_left + kStride - 1) / kStride));
  const ptrdiff_t last_full = ptrdiff_t(in_w) - 3 + r.pad_left;  // ox * stride must not exceed
  r.ox_hi = last_full < 0 ? r.ox_lo : std::clamp(size_t(last_full / kStride + 1), r.ox_lo, out_w);

  for (size_t oy = out_row_begin; oy < out_row_end; oy++) {
    const ptrdiff_t iy0 = ptrdiff_t(oy) * kStride - ptrdiff_t(pad_top);
    r.ky0 = size_t(std::clamp<ptrdiff_t>(-iy0, 0, 3));
    r.ky1 = std::max(r.ky0, size_t(std::clamp<ptrdiff_t>(ptrdiff_t(in_h) - iy0, 0, 3)));
    for (size_t ky = 0; ky < 3; ky++) {
      r.rows[ky] = ky >= r.ky0 && ky < r.ky1 ? input_rows[size_t(iy0 + ptrdiff_t(ky))] : nullptr;
    }
    const bool middle = r.ky0 <= 1 && r.ky1 >= 2;
    const bool top = r.ky0 == 0, bottom = r.ky1 == 3;

    for (size_t c = 0; c < channels; c += kDwChannelBlock) {
      const size_t cr = std::min(kDwChannelBlock, channels - c);
      const float* w = packed + c;
      float* o = output + c;
      if (cr != kDwChannelBlock || !middle) {
        row_checked(r, w, c, cr, o, vmin, vmax);
      } else if (top && bottom) {
        row_full_group<true, true>(r, w, c, o, vmin, vmax);
      } else if (bottom) {
        row_full_group<false, true>(r, w, c, o, vmin, vmax);
      } else if (top) {
        row_full_group<true, false>(r, w, c, o, vmin, vmax);
      } else {
        row_full_group<false, false>(r, w, c, o, vmin, vmax);
      }
    }
    output += out_w * channels;
  }
}

}  // namespace mnv2
