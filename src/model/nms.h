// Greedy non-maximum suppression over decoded boxes, in the two forms TFLite's
// TFLite_Detection_PostProcess offers:
//  - class-agnostic ("fast" NMS, the SSD models' default): each box competes with its best
//    class only, and boxes of different classes suppress one another;
//  - per class ("regular" NMS): suppression runs within each class separately, keeping up to
//    max_per_class boxes per class, so one box may be reported for several classes.
// Either way candidates are boxes scoring >= score_threshold, visited in decreasing score
// (ties: lower box index first, then lower class), and a candidate is dropped when its IoU
// with an already kept box exceeds iou_threshold. The kept detections come out sorted by
// score (same tie order), at most max_detections of them.
//
// Internal buffers are reserved up front (reserve()), so run() itself allocates nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "model/box-decode.h"

namespace mnv2 {

// Intersection over union; 0 when either box has no area (TFLite's convention). Corners may
// come in either order.
float intersection_over_union(const Box& a, const Box& b);

struct NmsOptions {
  float score_threshold = 0.5f;
  float iou_threshold = 0.6f;
  size_t max_detections = 20;
  bool class_agnostic = true;
  size_t max_per_class = 100;  // per-class NMS only
};

struct NmsDetection {
  uint32_t box;          // index into the boxes
  uint32_t class_index;  // 0-based among the scored classes
  float score;
};

class NonMaxSuppression {
 public:
  // Sizes the buffers for up to `boxes` boxes of `classes` classes.
  void reserve(size_t boxes, size_t classes);
  // The bytes reserve() set aside (for memory reports).
  size_t reserved_bytes() const {
    return (candidates_.capacity() + per_class_.capacity()) * sizeof(NmsDetection);
  }

  // scores: row i (at scores + i * score_stride) holds box i's class scores, class c at
  // column first_class + c for c in [0, classes). Boxes and classes must not exceed what was
  // reserved. *out is cleared first; a caller that keeps one vector with capacity for
  // max_detections entries across calls makes run() allocation-free.
  void run(const Box* boxes, const float* scores, size_t count, size_t score_stride,
           size_t first_class, size_t classes, const NmsOptions& options,
           std::vector<NmsDetection>* out);

 private:
  // Greedy suppression of candidates_ (already sorted), appending up to `limit` to *kept.
  void suppress(const Box* boxes, size_t limit, float iou_threshold,
                std::vector<NmsDetection>* kept);

  std::vector<NmsDetection> candidates_, per_class_;
};

}  // namespace mnv2
