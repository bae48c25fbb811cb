// Preprocessing: the centre crop arithmetic of the reference pipeline, exact identity at the
// model's own size, and the antialiasing that makes downscaling average every source pixel.
#include <doctest/doctest.h>

#include <vector>

#include "model/preprocess.h"

namespace mnv2 {
namespace {

std::vector<uint8_t> grey_image(size_t width, size_t height, uint8_t (*value)(size_t x, size_t y)) {
  std::vector<uint8_t> rgba(width * height * 4);
  for (size_t y = 0; y < height; ++y) {
    for (size_t x = 0; x < width; ++x) {
      uint8_t* pixel = &rgba[(y * width + x) * 4];
      pixel[0] = pixel[1] = pixel[2] = value(x, y);
      pixel[3] = 255;
    }
  }
  return rgba;
}

}  // namespace

TEST_SUITE("preprocess") {
  TEST_CASE("centre crop keeps round(f * side) pixels, offset floor((side - kept) / 2)") {
    const CropWindow crop = centre_crop(512, 341, 0.875f);  // cat.bmp
    CHECK(crop.width == 448);
    CHECK(crop.height == 298);  // 298.375 rounds down
    CHECK(crop.x == 32);
    CHECK(crop.y == 21);        // floor(43 / 2)
    const CropWindow whole = centre_crop(7, 5, 1.0f);
    CHECK((whole.x == 0 && whole.y == 0 && whole.width == 7 && whole.height == 5));
    CHECK(centre_crop(1, 1, 0.01f).width == 1);  // never empty
  }

  TEST_CASE("same size is an exact copy, normalized") {
    Preprocessor preprocessor;
    const auto square = grey_image(4, 4, [](size_t x, size_t y) { return uint8_t(x * 50 + y * 3); });
    std::vector<float> four(4 * 4 * 3);
    preprocessor.run(square.data(), 4, 4, {4, 128.0f, 128.0f, 1.0f}, four.data());
    for (size_t y = 0; y < 4; ++y) {
      for (size_t x = 0; x < 4; ++x) {
        CHECK(four[(y * 4 + x) * 3] == doctest::Approx((x * 50.0 + y * 3.0 - 128.0) / 128.0));
      }
    }
  }

  TEST_CASE("a constant image stays constant at any scale") {
    const auto rgba = grey_image(37, 23, [](size_t, size_t) { return uint8_t(200); });
    Preprocessor preprocessor;
    for (size_t size : {5u, 16u, 64u}) {
      std::vector<float> out(size * size * 3);
      preprocessor.run(rgba.data(), 37, 23, {size, 127.5f, 127.5f, 0.875f}, out.data());
      for (float v : out) CHECK(v == doctest::Approx((200.0 - 127.5) / 127.5).epsilon(1e-5));
    }
  }

  TEST_CASE("downscaling averages: a fine stripe pattern turns mid grey") {
    // Alternate columns 0/255: 4-tap bilinear sampling would alias to pure black or white;
    // the widened triangle filter gives the average.
    const auto rgba = grey_image(64, 64, [](size_t x, size_t) { return uint8_t(x % 2 ? 255 : 0); });
    Preprocessor preprocessor;
    std::vector<float> out(8 * 8 * 3);
    preprocessor.run(rgba.data(), 64, 64, {8, 0.0f, 1.0f, 1.0f}, out.data());
    for (size_t x = 1; x < 7; ++x) CHECK(out[(3 * 8 + x) * 3] == doctest::Approx(127.5).epsilon(0.02));
  }

  TEST_CASE("a crop selects the central window") {
    // Left half black, centre white: cropping to the central quarter sees only white.
    const auto rgba = grey_image(40, 40, [](size_t x, size_t y) {
      return uint8_t(x >= 10 && x < 30 && y >= 10 && y < 30 ? 255 : 0);
    });
    Preprocessor preprocessor;
    std::vector<float> out(10 * 10 * 3);
    preprocessor.run(rgba.data(), 40, 40, {10, 0.0f, 1.0f, 0.5f}, out.data());
    for (float v : out) CHECK(v == doctest::Approx(255.0f));
  }
}

}  // namespace mnv2
