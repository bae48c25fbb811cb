#include "model/resize-u8.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace mnv2 {
namespace {

constexpr int kBits = kFixedTapBits;
constexpr size_t kEmpty = std::numeric_limits<size_t>::max();

// Fixed point back to a byte: the sum started at one half (1 << (kBits - 1)), so the shift
// rounds half up; negative sums (impossible with this filter's non-negative weights, kept for
// safety) clip to 0 and sums at or above 255.0 to 255.
inline uint8_t clip8(int32_t sum) {
  if (sum <= 0) return 0;
  if (sum >= (255 << kBits)) return 255;
  return static_cast<uint8_t>(sum >> kBits);
}

}  // namespace

void compute_fixed_taps(size_t source_size, size_t output_size, FixedTaps* taps) {
  // Round half away from zero, as PIL does (the weights here are never negative).
  fill_tap_table(source_size, output_size, taps, [](double weight) {
    return static_cast<int32_t>(weight * static_cast<double>(1 << kBits) + 0.5);
  });
}

void ResizeU8::prepare(const uint8_t* rgba, size_t stride, size_t x, size_t y, size_t width,
                       size_t height, size_t output_width, size_t output_height) {
  rgba_ = rgba;
  stride_ = stride;
  x_ = x;
  y_ = y;
  width_ = width;
  height_ = height;
  output_width_ = output_width;
  output_height_ = output_height;
  // PIL skips a pass whose size does not change; its taps would be the identity anyway
  // (one tap of exactly 1.0), but skipping keeps the copy exact without relying on that.
  resize_horizontally_ = width != output_width;
  resize_vertically_ = height != output_height;
  if (resize_horizontally_) compute_fixed_taps(width, output_width, &horizontal_);
  size_t ring_rows = 1;
  if (resize_vertically_) {
    compute_fixed_taps(height, output_height, &vertical_);
    ring_rows = vertical_.max_taps;  // one output row's window maps to distinct slots
  }
  for (Ring& ring : rings_) {
    ring.window.resize(ring_rows);
    ring.rows.resize(ring_rows * output_width * 3);
    ring.source_row.assign(ring_rows, kEmpty);
  }
}

const uint8_t* ResizeU8::horizontal_row(Ring& ring, size_t source_row) {
  const size_t slot = source_row % ring.source_row.size();
  uint8_t* out = &ring.rows[slot * output_width_ * 3];
  if (ring.source_row[slot] == source_row) return out;
  ring.source_row[slot] = source_row;
  const uint8_t* src = rgba_ + ((y_ + source_row) * stride_ + x_) * 4;
  if (!resize_horizontally_) {
    for (size_t i = 0; i < output_width_; ++i) {
      out[3 * i + 0] = src[4 * i + 0];
      out[3 * i + 1] = src[4 * i + 1];
      out[3 * i + 2] = src[4 * i + 2];
    }
    return out;
  }
  for (size_t i = 0; i < output_width_; ++i) {
    const int32_t* k = &horizontal_.weights[i * horizontal_.max_taps];
    const uint8_t* p = src + 4 * horizontal_.first[i];
    int32_t r = 1 << (kBits - 1), g = r, b = r;
    for (size_t t = 0; t < horizontal_.count[i]; ++t) {
      r += p[4 * t + 0] * k[t];
      g += p[4 * t + 1] * k[t];
      b += p[4 * t + 2] * k[t];
    }
    out[3 * i + 0] = clip8(r);
    out[3 * i + 1] = clip8(g);
    out[3 * i + 2] = clip8(b);
  }
  return out;
}

void ResizeU8::read_row(size_t row, uint8_t* out, size_t thread) {
  Ring& ring = rings_[thread];
  const size_t bytes = output_width_ * 3;
  if (!resize_vertically_) {
    const uint8_t* src = horizontal_row(ring, row);
    std::copy(src, src + bytes, out);
    return;
  }
  const int32_t* k = &vertical_.weights[row * vertical_.max_taps];
  const size_t first = vertical_.first[row];
  const size_t count = vertical_.count[row];
  // The window's rows sit in distinct ring slots, so fetching one never evicts another.
  for (size_t t = 0; t < count; ++t) ring.window[t] = horizontal_row(ring, first + t);
  for (size_t i = 0; i < bytes; ++i) {
    int32_t sum = 1 << (kBits - 1);
    for (size_t t = 0; t < count; ++t) sum += ring.window[t][i] * k[t];
    out[i] = clip8(sum);
  }
}

}  // namespace mnv2
