// Image preprocessing: RGBA pixels -> optional centre crop -> resize to the model's square
// input -> (x - mean) / std, float32 NHWC RGB.
//
// The resize is a separable triangle ("bilinear") filter whose support widens with the
// downscale factor, so every source pixel contributes when shrinking (antialiasing). This is
// the filter PIL's Image.BILINEAR uses, which is how the reference results were produced and
// how the models were evaluated; plain 4-tap bilinear sampling aliases badly on big photos.
// For upscaling the two are identical.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "model/triangle-taps.h"

namespace mnv2 {

struct PreprocessSpec {
  size_t output_size;   // square output side
  float mean;
  float std;
  float crop_fraction;  // (0, 1]: keep the central fraction of width and height
};

// The centre crop for a fraction: round(fraction * side) pixels, offset floor((side - kept) / 2).
struct CropWindow {
  size_t x, y, width, height;
};
CropWindow centre_crop(size_t width, size_t height, float fraction);

// Produces the network input row by row (the fused network pulls rows as it needs them).
class Preprocessor {
 public:
  // rgba: width * height * 4 bytes, which must stay valid while rows are read. Arguments must
  // have been validated (non-zero sizes, fraction in (0, 1]).
  void prepare(const uint8_t* rgba, size_t width, size_t height, const PreprocessSpec& spec);
  // Output rows [first, first + count): count * output_size * 3 floats. Safe to call from
  // `threads` threads at once (set_threads), each with its own index.
  void read_rows(size_t first, size_t count, float* out, size_t thread);
  void set_threads(size_t threads) { rows_.resize(threads); }

  // The whole input at once: output_size^2 * 3 floats.
  void run(const uint8_t* rgba, size_t width, size_t height, const PreprocessSpec& spec,
           float* output) {
    prepare(rgba, width, height, spec);
    read_rows(0, spec.output_size, output, 0);
  }

 private:
  using Taps = TapTable<float>;
  static void compute_taps(size_t source_size, size_t output_size, Taps* taps);
  static bool is_identity(const Taps& taps);

  const uint8_t* rgba_ = nullptr;
  size_t width_ = 0;
  CropWindow crop_{};
  PreprocessSpec spec_{};
  bool identity_ = false;  // no resize: read_rows only converts and normalizes
  // Buffers kept between calls so a steady stream of same-sized frames allocates nothing.
  Taps horizontal_, vertical_;
  std::vector<std::vector<float>> rows_ = std::vector<std::vector<float>>(1);  // per thread
};

}  // namespace mnv2
