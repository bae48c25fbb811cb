// Integer depthwise 3x3, SIMD128, shared by the stride-1 and stride-2 kernels: 8 channels per
// step. Inputs are loaded as 8 int8 sign-extended to int16 (i16x8.load8x8); two taps' inputs
// are interleaved (i16x8 shuffles V8 lowers to one unpack each) so that i32x4.dot_i16x8_s
// multiplies and adds both taps for 4 channels at once against the packed tap pairs
// (kernels-q8.h): 5 dots per 4 channels instead of 9 widening multiplies.
//
// Full groups of 8 channels use raw inputs with the input zero point folded into the packed
// interior bias: a padding tap then reads the input zero point itself (from a row of zero
// points, `padding_row`), whose raw product is exactly what the folded bias subtracts, so it
// contributes nothing, like in the definition; edge pixels thus cost the same as interior
// ones. A last group of fewer than 8 channels centres its inputs (q - zp, |x| <= 255, products
// within the dot's int32), gives the padding taps zero and loads only its channels. Integer
// sums are exact, so the twins agree bit for bit whatever the order.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#include "kernels/kernels.h"
#include "kernels/kernels-q8.h"
#include "kernels/q8/simd-requantize.h"
#include "kernels/simd.h"

namespace mnv2::q8 {

struct DwEpilogue : OutputRequantizer {
  const int32_t* arrays;  // the packed requantization arrays
  size_t cp;              // their length

  DwEpilogue(const int32_t* packed, const Q8Output& out, size_t channels_padded)
      : OutputRequantizer(packed, out), arrays(packed + kQ8HeaderWords), cp(channels_padded) {}
};

// Requantizes one pixel's 8 channels starting at channel c; stores cr of them. kMode is the
// layer's mode and kShift its common shift or kRuntimeShift (simd-requantize.h), template
// arguments so that the per-pixel epilogue has no branch and a constant shift count.
template <Q8RequantMode kMode, int kShift>
inline void dw_store(v128_t lo, v128_t hi, size_t c, size_t cr, int8_t* o, const DwEpilogue& e) {
  if constexpr (kMode == Q8RequantMode::kGeneric) {
    int8_t out[8];
    requantize_scalar(lo, e.arrays, e.cp, c, *e.output, out);
    requantize_scalar(hi, e.arrays, e.cp, c + 4, *e.output, out + 4);
    std::memcpy(o, out, cr);
  } else {
    const v128_t r0 = requantize_lanes<kMode, kShift>(lo, e.arrays, e.cp, c, e.requant);
    const v128_t r1 = requantize_lanes<kMode, kShift>(hi, e.arrays, e.cp, c + 4, e.requant);
    const v128_t half = narrow_add_zero_point(r0, r1, e.zero_point);
    const v128_t bytes =
        wasm_i8x16_min(wasm_i8x16_max(wasm_i8x16_narrow_i16x8(half, half), e.min), e.max);
    if (cr == 8) {
      wasm_v128_store64_lane(o, bytes, 0);
    } else {
      store_i8_partial(o, bytes, cr);
    }
  }
}

// acc += taps (2p, 2p+1) of 8 channels: x0, x1 the two taps' int16 inputs, w the pair's two
// weight vectors (channels 0-3, 4-7).
inline void dw_pair(v128_t& lo, v128_t& hi, v128_t x0, v128_t x1, const int32_t* w) {
  const v128_t first = wasm_i16x8_shuffle(x0, x1, 0, 8, 1, 9, 2, 10, 3, 11);
  const v128_t second = wasm_i16x8_shuffle(x0, x1, 4, 12, 5, 13, 6, 14, 7, 15);
  lo = wasm_i32x4_add(lo, wasm_i32x4_dot_i16x8(first, wasm_v128_load(w)));
  hi = wasm_i32x4_add(hi, wasm_i32x4_dot_i16x8(second, wasm_v128_load(w + 4)));
}

// All 9 taps; x[t] are the taps' inputs, w the group's 40 weight words.
inline void dw_taps(v128_t& lo, v128_t& hi, const v128_t x[9], const int32_t* w) {
  dw_pair(lo, hi, x[0], x[1], w);
  dw_pair(lo, hi, x[2], x[3], w + 8);
  dw_pair(lo, hi, x[4], x[5], w + 16);
  dw_pair(lo, hi, x[6], x[7], w + 24);
  dw_pair(lo, hi, x[8], x[8], w + 32);  // tap 9's weights are zero
}

// 8 centred inputs; a group of cr < 8 channels reads only cr bytes.
inline v128_t dw_load_centred(const int8_t* p, size_t cr, v128_t zero_point) {
  if (cr == 8) return wasm_i16x8_sub(wasm_i16x8_load8x8(p), zero_point);
  int8_t bytes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  std::memcpy(bytes, p, cr);
  return wasm_i16x8_sub(wasm_i16x8_load8x8(bytes), zero_point);
}

struct DwRow {
  const int8_t* rows[3];  // channel 0 of input rows oy * stride - pad_top + ky; null if missing
  const int8_t* raw[3];   // the same, missing rows replaced by the row of zero points
  const int8_t* padding;  // the row of zero points (in_w * channels bytes)
  size_t in_w, channels;
  ptrdiff_t pad_left;
  size_t ox_lo, ox_hi;    // output columns whose window lies inside the input
};

// Any pixel: centred inputs, padding taps zero.
template <Q8RequantMode kMode, int kShift>
inline void dw_pixel_checked(const DwRow& r, size_t stride, size_t ox, size_t c, size_t cr,
                             const int32_t* w, v128_t bias_lo, v128_t bias_hi,
                             v128_t zero_point, int8_t* o, const DwEpilogue& e) {
  const ptrdiff_t ix0 = ptrdiff_t(ox * stride) - r.pad_left;
  v128_t x[9];
  for (size_t ky = 0; ky < 3; ky++) {
    for (size_t kx = 0; kx < 3; kx++) {
      const ptrdiff_t ix = ix0 + ptrdiff_t(kx);
      const bool present = r.rows[ky] != nullptr && ix >= 0 && ix < ptrdiff_t(r.in_w);
      x[ky * 3 + kx] = present ? dw_load_centred(r.rows[ky] + size_t(ix) * r.channels + c, cr,
                                                 zero_point)
                               : wasm_i16x8_splat(0);
    }
  }
  v128_t lo = bias_lo, hi = bias_hi;
  dw_taps(lo, hi, x, w);
  dw_store<kMode, kShift>(lo, hi, c, cr, o, e);
}

// A full group's pixel outside [ox_lo, ox_hi): raw inputs, interior bias, missing columns
// read from the row of zero points.
template <Q8RequantMode kMode, int kShift>
inline void dw_pixel_raw(const DwRow& r, size_t stride, size_t ox, size_t c, const int32_t* w,
                         v128_t bias_lo, v128_t bias_hi, int8_t* o, const DwEpilogue& e) {
  const ptrdiff_t ix0 = ptrdiff_t(ox * stride) - r.pad_left;
  v128_t x[9];
  for (size_t ky = 0; ky < 3; ky++) {
    for (size_t kx = 0; kx < 3; kx++) {
      const ptrdiff_t ix = ix0 + ptrdiff_t(kx);
      const bool present = ix >= 0 && ix < ptrdiff_t(r.in_w);
      x[ky * 3 + kx] = wasm_i16x8_load8x8(present ? r.raw[ky] + size_t(ix) * r.channels + c
                                                  : r.padding + c);
    }
  }
  v128_t lo = bias_lo, hi = bias_hi;
  dw_taps(lo, hi, x, w);
  dw_store<kMode, kShift>(lo, hi, c, kQ8DwBlock, o, e);
}

// The pixels [ox_lo, ox_hi) of a full group (every column of their windows present): raw
// inputs, interior bias.
template <size_t kStride, Q8RequantMode kMode, int kShift>
inline void dw_interior(const DwRow& r, size_t c, const int32_t* w, v128_t bias_lo,
                        v128_t bias_hi, int8_t* o, const DwEpilogue& e) {
  const size_t C = r.channels;
  const size_t x = size_t(ptrdiff_t(r.ox_lo * kStride) - r.pad_left);
  const int8_t* i0 = r.raw[0] + x * C + c;
  const int8_t* i1 = r.raw[1] + x * C + c;
  const int8_t* i2 = r.raw[2] + x * C + c;
  for (size_t n = r.ox_hi - r.ox_lo; n != 0; n--, o += C) {
    const v128_t in[9] = {wasm_i16x8_load8x8(i0), wasm_i16x8_load8x8(i0 + C),
                          wasm_i16x8_load8x8(i0 + 2 * C), wasm_i16x8_load8x8(i1),
                          wasm_i16x8_load8x8(i1 + C), wasm_i16x8_load8x8(i1 + 2 * C),
                          wasm_i16x8_load8x8(i2), wasm_i16x8_load8x8(i2 + C),
                          wasm_i16x8_load8x8(i2 + 2 * C)};
    i0 += kStride * C, i1 += kStride * C, i2 += kStride * C;
    v128_t lo = bias_lo, hi = bias_hi;
    dw_taps(lo, hi, in, w);
    dw_store<kMode, kShift>(lo, hi, c, kQ8DwBlock, o, e);
  }
}

// A row of at least `bytes` input zero points standing in for padding, kept between calls (one
// allocation, shared by all instances below). The blocks' bands call the kernel many times
// per inference with the same layer, so it is refilled only when too short or when the
// zero point differs from the last call's.
inline const int8_t* dw_padding_row(size_t bytes, int8_t zero_point) {
  thread_local std::vector<int8_t> padding;
  if (padding.size() < bytes || padding[0] != zero_point) {
    padding.assign(std::max(bytes, padding.size()), zero_point);
  }
  return padding.data();
}

// Each (stride, mode, shift) instance is a function of its own (noinline), selected once per
// call by dwconv3x3_for below.
template <size_t kStride, Q8RequantMode kMode, int kShift>
__attribute__((noinline)) void dwconv3x3_rows(const int8_t* const* input_rows, size_t in_h,
                                              size_t in_w, size_t channels, size_t pad_top,
                                              size_t pad_left, const int32_t* packed,
                                              int8_t* output, size_t out_w, size_t out_row_begin,
                                              size_t out_row_end,
                                              const Q8Output& requant_output) {
  const size_t cp = round_up(channels, kQ8DwBlock);
  const DwEpilogue e(packed, requant_output, cp);
  const v128_t zero_point = wasm_i16x8_splat(static_cast<int16_t>(packed[2]));
  const int32_t* interior_bias = e.arrays + kQ8ArrayWords * cp;
  const int32_t* taps = interior_bias + cp;

  DwRow r;
  r.padding = dw_padding_row(std::max<size_t>(in_w * channels, kQ8DwBlock),
                             static_cast<int8_t>(packed[2]));
  r.in_w = in_w;
  r.channels = channels;
  r.pad_left = ptrdiff_t(pad_left);
  const ptrdiff_t S = ptrdiff_t(kStride);
  r.ox_lo = std::min(out_w, size_t((r.pad_left + S - 1) / S));
  const ptrdiff_t last_full = ptrdiff_t(in_w) - 3 + r.pad_left;  // ox * stride may not exceed it
  r.ox_hi = last_full < 0 ? r.ox_lo : std::clamp(size_t(last_full / S + 1), r.ox_lo, out_w);

  for (size_t oy = out_row_begin; oy < out_row_end; oy++) {
    const ptrdiff_t iy0 = ptrdiff_t(oy) * S - ptrdiff_t(pad_top);
    for (size_t ky = 0; ky < 3; ky++) {
      const ptrdiff_t iy = iy0 + ptrdiff_t(ky);
      const bool present = iy >= 0 && iy < ptrdiff_t(in_h);
      r.rows[ky] = present ? input_rows[size_t(iy)] : nullptr;
      r.raw[ky] = present ? input_rows[size_t(iy)] : r.padding;
    }
    for (size_t c = 0; c < channels; c += kQ8DwBlock) {
      const size_t cr = std::min(kQ8DwBlock, channels - c);
      const int32_t* w = taps + c / kQ8DwBlock * kQ8DwTapPairs * 8;
      int8_t* o = output + c;
      if (cr < kQ8DwBlock) {
        const v128_t bias_lo = wasm_v128_load(e.arrays + kQ8Bias * cp + c);
        const v128_t bias_hi = wasm_v128_load(e.arrays + kQ8Bias * cp + c + 4);
        for (size_t ox = 0; ox < out_w; ox++) {
          dw_pixel_checked<kMode, kShift>(r, kStride, ox, c, cr, w, bias_lo, bias_hi,
                                          zero_point, o + ox * channels, e);
        }
        continue;
      }
      const v128_t bias_lo = wasm_v128_load(interior_bias + c);
      const v128_t bias_hi = wasm_v128_load(interior_bias + c + 4);
      for (size_t ox = 0; ox < r.ox_lo; ox++) {
        dw_pixel_raw<kMode, kShift>(r, kStride, ox, c, w, bias_lo, bias_hi, o + ox * channels,
                                    e);
      }
      if (r.ox_hi > r.ox_lo) {
        dw_interior<kStride, kMode, kShift>(r, c, w, bias_lo, bias_hi, o + r.ox_lo * channels, e);
      }
      for (size_t ox = r.ox_hi; ox < out_w; ox++) {
        dw_pixel_raw<kMode, kShift>(r, kStride, ox, c, w, bias_lo, bias_hi, o + ox * channels,
                                    e);
      }
    }
    output += out_w * channels;
  }
}

using DwconvFn = void(const int8_t* const* input_rows, size_t in_h, size_t in_w,
                      size_t channels, size_t pad_top, size_t pad_left, const int32_t* packed,
                      int8_t* output, size_t out_w, size_t out_row_begin, size_t out_row_end,
                      const Q8Output& requant_output);

// The common shifts E compiled as constants, per mode: those of the two shipped classifiers'
// depthwise layers (mobilenet_v2_1.0_224: kUniform 1-6; tf2_mobilenet_v2_1.0_224_ptq:
// kPerChannelBounded 8-10). Other shifts take the run-time-shift instance, which computes the
// same.
using DwUniformShifts = std::integer_sequence<int, 1, 2, 3, 4, 5, 6>;
using DwPerChannelBoundedShifts = std::integer_sequence<int, 8, 9, 10>;

template <size_t kStride, Q8RequantMode kMode, int... kShifts>
DwconvFn* dwconv3x3_for(int32_t shift, std::integer_sequence<int, kShifts...>) {
  DwconvFn* fn = dwconv3x3_rows<kStride, kMode, kRuntimeShift>;
  ((fn = shift == kShifts ? dwconv3x3_rows<kStride, kMode, kShifts> : fn), ...);
  return fn;
}

// The instance for a packed layer's header (mode, common shift).
template <size_t kStride>
DwconvFn* dwconv3x3_for(const int32_t* packed) {
  switch (static_cast<Q8RequantMode>(packed[0])) {
    case Q8RequantMode::kUniform:
      return dwconv3x3_for<kStride, Q8RequantMode::kUniform>(packed[1], DwUniformShifts());
    case Q8RequantMode::kPerChannel:
      return dwconv3x3_for<kStride, Q8RequantMode::kPerChannel>(packed[1],
                                                                std::integer_sequence<int>());
    case Q8RequantMode::kPerChannelBounded:
      return dwconv3x3_for<kStride, Q8RequantMode::kPerChannelBounded>(
          packed[1], DwPerChannelBoundedShifts());
    case Q8RequantMode::kGeneric:
      break;
  }
  return dwconv3x3_rows<kStride, Q8RequantMode::kGeneric, 0>;
}

template <size_t kStride>
void dwconv3x3(const int8_t* const* input_rows, size_t in_h, size_t in_w, size_t channels,
               size_t pad_top, size_t pad_left, const int32_t* packed, int8_t* output,
               size_t out_w, size_t out_row_begin, size_t out_row_end,
               const Q8Output& requant_output) {
  dwconv3x3_for<kStride>(packed)(input_rows, in_h, in_w, channels, pad_top, pad_left, packed,
                                 output, out_w, out_row_begin, out_row_end, requant_output);
}

}  // namespace mnv2::q8
