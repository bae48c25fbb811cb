#include "model/preprocess.h"

#include <algorithm>
#include <cmath>

namespace mnv2 {

CropWindow centre_crop(size_t width, size_t height, float fraction) {
  // nearbyint rounds half to even, like Python's round() used by the reference pipeline.
  const auto kept = [fraction](size_t side) {
    const double k = std::nearbyint(static_cast<double>(fraction) * static_cast<double>(side));
    return std::clamp<size_t>(static_cast<size_t>(k), 1, side);
  };
  CropWindow crop;
  crop.width = kept(width);
  crop.height = kept(height);
  crop.x = (width - crop.width) / 2;
  crop.y = (height - crop.height) / 2;
  return crop;
}

void Preprocessor::compute_taps(size_t source_size, size_t output_size, Taps* taps) {
  fill_tap_table(source_size, output_size, taps,
                 [](double weight) { return static_cast<float>(weight); });
  // Drop zero-weight taps at either end (the triangle's support often ends exactly on a
  // pixel). Their products are +0 and every sum here is a sum of non-negative terms, so
  // leaving them out changes no value, only the work.
  for (size_t out = 0; out < output_size; ++out) {
    float* weights = &taps->weights[out * taps->max_taps];
    const size_t count = taps->count[out];
    size_t skip = 0;
    while (skip + 1 < count && weights[skip] == 0.0f) ++skip;
    size_t kept = count - skip;
    while (kept > 1 && weights[skip + kept - 1] == 0.0f) --kept;
    if (skip > 0) std::copy(weights + skip, weights + skip + kept, weights);
    std::fill(weights + kept, weights + taps->max_taps, 0.0f);
    taps->first[out] += static_cast<uint32_t>(skip);
    taps->count[out] = static_cast<uint32_t>(kept);
  }
}

// True when every output index reads exactly its own source index with weight 1: the image
// already has the model's size, and the resize is a copy.
bool Preprocessor::is_identity(const Taps& taps) {
  for (size_t out = 0; out < taps.first.size(); ++out) {
    if (taps.first[out] != out || taps.count[out] != 1 || taps.weights[out * taps.max_taps] != 1.0f) {
      return false;
    }
  }
  return true;
}

void Preprocessor::prepare(const uint8_t* rgba, size_t width, size_t height,
                           const PreprocessSpec& spec) {
  rgba_ = rgba;
  width_ = width;
  spec_ = spec;
  crop_ = centre_crop(width, height, spec.crop_fraction);
  compute_taps(crop_.width, spec.output_size, &horizontal_);
  compute_taps(crop_.height, spec.output_size, &vertical_);
  identity_ = is_identity(horizontal_) && is_identity(vertical_);
  for (auto& row : rows_) row.resize(crop_.width * 3);
}

void Preprocessor::read_rows(size_t first, size_t count, float* output, size_t thread) {
  std::vector<float>& row_ = rows_[thread];
  const CropWindow& crop = crop_;
  const uint8_t* rgba = rgba_;
  const size_t width = width_;
  const PreprocessSpec& spec = spec_;
  const size_t size = spec.output_size;
  const float inv_std = 1.0f / spec.std;

  if (identity_) {
    // Both passes would multiply by 1 and add +0: only the normalization is left, with the
    // same float operations, so the values are the ones the general path gives.
    for (size_t oy = first; oy < first + count; ++oy) {
      const uint8_t* src = rgba + ((crop.y + oy) * width + crop.x) * 4;
      float* dst = output + (oy - first) * size * 3;
      for (size_t x = 0; x < size; ++x, src += 4, dst += 3) {
        dst[0] = (static_cast<float>(src[0]) - spec.mean) * inv_std;
        dst[1] = (static_cast<float>(src[1]) - spec.mean) * inv_std;
        dst[2] = (static_cast<float>(src[2]) - spec.mean) * inv_std;
      }
    }
    return;
  }

  for (size_t oy = first; oy < first + count; ++oy) {
    // Vertical pass into one RGB row of the crop, then the horizontal pass over that row.
    std::fill(row_.begin(), row_.end(), 0.0f);
    const float* vweights = &vertical_.weights[oy * vertical_.max_taps];
    for (size_t t = 0; t < vertical_.count[oy]; ++t) {
      const size_t sy = crop.y + vertical_.first[oy] + t;
      const uint8_t* src = rgba + (sy * width + crop.x) * 4;
      const float w = vweights[t];
      for (size_t x = 0; x < crop.width; ++x) {
        row_[3 * x + 0] += w * static_cast<float>(src[4 * x + 0]);
        row_[3 * x + 1] += w * static_cast<float>(src[4 * x + 1]);
        row_[3 * x + 2] += w * static_cast<float>(src[4 * x + 2]);
      }
    }
    float* dst = output + (oy - first) * size * 3;
    for (size_t ox = 0; ox < size; ++ox) {
      const float* hweights = &horizontal_.weights[ox * horizontal_.max_taps];
      const float* src = &row_[3 * horizontal_.first[ox]];
      float r = 0.0f, g = 0.0f, b = 0.0f;
      for (size_t t = 0; t < horizontal_.count[ox]; ++t) {
        r += hweights[t] * src[3 * t + 0];
        g += hweights[t] * src[3 * t + 1];
        b += hweights[t] * src[3 * t + 2];
      }
      dst[3 * ox + 0] = (r - spec.mean) * inv_std;
      dst[3 * ox + 1] = (g - spec.mean) * inv_std;
      dst[3 * ox + 2] = (b - spec.mean) * inv_std;
    }
  }
}

}  // namespace mnv2
