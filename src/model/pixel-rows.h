// Input pixels for the integer engine: rows of uint8 RGB pixels, the values a decoder and
// resizer hand TFLite's uint8 input tensor. ResizedPixels makes them from RGBA pixels: centre
// crop -> PIL's 8-bit bilinear resize (resize-u8.h), bit for bit -> RGB uint8, the values
// TFLite's uint8 input gets from the reference pipeline.
#pragma once

#include <cstddef>
#include <cstdint>

#include "model/resize-u8.h"

namespace mnv2 {

class PixelRows {
 public:
  virtual ~PixelRows() = default;
  // Writes rows [first, first + count) of the [size][size][3] pixels to out. Threads of one
  // inference call this concurrently, each with its own index in [0, threads).
  virtual void read_pixel_rows(size_t first, size_t count, uint8_t* out, size_t thread) = 0;
};

class ResizedPixels final : public PixelRows {
 public:
  // rgba must stay valid while rows are read; arguments validated by the caller.
  void prepare(const uint8_t* rgba, size_t width, size_t height, size_t output_size,
               float crop_fraction);
  void read_pixel_rows(size_t first, size_t count, uint8_t* out, size_t thread) override;
  void set_threads(size_t threads) { resize_.set_threads(threads); }

 private:
  ResizeU8 resize_;
  size_t output_size_ = 0;
};

}  // namespace mnv2
