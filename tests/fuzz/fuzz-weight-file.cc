// libFuzzer target: the .mnv2 loader and everything that consumes its result (the classifier
// and, for detector files, the SSDLite detector).
//
// Each input is tried twice: as given (the header and checksum checks), and with file_bytes
// and the CRC rewritten to match, because a random mutation almost never keeps the CRC-32
// right and would otherwise stop at the checksum; the second pass lets mutations reach the
// tensor table, tensor records, labels, shape checks, weight packing and a full inference.
//
// Oracles beyond ASan/UBSan: a rejected file must come with a message; an accepted file's
// views must lie inside the input; a model that loads must classify a small image.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "api/classifier.h"
#include "api/detector.h"
#include "model/weight-file.h"

namespace {

[[noreturn]] void broken(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz-weight-file: %s: %s\n", what, detail.c_str());
  __builtin_trap();
}

bool inside(const uint8_t* p, size_t bytes, const uint8_t* data, size_t size) {
  return p >= data && bytes <= size && static_cast<size_t>(p - data) <= size - bytes;
}

void check_view(const mnv2::WeightFileView& view, const uint8_t* data, size_t size) {
  for (const mnv2::TensorView& t : view.tensors) {
    const size_t element = t.type == mnv2::TensorType::kF32 || t.type == mnv2::TensorType::kI32 ? 4 : 1;
    if (!inside(t.data, t.elements * element, data, size)) broken("tensor data outside", t.name);
    if (t.type != mnv2::TensorType::kF32 &&
        !inside(reinterpret_cast<const uint8_t*>(t.scales), t.quant_count * 8, data, size)) {
      broken("quant params outside", t.name);
    }
    std::vector<float> values;
    mnv2::dequantize(t, &values);  // reads every element and quant param: ASan checks them
    if (values.size() != t.elements) broken("dequantize size", t.name);
  }
  if (view.labels.size() != view.header.num_classes) broken("label count", "");
}

// Small pixels for one inference: 3x2, with a centre crop.
const uint8_t kPixels[3 * 2 * 4] = {0, 50, 100, 255, 255, 0, 9, 1, 7, 7, 7, 7,
                                    200, 100, 50, 0, 1, 2, 3, 4, 128, 128, 128, 128};

void try_detector(const uint8_t* data, size_t size, mnv2::Execution execution) {
  std::string error;
  auto detector = mnv2::Detector::create(data, size, &error, mnv2::simd_kernels(), execution);
  if (!detector) {
    if (error.empty()) broken("detector rejected without a message", "");
    return;
  }
  mnv2::DetectOptions options = detector->default_options();
  // Every box is a candidate (the most work for decoding and NMS), at most 100 kept: NMS is
  // O(candidates x kept), and keeping all 13,596 boxes of a mutated 832x832 detector took
  // 14 s here under ASan (0.35 s in the release WASM build), which libFuzzer calls a hang.
  options.min_score = 0.0f;
  options.max_detections = std::min<size_t>(detector->num_anchors(), 100);
  std::vector<mnv2::Detection> found;
  if (!detector->detect(kPixels, 3, 2, sizeof kPixels, options, &found, &error)) {
    broken("detect failed on a loaded detector", error);
  }
  for (const mnv2::Detection& d : found) {
    if (d.class_index >= detector->num_classes()) broken("detection class", "");
  }
}

void try_file(const uint8_t* data, size_t size, bool layer_by_layer) {
  mnv2::WeightFileView view;
  std::string error;
  if (!mnv2::parse_weight_file(data, size, &view, &error)) {
    if (error.empty()) broken("rejected without a message", "");
    return;
  }
  check_view(view, data, size);
  if (view.header.model_kind == static_cast<uint32_t>(mnv2::ModelKind::kDetector)) {
    try_detector(data, size,
                 layer_by_layer ? mnv2::Execution::kLayerByLayer : mnv2::Execution::kFused);
    return;
  }

  // The int8 network has its own loader (activation quantization, requantization scales).
  auto quantized = mnv2::Classifier::create(data, size, &error, mnv2::simd_kernels(),
                                            mnv2::Execution::kFused, 1, mnv2::Precision::kInt8);
  if (quantized) {
    std::vector<mnv2::ClassScore> top;
    if (!quantized->classify(kPixels, 3, 2, sizeof kPixels, 1.0f, quantized->num_classes(), &top,
                             &error)) {
      broken("int8 classify failed on a loaded model", error);
    }
  } else if (error.empty()) {
    broken("int8 model rejected without a message", "");
  }
  auto classifier = mnv2::Classifier::create(
      data, size, &error, mnv2::simd_kernels(),
      layer_by_layer ? mnv2::Execution::kLayerByLayer : mnv2::Execution::kFused);
  if (!classifier) {
    if (error.empty()) broken("model rejected without a message", "");
    return;
  }
  // Any weights, NaN and infinities included, must give a ranked answer, not a crash.
  std::vector<mnv2::ClassScore> top;
  const size_t k = classifier->num_classes();
  if (!classifier->classify(kPixels, 3, 2, sizeof kPixels, 0.875f, k, &top, &error)) {
    broken("classify failed on a loaded model", error);
  }
  if (top.size() != k) broken("top-k size", std::to_string(top.size()));
  std::vector<bool> seen(k, false);
  for (const mnv2::ClassScore& entry : top) {
    if (entry.index >= k || seen[entry.index]) broken("bad or repeated class index", "");
    seen[entry.index] = true;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The last byte picks the execution, so both memory plans get fuzzed.
  const bool layer_by_layer = size > 0 && (data[size - 1] & 1) != 0;
  try_file(data, size, layer_by_layer);
  if (size < sizeof(mnv2::FileHeader)) return 0;

  std::vector<uint8_t> fixed(data, data + size);
  mnv2::FileHeader header;
  std::memcpy(&header, fixed.data(), sizeof header);
  header.file_bytes = size;
  header.checksum = mnv2::crc32(fixed.data() + sizeof header, size - sizeof header);
  std::memcpy(fixed.data(), &header, sizeof header);
  try_file(fixed.data(), fixed.size(), layer_by_layer);
  return 0;
}
