#include "api/detector.h"

#include <cmath>

#include "api/classifier.h"
#include "model/memory-budget.h"

namespace mnv2 {

std::unique_ptr<Detector> Detector::create(const uint8_t* weights, size_t size,
                                           std::string* error, const KernelTable& kernels,
                                           Execution execution, Precision precision) {
  WeightFileView file;
  if (!parse_weight_file(weights, size, &file, error)) return nullptr;
  // Weights and backbone activations within bounds before anything is allocated (a failed
  // allocation aborts the WASM module); SSDLite::load bounds its own outputs.
  if (!check_model_memory(file, execution, 1, error)) return nullptr;
  std::unique_ptr<Detector> detector(new Detector());
  if (precision == Precision::kInt8) {
    detector->int8_.reset(new SSDLiteQ8());
    if (!detector->int8_->load(file, simd_q8_kernels(), error)) return nullptr;
  } else if (!detector->network_.load(file, kernels, error, execution)) {
    return nullptr;
  }
  detector->labels_ = std::move(file.labels);
  detector->spec_.output_size = file.header.input_size;
  detector->spec_.mean = file.header.input_mean;
  detector->spec_.std = file.header.input_std;
  detector->spec_.crop_fraction = 1.0f;  // SSD sees the whole image, squashed to a square
  const size_t anchors = detector->num_anchors();
  detector->boxes_.assign(anchors, Box{});
  detector->nms_.reserve(anchors, detector->num_classes());
  detector->kept_.reserve(anchors);
  return detector;
}

MemoryStats Detector::memory_stats() const {
  MemoryStats stats = int8_ ? int8_->memory_stats() : network_.memory_stats();
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
  const float* encodings = nullptr;
  const float* scores = nullptr;
  size_t score_stride = 0;
  const Anchor* anchors = nullptr;
  if (int8_) {
    pixels_.prepare(rgba, width, height, spec_.output_size, spec_.crop_fraction);
    int8_->run(pixels_);
    encodings = int8_->box_encodings();
    scores = int8_->class_scores();
    score_stride = int8_->score_stride();
    anchors = int8_->anchors().data();
  } else {
    preprocessor_.prepare(rgba, width, height, spec_);
    network_.run(preprocessor_);
    encodings = network_.box_encodings();
    scores = network_.class_scores();
    score_stride = network_.score_stride();
    anchors = network_.anchors().data();
  }
  decode_boxes(encodings, anchors, boxes_.size(), postprocess().scales, boxes_.data());

  NmsOptions nms;
  nms.score_threshold = options.min_score;
  nms.iou_threshold = options.iou_threshold;
  nms.max_detections = options.max_detections;
  nms.class_agnostic = options.class_agnostic;
  nms.max_per_class = postprocess().detections_per_class;
  // Column 0 of the scores is the background, which is never reported.
  nms_.run(boxes_.data(), scores, boxes_.size(), score_stride, 1, num_classes(), nms, &kept_);

  const float w = static_cast<float>(width), h = static_cast<float>(height);
  for (const NmsDetection& kept : kept_) {
    const Box& box = boxes_[kept.box];
    detections->push_back({box.xmin * w, box.ymin * h, (box.xmax - box.xmin) * w,
                           (box.ymax - box.ymin) * h, kept.class_index, kept.score});
  }
  return true;
}

}  // namespace mnv2
