// Turning the box predictor's outputs into boxes: the "faster_rcnn" box coder of the TF Object
// Detection API, which TFLite_Detection_PostProcess decodes the same way. An encoding
// (ty, tx, th, tw) relative to an anchor (ya, xa, ha, wa) with coder scales (sy, sx, sh, sw):
//   centre y = ty / sy * ha + ya          height = exp(th / sh) * ha
//   centre x = tx / sx * wa + xa          width  = exp(tw / sw) * wa
// Boxes are corners normalized to the image (0..1 inside it) and are not clipped: the model
// may place an edge slightly outside the image, as the reference runtime does too.
#pragma once

#include <cstddef>

#include "model/anchors.h"

namespace mnv2 {

struct Box {
  float ymin, xmin, ymax, xmax;
};

struct BoxCoderScales {
  float y, x, h, w;
};

// encodings: [count][4] (ty, tx, th, tw); boxes: count entries.
void decode_boxes(const float* encodings, const Anchor* anchors, size_t count,
                  const BoxCoderScales& scales, Box* boxes);

// The logistic function over n values (scores may alias logits).
void sigmoid(const float* logits, size_t n, float* scores);

}  // namespace mnv2
