// The integer path's resize (PIL's 8-bit bilinear) on cases small enough to compute by hand:
// the filter's taps, its fixed-point rounding, the order of the passes and the rounding between
// them, and the crop that ResizedPixels applies first.
#include <doctest/doctest.h>

#include <tuple>
#include <vector>

#include "model/pixel-rows.h"
#include "model/resize-u8.h"

namespace mnv2 {
namespace {

// An RGBA image from grey rows (R = G = B = value, alpha = a different value, which must be
// ignored).
std::vector<uint8_t> grey_rgba(const std::vector<std::vector<uint8_t>>& rows) {
  std::vector<uint8_t> rgba;
  for (const auto& row : rows) {
    for (uint8_t v : row) rgba.insert(rgba.end(), {v, v, v, 17});
  }
  return rgba;
}

// The whole image resized, as rows of grey values (checking that R, G and B agree).
std::vector<std::vector<int>> resize_grey(const std::vector<std::vector<uint8_t>>& rows,
                                          size_t output_width, size_t output_height) {
  const auto rgba = grey_rgba(rows);
  const size_t width = rows[0].size(), height = rows.size();
  ResizeU8 resize;
  resize.prepare(rgba.data(), width, 0, 0, width, height, output_width, output_height);
  std::vector<std::vector<int>> out;
  std::vector<uint8_t> row(output_width * 3);
  for (size_t y = 0; y < output_height; ++y) {
    resize.read_row(y, row.data());
    out.emplace_back();
    for (size_t x = 0; x < output_width; ++x) {
      CHECK(row[3 * x] == row[3 * x + 1]);
      CHECK(row[3 * x] == row[3 * x + 2]);
      out.back().push_back(row[3 * x]);
    }
  }
  return out;
}

using Rows = std::vector<std::vector<int>>;

}  // namespace

TEST_SUITE("resize-u8") {
  TEST_CASE("same size is an exact copy of R, G, B (alpha dropped)") {
    std::vector<uint8_t> rgba(5 * 3 * 4);
    for (size_t i = 0; i < rgba.size(); ++i) rgba[i] = static_cast<uint8_t>(i * 37 + 11);
    ResizeU8 resize;
    resize.prepare(rgba.data(), 5, 0, 0, 5, 3, 5, 3);
    std::vector<uint8_t> row(5 * 3);
    for (size_t y = 0; y < 3; ++y) {
      resize.read_row(y, row.data());
      for (size_t x = 0; x < 5; ++x) {
        for (size_t c = 0; c < 3; ++c) CHECK(row[3 * x + c] == rgba[(y * 5 + x) * 4 + c]);
      }
    }
  }

  TEST_CASE("4 -> 2 taps: weights 3/7 3/7 1/7 in 22-bit fixed point, rounded half up") {
    // scale 2 widens the triangle to support 2: output 0 is centred at 1.0 and reads sources
    // 0, 1, 2 at distances 0.25, 0.25, 0.75 (in units of the support): 0.75, 0.75, 0.25 -> /1.75.
    FixedTaps taps;
    compute_fixed_taps(4, 2, &taps);
    CHECK(taps.max_taps == 5);
    CHECK(taps.first[0] == 0);
    CHECK(taps.count[0] == 3);
    CHECK(taps.weights[0] == 1797559);  // 3/7 * 2^22 = 1797558.86
    CHECK(taps.weights[1] == 1797559);
    CHECK(taps.weights[2] == 599186);   // 1/7 * 2^22 = 599186.29
    CHECK(taps.first[1] == 1);
    CHECK(taps.count[1] == 3);
    // (3*10 + 3*20 + 30) / 7 = 17.14 -> 17; (20 + 3*30 + 3*40) / 7 = 32.86 -> 33.
    CHECK(resize_grey({{10, 20, 30, 40}}, 2, 1) == Rows{{17, 33}});
  }

  TEST_CASE("upscale 2 -> 4: the unwidened triangle, 1/4 steps, edges clamp to one tap") {
    // Centres 0.25, 0.75, 1.25, 1.75: 255 * 0.25 = 63.75 -> 64, 255 * 0.75 = 191.25 -> 191.
    CHECK(resize_grey({{0, 255}}, 4, 1) == Rows{{0, 64, 191, 255}});
    CHECK(resize_grey({{0}, {100}}, 1, 4) == Rows{{0}, {25}, {75}, {100}});
  }

  TEST_CASE("odd size 3 -> 1: weights 2/7 3/7 2/7") {
    // Centre 1.5, support 3: distances 1/3, 0, 1/3 -> 2/3, 1, 2/3. 10 * 2/7 = 2.86 -> 3.
    CHECK(resize_grey({{10, 0, 0}}, 1, 1) == Rows{{3}});
    CHECK(resize_grey({{0, 7, 0}}, 1, 1) == Rows{{3}});  // 21/7 = 3 exactly
  }

  TEST_CASE("horizontal pass first, rounded to uint8 before the vertical pass") {
    // 4x2 -> 2x1, horizontal weights as above, vertical 1/2 1/2.
    // Output 0: rows give 24/7 = 3.43 -> 3 and 21/7 = 3 -> 3, then 3. Vertical first would
    // give columns 5.5 0.5 4.5 -> 6 1 5, then 26/7 = 3.71 -> 4.
    // Output 1: rows give 18/7 = 2.57 -> 3 and 28/7 = 4, then 3.5 -> 4. One rounding at the end
    // would give 23/7 = 3.29 -> 3.
    CHECK(resize_grey({{7, 0, 3, 3}, {4, 1, 6, 3}}, 2, 1) == Rows{{3, 4}});
  }

  TEST_CASE("255 everywhere stays 255 at big downscales (no overflow, rounding up clips)") {
    for (const auto& [width, height, size] :
         std::vector<std::tuple<size_t, size_t, size_t>>{{1000, 700, 3}, {999, 3, 2}, {37, 23, 5}}) {
      const std::vector<std::vector<uint8_t>> white(height, std::vector<uint8_t>(width, 255));
      const Rows out = resize_grey(white, size, size);
      for (const auto& row : out) {
        for (int v : row) CHECK(v == 255);
      }
      const std::vector<std::vector<uint8_t>> black(height, std::vector<uint8_t>(width, 0));
      for (const auto& row : resize_grey(black, size, size)) {
        for (int v : row) CHECK(v == 0);
      }
    }
  }

  TEST_CASE("rows read in any order, by any reader, are the same as top to bottom") {
    std::vector<uint8_t> rgba(61 * 47 * 4);
    uint32_t state = 12345;
    for (auto& v : rgba) v = static_cast<uint8_t>((state = state * 1103515245u + 12345u) >> 24);
    ResizeU8 forward, shuffled;
    forward.prepare(rgba.data(), 61, 3, 2, 53, 41, 13, 9);
    // Three readers, as three threads of one inference read their bands: each has its own ring.
    shuffled.set_threads(3);
    shuffled.prepare(rgba.data(), 61, 3, 2, 53, 41, 13, 9);
    std::vector<uint8_t> a(13 * 3), b(13 * 3);
    std::vector<std::vector<uint8_t>> rows;
    for (size_t y = 0; y < 9; ++y) {
      forward.read_row(y, a.data());
      rows.push_back(a);
    }
    size_t reader = 0;
    for (size_t y : {8u, 0u, 4u, 3u, 7u, 1u, 2u, 6u, 5u, 0u}) {
      shuffled.read_row(y, b.data(), reader++ % 3);
      CHECK(b == rows[y]);
    }
  }

  TEST_CASE("ResizedPixels crops to whole pixels first, then resizes the crop") {
    // 8x8, crop 0.5 keeps the central 4x4 (offset 2): a border of 255 must not leak in, which
    // it would if the crop were applied after resizing or as a fractional window.
    std::vector<std::vector<uint8_t>> rows(8, std::vector<uint8_t>(8, 255));
    for (size_t y = 2; y < 6; ++y) {
      for (size_t x = 2; x < 6; ++x) rows[y][x] = static_cast<uint8_t>(10 * x + y);
    }
    const auto rgba = grey_rgba(rows);
    ResizedPixels pixels;
    pixels.prepare(rgba.data(), 8, 8, 2, 0.5f);
    std::vector<uint8_t> out(2 * 2 * 3);
    pixels.read_pixel_rows(0, 2, out.data(), 0);
    // The crop's row y (2..5) is 10x + y for x = 2..5. Horizontally: (3*(20+y) + 3*(30+y) +
    // (40+y)) / 7 = 27.14 + y -> 27 + y, and ((30+y) + 3*(40+y) + 3*(50+y)) / 7 = 42.86 + y ->
    // 43 + y. Vertically, output row 0 reads y = 2, 3, 4 with 3/7 3/7 1/7:
    // (3*29 + 3*30 + 31) / 7 = 29.71 -> 30 and (3*45 + 3*46 + 47) / 7 = 45.71 -> 46;
    // output row 1 reads y = 3, 4, 5 with 1/7 3/7 3/7: 219/7 = 31.29 -> 31 and 331/7 -> 47.
    CHECK(out[0] == 30);
    CHECK(out[3] == 46);
    CHECK(out[6] == 31);
    CHECK(out[9] == 47);
  }
}

}  // namespace mnv2
