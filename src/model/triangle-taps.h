// The taps of PIL's Image.BILINEAR along one axis, shared by the float preprocessing
// (preprocess.h) and the PIL-exact 8-bit resize (resize-u8.h): a triangle filter whose support
// widens by the downscale factor (antialiasing), each output's weights normalized to sum 1.
// Computed the way PIL computes them, in double: centre (out + 0.5) * scale, window bounds
// truncated toward zero then clamped to the source, the distance scaled by the reciprocal of
// the filter scale (the last bit of a double can decide a fixed-point tie).
#pragma once

#include <cstddef>

namespace mnv2 {

// The most taps any output of a source -> output resize reads.
size_t triangle_max_taps(size_t source_size, size_t output_size);

struct TapWindow {
  size_t first;  // first source index
  size_t count;  // taps, at most triangle_max_taps()
};

// Output `out`'s window, and its normalized weights in weights[0, count).
TapWindow triangle_taps(size_t source_size, size_t output_size, size_t out, double* weights);

}  // namespace mnv2
