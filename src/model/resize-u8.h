// An 8-bit resize that reproduces PIL's Image.resize(..., Image.BILINEAR) on an RGB image bit for
// bit, for the integer engine: its uint8 input is quantized already, so one pixel off by one
// moves the scores by up to 10/256, and the reference results were computed on PIL's pixels.
//
// What PIL does (its documented 8-bit resampler, re-derived here): the triangle filter of
// preprocess.h (support widened by the downscale factor), with each output pixel's weights
// normalized in double precision and then rounded to fixed point with 22 fractional bits; two
// separable passes, horizontal first, with the intermediate image rounded and clipped to uint8;
// a pass whose size does not change is skipped (a copy). The float Preprocessor keeps a single
// rounding-free pass; this one is only for the uint8 path.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "model/triangle-taps.h"

namespace mnv2 {

// One axis's fixed-point taps: output i reads source [first[i], first[i] + count[i]) with
// weights in units of 2^-kFixedTapBits.
constexpr int kFixedTapBits = 22;
using FixedTaps = TapTable<int32_t>;
void compute_fixed_taps(size_t source_size, size_t output_size, FixedTaps* taps);

// Resizes a window of an RGBA image (alpha ignored) to RGB rows, on demand: each output row
// needs only the few horizontally resized source rows under its vertical taps, which are kept in
// a small ring, so a whole photo's intermediate image is never held. Rows may be read in any
// order; reading them top to bottom resizes each source row once.
class ResizeU8 {
 public:
  // rgba: rows of `stride` pixels, which must stay valid while rows are read; the window
  // (x, y, width, height) must lie inside the image. Sizes must be non-zero.
  void prepare(const uint8_t* rgba, size_t stride, size_t x, size_t y, size_t width,
               size_t height, size_t output_width, size_t output_height);
  // Output row `row` (< output_height): output_width * 3 bytes, RGB. Up to threads() callers
  // may read at once, each with its own index: each has its own ring.
  void read_row(size_t row, uint8_t* out, size_t thread = 0);
  void set_threads(size_t threads) { rings_.resize(threads); }
  size_t threads() const { return rings_.size(); }

 private:
  struct Ring {
    std::vector<uint8_t> rows;           // slots of output_width * 3 bytes
    std::vector<size_t> source_row;      // source row held by each slot (SIZE_MAX: none)
    std::vector<const uint8_t*> window;  // the rows under one output row's vertical taps
  };
  const uint8_t* horizontal_row(Ring& ring, size_t source_row);  // resized on demand

  const uint8_t* rgba_ = nullptr;
  size_t stride_ = 0, x_ = 0, y_ = 0, width_ = 0, height_ = 0;
  size_t output_width_ = 0, output_height_ = 0;
  bool resize_horizontally_ = false, resize_vertically_ = false;
  FixedTaps horizontal_, vertical_;
  std::vector<Ring> rings_ = std::vector<Ring>(1);
};

}  // namespace mnv2
