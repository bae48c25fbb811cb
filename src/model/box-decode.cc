#include "model/box-decode.h"

#include <cmath>

namespace mnv2 {

void decode_boxes(const float* encodings, const Anchor* anchors, size_t count,
                  const BoxCoderScales& scales, Box* boxes) {
  for (size_t i = 0; i < count; ++i) {
    const float* e = encodings + 4 * i;
    const Anchor& a = anchors[i];
    const float y = e[0] / scales.y * a.h + a.y;
    const float x = e[1] / scales.x * a.w + a.x;
    const float half_h = 0.5f * std::exp(e[2] / scales.h) * a.h;
    const float half_w = 0.5f * std::exp(e[3] / scales.w) * a.w;
    boxes[i] = {y - half_h, x - half_w, y + half_h, x + half_w};
  }
}

void sigmoid(const float* logits, size_t n, float* scores) {
  for (size_t i = 0; i < n; ++i) scores[i] = 1.0f / (1.0f + std::exp(-logits[i]));
}

}  // namespace mnv2
