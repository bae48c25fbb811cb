#include "model/nms.h"

#include <algorithm>

namespace mnv2 {
namespace {

bool ranks_before(const NmsDetection& a, const NmsDetection& b) {
  if (a.score != b.score) return a.score > b.score;
  if (a.box != b.box) return a.box < b.box;
  return a.class_index < b.class_index;
}

}  // namespace

float intersection_over_union(const Box& a, const Box& b) {
  const float a_ymin = std::min(a.ymin, a.ymax), a_ymax = std::max(a.ymin, a.ymax);
  const float a_xmin = std::min(a.xmin, a.xmax), a_xmax = std::max(a.xmin, a.xmax);
  const float b_ymin = std::min(b.ymin, b.ymax), b_ymax = std::max(b.ymin, b.ymax);
  const float b_xmin = std::min(b.xmin, b.xmax), b_xmax = std::max(b.xmin, b.xmax);
  const float area_a = (a_ymax - a_ymin) * (a_xmax - a_xmin);
  const float area_b = (b_ymax - b_ymin) * (b_xmax - b_xmin);
  if (!(area_a > 0.0f) || !(area_b > 0.0f)) return 0.0f;
  const float h = std::max(0.0f, std::min(a_ymax, b_ymax) - std::max(a_ymin, b_ymin));
  const float w = std::max(0.0f, std::min(a_xmax, b_xmax) - std::max(a_xmin, b_xmin));
  const float intersection = h * w;
  return intersection / (area_a + area_b - intersection);
}

void NonMaxSuppression::reserve(size_t boxes, size_t classes) {
  candidates_.reserve(boxes);
  per_class_.reserve(boxes * std::max<size_t>(classes, 1));
}

void NonMaxSuppression::suppress(const Box* boxes, size_t limit, float iou_threshold,
                                 std::vector<NmsDetection>* kept) {
  const size_t first_kept = kept->size();
  for (const NmsDetection& candidate : candidates_) {
    if (kept->size() - first_kept >= limit) break;
    bool suppressed = false;
    for (size_t k = first_kept; k < kept->size() && !suppressed; ++k) {
      suppressed = intersection_over_union(boxes[candidate.box], boxes[(*kept)[k].box]) >
                   iou_threshold;
    }
    if (!suppressed) kept->push_back(candidate);
  }
}

void NonMaxSuppression::run(const Box* boxes, const float* scores, size_t count,
                            size_t score_stride, size_t first_class, size_t classes,
                            const NmsOptions& options, std::vector<NmsDetection>* out) {
  out->clear();
  if (count == 0 || classes == 0 || options.max_detections == 0) return;
  if (options.class_agnostic) {
    candidates_.clear();
    for (size_t i = 0; i < count; ++i) {
      const float* row = scores + i * score_stride + first_class;
      // The first of equal maxima wins, so ties go to the lower class index.
      const size_t best = static_cast<size_t>(std::max_element(row, row + classes) - row);
      if (row[best] >= options.score_threshold) {
        candidates_.push_back({static_cast<uint32_t>(i), static_cast<uint32_t>(best), row[best]});
      }
    }
    std::sort(candidates_.begin(), candidates_.end(), ranks_before);
    suppress(boxes, options.max_detections, options.iou_threshold, out);
    return;
  }
  per_class_.clear();
  for (size_t c = 0; c < classes; ++c) {
    candidates_.clear();
    for (size_t i = 0; i < count; ++i) {
      const float score = scores[i * score_stride + first_class + c];
      if (score >= options.score_threshold) {
        candidates_.push_back({static_cast<uint32_t>(i), static_cast<uint32_t>(c), score});
      }
    }
    std::sort(candidates_.begin(), candidates_.end(), ranks_before);
    suppress(boxes, options.max_per_class, options.iou_threshold, &per_class_);
  }
  std::sort(per_class_.begin(), per_class_.end(), ranks_before);
  const size_t kept = std::min(per_class_.size(), options.max_detections);
  out->assign(per_class_.begin(), per_class_.begin() + static_cast<std::ptrdiff_t>(kept));
}

}  // namespace mnv2
