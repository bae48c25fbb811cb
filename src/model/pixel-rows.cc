#include "model/pixel-rows.h"

#include "model/preprocess.h"

namespace mnv2 {

void ResizedPixels::prepare(const uint8_t* rgba, size_t width, size_t height,
                            size_t output_size, float crop_fraction) {
  // The reference crops to whole pixels first, then resizes the cropped image.
  const CropWindow crop = centre_crop(width, height, crop_fraction);
  resize_.prepare(rgba, width, crop.x, crop.y, crop.width, crop.height, output_size, output_size);
  output_size_ = output_size;
}

void ResizedPixels::read_pixel_rows(size_t first, size_t count, uint8_t* out, size_t thread) {
  for (size_t y = first; y < first + count; ++y, out += output_size_ * 3) {
    resize_.read_row(y, out, thread);
  }
}

}  // namespace mnv2
