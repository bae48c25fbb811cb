// libFuzzer target: the .mnv2 loader and the classifier built from it, in both precisions.
//
// Inputs are weight files as the loader sees them (weight-file-mutator.cc keeps their size and
// checksum consistent), seeded with the smallest networks the loader accepts (alpha 0.025:
// every channel count 8, 32x32 input, 2 classes, ~40 KB) with integer weights and activation
// quantization, so both the float and the int8 engine load them and one inference is cheap.
// Per input: parse, int8 construction + one classify, float construction (execution and
// threads picked by the checksum's low bits, i.e. at random per input) + one classify, and
// for one input in four the other execution too, which must give the same bits.
//
// Oracles beyond ASan/UBSan: a rejected file or model comes with a message; an accepted file's
// views lie inside the input; a model that loads classifies, with a complete ranking of
// distinct classes; fused and layer-by-layer execution agree bit for bit.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "api/classifier.h"
#include "fuzz-support.h"

namespace {

using mnv2::fuzzing::broken;
using mnv2::fuzzing::kImage;
using mnv2::fuzzing::kImageHeight;
using mnv2::fuzzing::kImageWidth;

std::unique_ptr<mnv2::Classifier> create(const uint8_t* data, size_t size, mnv2::Execution execution,
                                         size_t threads, mnv2::Precision precision) {
  std::string error;
  auto model = mnv2::Classifier::create(data, size, &error, mnv2::simd_kernels(), execution,
                                        threads, precision);
  if (!model && error.empty()) broken("model rejected without a message", "");
  return model;
}

bool affordable(const mnv2::Classifier& model) {
  return mnv2::fuzzing::total_macs(model.summary()) <= mnv2::fuzzing::kMaxInferenceMacs;
}

// Any weights, NaN and infinities included, must give a complete ranking of distinct classes.
void classify(mnv2::Classifier& model) {
  std::vector<mnv2::ClassScore> top;
  std::string error;
  const size_t k = model.num_classes();
  if (!model.classify(kImage, kImageWidth, kImageHeight, sizeof kImage, 0.875f, k, &top, &error)) {
    broken("classify failed on a loaded model", error);
  }
  if (top.size() != k) broken("top-k size", std::to_string(top.size()));
  std::vector<bool> seen(k, false);
  for (const mnv2::ClassScore& entry : top) {
    if (entry.index >= k || seen[entry.index]) broken("bad or repeated class index", "");
    seen[entry.index] = true;
  }
}

bool same_bits(float a, float b) {
  return (std::isnan(a) && std::isnan(b)) || std::memcmp(&a, &b, sizeof a) == 0;
}

// The other execution of the same file gives the same features (a project invariant).
void compare_executions(const uint8_t* data, size_t size, mnv2::Classifier& model,
                        mnv2::Execution other) {
  auto twin = create(data, size, other, 1, mnv2::Precision::kFloat32);
  if (!twin) return;  // the other plan may exceed the memory bound
  std::string error;
  const float* a = model.embed(kImage, kImageWidth, kImageHeight, sizeof kImage, 0.875f, &error);
  const std::vector<float> features(a, a + model.feature_size());
  const float* b = twin->embed(kImage, kImageWidth, kImageHeight, sizeof kImage, 0.875f, &error);
  for (size_t i = 0; i < features.size(); ++i) {
    if (!same_bits(features[i], b[i])) broken("fused and layer-by-layer differ", std::to_string(i));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mnv2::WeightFileView view;
  if (!mnv2::fuzzing::parse_and_check(data, size, &view)) return 0;
  // Per-input choices from the checksum: different for every mutated file, fixed per input.
  const uint32_t choice = view.header.checksum;
  if (!mnv2::fuzzing::worth_building(view.header, choice)) return 0;

  if (auto quantized = create(data, size, mnv2::Execution::kFused, 1, mnv2::Precision::kInt8)) {
    if (affordable(*quantized)) classify(*quantized);
  }
  const mnv2::Execution execution =
      (choice & 1) ? mnv2::Execution::kLayerByLayer : mnv2::Execution::kFused;
  const size_t threads = (choice & 6) == 6 ? 2 : 1;
  auto model = create(data, size, execution, threads, mnv2::Precision::kFloat32);
  if (!model || !affordable(*model)) return 0;
  classify(*model);
  if ((choice & 24) == 0) {
    compare_executions(data, size, *model,
                       execution == mnv2::Execution::kFused ? mnv2::Execution::kLayerByLayer
                                                            : mnv2::Execution::kFused);
  }
  return 0;
}
