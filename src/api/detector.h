// The plain C++ object detector (SSDLite + MobileNetV2) used by the tests, the bindings and
// the benchmarks: weight bytes and RGBA pixels in, boxes in the image's pixels out. Like the
// Classifier it reports problems through a returned false plus a message, never exceptions.
//
// detect(): the whole image resized (no crop) to the model's square input, the network
// (model/ssdlite.h: the backbone's plan plus the SSD head's stages, in either precision, on
// any number of threads), sigmoid scores, box decoding against the generated anchors, then
// NMS (nms.h) with the options. Precision::kInt8 runs the quantized model with TFLite's
// integer arithmetic (exec/q8-executor.h; needs a weight file with activation
// quantization); decoding and NMS are the same.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "api/classifier.h"
#include "exec/network.h"
#include "kernels/kernels.h"
#include "model/anchors.h"
#include "model/nms.h"

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
  // Parses, validates and packs a detector file (the bytes are not needed afterwards): its
  // backbone and SSD head on `threads` threads, as for Classifier::create.
  static std::unique_ptr<Detector> create(const uint8_t* weights, size_t size,
                                          std::string* error,
                                          const KernelTable& kernels = simd_kernels(),
                                          Execution execution = Execution::kFused,
                                          Precision precision = Precision::kFloat32,
                                          size_t threads = 1);

  Precision precision() const { return precision_; }
  size_t input_size() const { return network_.description().input_size; }
  size_t num_classes() const { return network_.description().num_classes; }  // no background
  size_t num_anchors() const { return anchors_.size(); }
  size_t threads() const { return network_.threads(); }
  const std::vector<std::string>& labels() const { return labels_; }
  const std::vector<Anchor>& anchors() const { return anchors_; }
  const Network& network() const { return network_; }

  // The network's raw outputs of the last detect(): box encodings [anchors][4] (ty, tx, th,
  // tw) and sigmoid class scores [anchors][score_stride()], column 0 the background.
  const float* box_encodings() const;
  const float* class_scores() const;
  size_t score_stride() const { return num_classes() + 1; }
  // Precision::kInt8 only (else null): the integer tensors behind them, in the graph's
  // quantization (the concatenated box encodings and the LOGISTIC's output).
  const int8_t* box_codes() const;
  const int8_t* score_codes() const;

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

  // The network's layers (the backbone's rows up to its head conv, then extra0.., then
  // box<m> and class<m> for every feature map m) and memory; the scratch also counts the
  // post-processing buffers (decoded boxes, NMS candidates), reserved at load like the rest.
  std::vector<LayerSummary> summary() const { return network_.summary(); }
  MemoryStats memory_stats() const;
  Execution execution() const { return network_.execution(); }

 private:
  Detector() = default;

  const PostprocessParams& postprocess() const { return network_.description().ssd.postprocess; }

  Network network_;
  Precision precision_ = Precision::kFloat32;
  std::vector<std::string> labels_;
  std::vector<Anchor> anchors_;
  std::vector<Box> boxes_;
  NonMaxSuppression nms_;
  std::vector<NmsDetection> kept_;
};

}  // namespace mnv2
