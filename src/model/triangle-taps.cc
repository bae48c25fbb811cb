#include "model/triangle-taps.h"

#include <algorithm>
#include <cmath>

namespace mnv2 {
namespace {

double filter_scale(size_t source_size, size_t output_size) {
  return std::max(static_cast<double>(source_size) / static_cast<double>(output_size), 1.0);
}

}  // namespace

size_t triangle_max_taps(size_t source_size, size_t output_size) {
  // The triangle's support (1) widened when shrinking, on both sides, plus the centre.
  return static_cast<size_t>(std::ceil(filter_scale(source_size, output_size))) * 2 + 1;
}

TapWindow triangle_taps(size_t source_size, size_t output_size, size_t out, double* weights) {
  const double scale = static_cast<double>(source_size) / static_cast<double>(output_size);
  const double support = filter_scale(source_size, output_size);
  const double inverse_filter_scale = 1.0 / support;
  const double centre = (static_cast<double>(out) + 0.5) * scale;
  const double low = std::trunc(centre - support + 0.5);
  const double high = std::trunc(centre + support + 0.5);
  const size_t first = low < 0.0 ? 0 : static_cast<size_t>(low);
  const size_t end = std::min(source_size, static_cast<size_t>(std::max(high, 0.0)));
  const size_t count =
      std::min(end > first ? end - first : 0, triangle_max_taps(source_size, output_size));
  double total = 0.0;
  for (size_t i = 0; i < count; ++i) {
    const double t = (static_cast<double>(first + i) - centre + 0.5) * inverse_filter_scale;
    weights[i] = std::max(0.0, 1.0 - std::fabs(t));
    total += weights[i];
  }
  if (total != 0.0) {
    for (size_t i = 0; i < count; ++i) weights[i] /= total;
  }
  return {first, count};
}

}  // namespace mnv2
