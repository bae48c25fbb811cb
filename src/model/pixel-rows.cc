#include "model/pixel-rows.h"

#include <cmath>

namespace mnv2 {

void ResizedPixels::prepare(const uint8_t* rgba, size_t width, size_t height,
                            size_t output_size, float crop_fraction) {
  PreprocessSpec spec{};
  spec.output_size = output_size;
  spec.mean = 0.0f;  // the resized pixel values themselves
  spec.std = 1.0f;
  spec.crop_fraction = crop_fraction;
  preprocessor_.prepare(rgba, width, height, spec);
  output_size_ = output_size;
  row_.resize(output_size * 3);
}

void ResizedPixels::read_pixel_rows(size_t first, size_t count, uint8_t* out) {
  for (size_t y = first; y < first + count; ++y) {
    preprocessor_.read_rows(y, 1, row_.data(), 0);
    for (size_t i = 0; i < row_.size(); ++i) {
      // Round half up, like the fixed-point resizers producing uint8 images.
      const float v = std::floor(row_[i] + 0.5f);
      *out++ = static_cast<uint8_t>(v < 0.0f ? 0.0f : (v > 255.0f ? 255.0f : v));
    }
  }
}

}  // namespace mnv2
