// libFuzzer target: detector weight files through the loader, both SSDLite engines (float and
// int8), one detection each and the post-processing that follows (anchors from the file's
// parameters, box decoding, NMS with the file's settings).
//
// Inputs are weight files kept consistent by weight-file-mutator.cc, seeded with the smallest
// detectors the loader accepts (alpha 0.025, 32x32, two extra layers, one aspect ratio, 2
// classes) with integer weights and activation quantization, so both engines load them. The
// engine and the detect options vary per input (from the checksum's bits): int8 or float
// (fused or layer by layer); every box a candidate or the default threshold; class-agnostic or
// per-class NMS; IoU threshold 0, 1 or the model's; 1 to 100 detections.
//
// Oracles beyond ASan/UBSan: rejections come with a message (the parser's other promises are
// fuzz-weight-file's to check: same code); a loaded detector detects; the
// detections are at most max_detections, sorted by score, each scoring at least min_score,
// with a class index below the class count.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "api/detector.h"
#include "fuzz-support.h"
#include "model/weight-format.h"

namespace {

using mnv2::fuzzing::broken;
using mnv2::fuzzing::kImage;
using mnv2::fuzzing::kImageHeight;
using mnv2::fuzzing::kImageWidth;

mnv2::DetectOptions options_for(const mnv2::Detector& detector, uint32_t choice) {
  mnv2::DetectOptions options = detector.default_options();
  // NMS is O(candidates x kept): at most 100 kept keeps a unit fast even when a mutated file
  // has thousands of anchors and every one is a candidate.
  options.max_detections = std::min<size_t>(detector.num_anchors(), 1 + (choice >> 12) % 100);
  if (choice & 0x100) options.min_score = 0.0f;
  if (choice & 0x200) options.class_agnostic = !options.class_agnostic;
  if (choice & 0x400) options.iou_threshold = (choice & 0x800) ? 1.0f : 0.0f;
  return options;
}

void detect(mnv2::Detector& detector, uint32_t choice) {
  if (mnv2::fuzzing::total_macs(detector.summary()) > mnv2::fuzzing::kMaxInferenceMacs) return;
  const mnv2::DetectOptions options = options_for(detector, choice);
  std::vector<mnv2::Detection> found;
  std::string error;
  if (!detector.detect(kImage, kImageWidth, kImageHeight, sizeof kImage, options, &found, &error)) {
    broken("detect failed on a loaded detector", error);
  }
  if (found.size() > options.max_detections) broken("too many detections", std::to_string(found.size()));
  for (size_t i = 0; i < found.size(); ++i) {
    const mnv2::Detection& d = found[i];
    if (d.class_index >= detector.num_classes()) broken("detection class", std::to_string(d.class_index));
    if (!(d.score >= options.min_score)) broken("detection below min_score", std::to_string(d.score));
    if (i > 0 && d.score > found[i - 1].score) broken("detections not sorted", std::to_string(i));
  }
}

void try_detector(const uint8_t* data, size_t size, mnv2::Execution execution,
                  mnv2::Precision precision, uint32_t choice) {
  std::string error;
  auto detector = mnv2::Detector::create(data, size, &error, mnv2::simd_kernels(), execution,
                                         precision);
  if (!detector) {
    if (error.empty()) broken("detector rejected without a message", "");
    return;
  }
  detect(*detector, choice);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The parser's own promises are fuzz-weight-file's to check (it is the same code for both
  // kinds of file); here Detector::create parses, once per input.
  if (size < sizeof(mnv2::FileHeader)) {
    try_detector(data, size, mnv2::Execution::kFused, mnv2::Precision::kFloat32, 0);
    return 0;
  }
  mnv2::FileHeader header;
  std::memcpy(&header, data, sizeof header);
  // Per-input choices from the checksum: different for every mutated file, fixed per input.
  // One engine per input (half the cost of both; every mutation changes the checksum, so
  // both engines see the corpus): int8, float fused or float layer by layer.
  const uint32_t choice = header.checksum;
  if (!mnv2::fuzzing::worth_building(header, choice)) return 0;
  if (choice & 2) {
    try_detector(data, size, mnv2::Execution::kFused, mnv2::Precision::kInt8, choice);
  } else {
    try_detector(data, size,
                 (choice & 1) ? mnv2::Execution::kLayerByLayer : mnv2::Execution::kFused,
                 mnv2::Precision::kFloat32, choice);
  }
  return 0;
}
