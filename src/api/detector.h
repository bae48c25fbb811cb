// The plain C++ object detector (SSDLite + MobileNetV2) used by the tests, the bindings and
// the benchmarks: weight bytes and RGBA pixels in, boxes in the image's pixels out. Like the
// Classifier it reports problems through a returned false plus a message, never exceptions.
//
// detect(): the whole image resized (no crop) to the model's square input with the
// antialiased triangle filter, normalized with the file's mean / std, the network, sigmoid
// scores, box decoding against the generated anchors, then NMS (nms.h) with the options.
// Precision::kInt8 runs the quantized model with TFLite's integer arithmetic instead
// (SSDLiteQ8: uint8 pixels from ResizedPixels, single-threaded, needs a weight file with
// activation quantization); decoding and NMS are the same.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "api/classifier.h"
#include "kernels/kernels.h"
#include "model/nms.h"
#include "model/pixel-rows.h"
#include "model/preprocess.h"
#include "model/ssdlite-q8.h"
#include "model/ssdlite.h"

namespace mnv2 {

struct DetectOptions {
  float min_score = 0.5f;       // keep detections scoring >= this, in [0, 1]
  size_t max_detections = 20;   // 1 .. the model's anchor count
  float iou_threshold = 0.6f;   // in [0, 1]; default_options() gives the model's
  bool class_agnostic = true;   // false: per-class NMS
};

// A detected object: its box in the input image's pixels (x, y = top left; not clipped to
// the image), the class index into labels() and the score.
struct Detection {
  float x, y, width, height;
  uint32_t class_index;
  float score;
};

class Detector {
 public:
  // Parses, validates and packs the weights; the bytes are not needed afterwards.
  static std::unique_ptr<Detector> create(const uint8_t* weights, size_t size,
                                          std::string* error,
                                          const KernelTable& kernels = simd_kernels(),
                                          Execution execution = Execution::kFused,
                                          Precision precision = Precision::kFloat32);

  Precision precision() const { return int8_ ? Precision::kInt8 : Precision::kFloat32; }
  size_t input_size() const { return int8_ ? int8_->input_size() : network_.input_size(); }
  size_t num_classes() const { return int8_ ? int8_->num_classes() : network_.num_classes(); }
  size_t num_anchors() const { return int8_ ? int8_->num_anchors() : network_.num_anchors(); }
  const std::vector<std::string>& labels() const { return labels_; }
  const SSDLite& network() const { return network_; }  // the float engine (unused for int8)
  const SSDLiteQ8* int8_network() const { return int8_.get(); }  // null unless kInt8

  // minScore 0.5 and maxDetections 20 (like coco-ssd), the model's IoU threshold and NMS kind.
  DetectOptions default_options() const;
  bool check_options(const DetectOptions& options, std::string* error) const;

  // Detections sorted by score (highest first). *detections is cleared first; reusing one
  // vector across calls avoids allocating.
  bool detect(const uint8_t* rgba, size_t width, size_t height, size_t rgba_bytes,
              const DetectOptions& options, std::vector<Detection>* detections,
              std::string* error);

  // The decoded boxes of the last detect() (normalized corners, one per anchor).
  const std::vector<Box>& boxes() const { return boxes_; }

  // The network's layers (SSDLite::summary(), or SSDLiteQ8's for kInt8) and memory; the
  // scratch also counts the post-processing buffers (decoded boxes, NMS candidates), reserved
  // at load like the rest.
  std::vector<LayerSummary> summary() const { return int8_ ? int8_->summary() : network_.summary(); }
  MemoryStats memory_stats() const;
  // The int8 engine has one schedule of its own (row bands for large blocks), reported as
  // fused; the float network is not loaded then, so its value would mean nothing.
  Execution execution() const { return int8_ ? Execution::kFused : network_.execution(); }

 private:
  Detector() = default;

  const PostprocessParams& postprocess() const {
    return int8_ ? int8_->postprocess() : network_.postprocess();
  }

  SSDLite network_;
  std::unique_ptr<SSDLiteQ8> int8_;  // set for Precision::kInt8 (network_ then unused)
  ResizedPixels pixels_;             // the int8 engine's input
  Preprocessor preprocessor_;
  PreprocessSpec spec_{};
  std::vector<std::string> labels_;
  std::vector<Box> boxes_;
  NonMaxSuppression nms_;
  std::vector<NmsDetection> kept_;
};

}  // namespace mnv2
