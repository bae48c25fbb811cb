// Input pixels for the integer engine: RGBA pixels -> centre crop -> PIL's 8-bit bilinear
// resize (resize-u8.h), bit for bit -> RGB uint8, the values TFLite's uint8 input gets from the
// reference pipeline.
#pragma once

#include <cstddef>
#include <cstdint>

#include "model/mobilenet-v2-q8.h"
#include "model/resize-u8.h"

namespace mnv2 {

class ResizedPixels final : public PixelRows {
 public:
  // rgba must stay valid while rows are read; arguments validated by the caller.
  void prepare(const uint8_t* rgba, size_t width, size_t height, size_t output_size,
               float crop_fraction);
  void read_pixel_rows(size_t first, size_t count, uint8_t* out) override;

 private:
  ResizeU8 resize_;
  size_t output_size_ = 0;
};

}  // namespace mnv2
