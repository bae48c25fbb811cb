#include "api/detector.h"

#include <cmath>

#include "api/classifier.h"

namespace mnv2 {

std::unique_ptr<Detector> Detector::create(const uint8_t* weights, size_t size,
                                           std::string* error, const KernelTable& kernels,
                                           Execution execution, Precision precision,
                                           size_t threads) {
  std::unique_ptr<Detector> detector(new Detector());
  // The description bounds the head's outputs before anything is allocated.
  const NetworkOptions options{precision, execution, threads, &kernels};
  if (!detector->network_.load(weights, size, ModelKind::kDetector, options, &detector->labels_,
                               error)) {
    return nullptr;
  }
  detector->precision_ = precision;
  const NetworkDescription& network = detector->network_.description();
  std::vector<size_t> grid_sizes;
  for (size_t map : network.ssd.maps) grid_sizes.push_back(network.values[map].height);
  detector->anchors_ = generate_anchors(network.ssd.anchor_params, grid_sizes);
  const size_t anchors = detector->num_anchors();
  detector->boxes_.assign(anchors, Box{});
  detector->nms_.reserve(anchors, detector->num_classes());
  detector->kept_.reserve(anchors);
  return detector;
}

const float* Detector::box_encodings() const {
  return network_.decoded(network_.description().ssd.boxes);
}

const float* Detector::class_scores() const {
  return network_.decoded(network_.description().ssd.scores);
}

const int8_t* Detector::box_codes() const {
  if (precision_ != Precision::kInt8) return nullptr;
  return reinterpret_cast<const int8_t*>(network_.value(network_.description().ssd.boxes));
}

const int8_t* Detector::score_codes() const {
  if (precision_ != Precision::kInt8) return nullptr;
  return reinterpret_cast<const int8_t*>(network_.value(network_.description().ssd.scores));
}

MemoryStats Detector::memory_stats() const {
  MemoryStats stats = network_.memory_stats();
  stats.scratch_bytes += boxes_.capacity() * sizeof(Box) + nms_.reserved_bytes() +
                         kept_.capacity() * sizeof(NmsDetection);
  return stats;
}

DetectOptions Detector::default_options() const {
  DetectOptions options;
  options.iou_threshold = postprocess().iou_threshold;
  options.class_agnostic = !postprocess().use_regular_nms;
  return options;
}

bool Detector::check_options(const DetectOptions& options, std::string* error) const {
  if (!(options.min_score >= 0.0f && options.min_score <= 1.0f)) {
    *error = "minScore must be a number in [0, 1], got " + std::to_string(options.min_score);
    return false;
  }
  if (!(options.iou_threshold >= 0.0f && options.iou_threshold <= 1.0f)) {
    *error = "iouThreshold must be a number in [0, 1], got " +
             std::to_string(options.iou_threshold);
    return false;
  }
  if (options.max_detections < 1 || options.max_detections > num_anchors()) {
    *error = "maxDetections must be an integer from 1 to " + std::to_string(num_anchors()) +
             ", got " + std::to_string(options.max_detections);
    return false;
  }
  return true;
}

bool Detector::detect(const uint8_t* rgba, size_t width, size_t height, size_t rgba_bytes,
                      const DetectOptions& options, std::vector<Detection>* detections,
                      std::string* error) {
  detections->clear();
  if (!check_image(width, height, rgba_bytes, error) || !check_options(options, error)) {
    return false;
  }
  // The network pulls the resized image rows as it needs them (no whole input tensor).
  network_.set_image(rgba, width, height, 1.0f);  // SSD sees the whole image, squashed
  network_.run();
  decode_boxes(box_encodings(), anchors_.data(), boxes_.size(), postprocess().scales,
               boxes_.data());

  NmsOptions nms;
  nms.score_threshold = options.min_score;
  nms.iou_threshold = options.iou_threshold;
  nms.max_detections = options.max_detections;
  nms.class_agnostic = options.class_agnostic;
  nms.max_per_class = postprocess().detections_per_class;
  // Column 0 of the scores is the background, which is never reported.
  nms_.run(boxes_.data(), class_scores(), boxes_.size(), score_stride(), 1, num_classes(), nms,
           &kept_);

  const float w = static_cast<float>(width), h = static_cast<float>(height);
  for (const NmsDetection& kept : kept_) {
    const Box& box = boxes_[kept.box];
    detections->push_back({box.xmin * w, box.ymin * h, (box.xmax - box.xmin) * w,
                           (box.ymax - box.ymin) * h, kept.class_index, kept.score});
  }
  return true;
}

}  // namespace mnv2
