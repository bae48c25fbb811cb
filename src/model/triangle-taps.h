// The taps of PIL's Image.BILINEAR along one axis, shared by the float preprocessing
// (preprocess.h) and the PIL-exact 8-bit resize (resize-u8.h): a triangle filter whose support
// widens by the downscale factor (antialiasing), each output's weights normalized to sum 1.
// Computed the way PIL computes them, in double: centre (out + 0.5) * scale, window bounds
// truncated toward zero then clamped to the source, the distance scaled by the reciprocal of
// the filter scale (the last bit of a double can decide a fixed-point tie).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace mnv2 {

// The most taps any output of a source -> output resize reads.
size_t triangle_max_taps(size_t source_size, size_t output_size);

struct TapWindow {
  size_t first;  // first source index
  size_t count;  // taps, at most triangle_max_taps()
};

// Output `out`'s window, and its normalized weights in weights[0, count).
TapWindow triangle_taps(size_t source_size, size_t output_size, size_t out, double* weights);

// Every output's taps along one axis, in the weight type a resampler sums with (float for the
// float preprocessing, fixed point for the 8-bit resize).
template <typename Weight>
struct TapTable {
  std::vector<uint32_t> first;     // first source index per output index
  std::vector<uint32_t> count;     // number of taps per output index
  std::vector<Weight> weights;     // max_taps per output index, zero past count
  std::vector<double> normalized;  // one output's weights in double (scratch, kept so that a
                                   // same-sized frame allocates nothing)
  size_t max_taps = 0;
};

// Fills `table` for a source_size -> output_size resize, each double weight converted by
// to_weight.
template <typename Weight, typename ToWeight>
void fill_tap_table(size_t source_size, size_t output_size, TapTable<Weight>* table,
                    ToWeight to_weight) {
  table->max_taps = triangle_max_taps(source_size, output_size);
  table->first.resize(output_size);
  table->count.resize(output_size);
  table->weights.assign(output_size * table->max_taps, Weight{0});
  table->normalized.resize(table->max_taps);
  for (size_t out = 0; out < output_size; ++out) {
    const TapWindow window = triangle_taps(source_size, output_size, out, table->normalized.data());
    Weight* weights = &table->weights[out * table->max_taps];
    for (size_t i = 0; i < window.count; ++i) weights[i] = to_weight(table->normalized[i]);
    table->first[out] = static_cast<uint32_t>(window.first);
    table->count[out] = static_cast<uint32_t>(window.count);
  }
}

}  // namespace mnv2
