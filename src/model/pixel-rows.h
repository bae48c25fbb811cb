// Input pixels for the integer engine: RGBA pixels -> centre crop -> the antialiased resize of
// preprocess.h -> RGB rounded to uint8, the values a resizer hands TFLite's uint8 input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "model/mobilenet-v2-q8.h"
#include "model/preprocess.h"

namespace mnv2 {

class ResizedPixels final : public PixelRows {
 public:
  // rgba must stay valid while rows are read; arguments validated by the caller.
  void prepare(const uint8_t* rgba, size_t width, size_t height, size_t output_size,
               float crop_fraction);
  void read_pixel_rows(size_t first, size_t count, uint8_t* out) override;

 private:
  Preprocessor preprocessor_;
  size_t output_size_ = 0;
  std::vector<float> row_;
};

}  // namespace mnv2
