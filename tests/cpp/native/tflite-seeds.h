// Small TFLite FlatBuffers built in code (flatbuffers builder API + the generated header of
// src/tflite/tflite-subset.fbs), so the fuzzer's seed corpus and the regression tests never
// need a copied model file:
//   - tiny_classifier_tflite(): a complete MobileNetV2 classifier graph (alpha 0.35, 32x32
//     input, uint8 per-tensor quantization, int32 biases, the TF1 layout) with made-up
//     weights; the converter accepts it, so fuzzing starts from a graph that reaches every
//     check of the walk.
//   - operator_zoo_tflite(): one operator of each kind the reader interprets, each with its
//     option table, plus a CUSTOM TFLite_Detection_PostProcess with FlexBuffer options; not a
//     classifier, but it covers the reader's option parsing in a few kilobytes.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace flexbuffers {
class Builder;
}

namespace mnv2::fuzzing {

std::vector<uint8_t> tiny_classifier_tflite(uint32_t num_classes = 3, uint32_t seed = 7);
std::vector<uint8_t> operator_zoo_tflite();

// Writes the keys TFLite_Detection_PostProcess requires into the FlexBuffer map being built:
// the VOC model's box coder scales (10, 10, 5, 5), at most 10 detections, 20 classes, and the
// given thresholds; no IoU threshold leaves that key out.
void add_required_postprocess_options(flexbuffers::Builder& map,
                                      std::optional<float> iou_threshold,
                                      float score_threshold);

}  // namespace mnv2::fuzzing
