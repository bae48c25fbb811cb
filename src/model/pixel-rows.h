// Input pixels for the integer engine: RGBA pixels -> centre crop -> PIL's 8-bit bilinear
// resize (resize-u8.h), bit for bit -> rows of RGB uint8, the values TFLite's uint8 input gets
// from the reference pipeline. Rows are made on demand, so the image never exists whole.
#pragma once

#include <cstddef>
#include <cstdint>

#include "model/resize-u8.h"

namespace mnv2 {

class ResizedPixels {
 public:
  // rgba must stay valid while rows are read; arguments validated by the caller.
  void prepare(const uint8_t* rgba, size_t width, size_t height, size_t output_size,
               float crop_fraction);
  // Writes rows [first, first + count) of the [size][size][3] pixels to out. Up to
  // set_threads() threads of one inference read at once, each with its own index.
  void read_pixel_rows(size_t first, size_t count, uint8_t* out, size_t thread);
  void set_threads(size_t threads) { resize_.set_threads(threads); }

 private:
  ResizeU8 resize_;
  size_t output_size_ = 0;
};

}  // namespace mnv2
