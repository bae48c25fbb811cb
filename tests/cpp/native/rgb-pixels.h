// A square RGB image held in memory, as the integer engines read their input (PixelRows):
// what the int8 network and detector tests feed them.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "model/pixel-rows.h"

namespace mnv2::test {

class RgbPixels final : public PixelRows {
 public:
  // rgb: [size][size][3] bytes.
  RgbPixels(std::vector<uint8_t> rgb, size_t size) : rgb_(std::move(rgb)), size_(size) {}
  void read_pixel_rows(size_t first, size_t count, uint8_t* out, size_t) override {
    std::copy(rgb_.begin() + first * size_ * 3, rgb_.begin() + (first + count) * size_ * 3, out);
  }

 private:
  std::vector<uint8_t> rgb_;
  size_t size_;
};

}  // namespace mnv2::test
