// libFuzzer target: the image entry points with fuzzer-chosen arguments.
//
//   1. Classifier::classify on a random-weights model (alpha 0.35, 37x37 input: a whole
//      inference costs well under a millisecond), or on an int8 one (the tiny TFLite seed
//      converted, 32x32), with any width, height, buffer length,
//      crop fraction (NaN and infinities included) and top-k. The oracle is exact: the call
//      must succeed exactly when the arguments are valid, give a well-formed ranking, and
//      give the same bits when repeated.
//   2. Preprocessor directly with valid arguments and any output size: every output value
//      is a normalized convex combination of pixels, so it must lie within the normalized
//      range of a byte.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "api/classifier.h"
#include "model/preprocess.h"
#include "model/random-model.h"
#include "native/tflite-seeds.h"
#include "tflite/convert-classifier.h"

namespace {

constexpr size_t kMaxBufferBytes = size_t{1} << 20;  // what one run may allocate for pixels
constexpr size_t kMaxPreprocessSide = 256;            // keeps units fast

[[noreturn]] void broken(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz-preprocess: %s: %s\n", what, detail.c_str());
  __builtin_trap();
}

mnv2::Classifier& classifier() {
  static std::unique_ptr<mnv2::Classifier> model = [] {
    const std::vector<uint8_t> file = mnv2::testing::random_classifier_file(0.35f, 37, 7, 3);
    std::string error;
    auto created = mnv2::Classifier::create(file.data(), file.size(), &error);
    if (!created) broken("the random model does not load", error);
    return created;
  }();
  return *model;
}

// The int8 network (its own input quantization and kernels): the tiny TFLite classifier
// converted, since int8 needs the activation quantization only the converter writes.
mnv2::Classifier& quantized_classifier() {
  static std::unique_ptr<mnv2::Classifier> model = [] {
    const std::vector<uint8_t> tflite = mnv2::fuzzing::tiny_classifier_tflite(3);
    const auto converted = mnv2::tflite::convert_classifier(tflite.data(), tflite.size(), {"a", "b", "c"});
    if (!converted.ok) broken("the tiny TFLite classifier does not convert", converted.error);
    std::string error;
    auto created = mnv2::Classifier::create(converted.file.data(), converted.file.size(), &error,
                                            mnv2::simd_kernels(), mnv2::Execution::kFused, 1,
                                            mnv2::Precision::kInt8);
    if (!created) broken("the int8 model does not load", error);
    return created;
  }();
  return *model;
}

// Pixels for the call: a buffer of exactly `bytes` bytes, filled by repeating the fuzzer's
// remaining bytes (so a short input still describes a large image).
std::vector<uint8_t> pixels(FuzzedDataProvider& input, size_t bytes) {
  const std::vector<uint8_t> pattern = input.ConsumeRemainingBytes<uint8_t>();
  std::vector<uint8_t> out(bytes, 0x5a);
  if (pattern.empty() || bytes == 0) return out;
  // Doubling copies: a byte loop here would be instrumented and dominate the run time.
  size_t filled = std::min(pattern.size(), bytes);
  std::memcpy(out.data(), pattern.data(), filled);
  while (filled < bytes) {
    const size_t chunk = std::min(filled, bytes - filled);
    std::memcpy(out.data() + filled, out.data(), chunk);
    filled += chunk;
  }
  return out;
}

float any_float(FuzzedDataProvider& input) {
  const uint32_t bits = input.ConsumeIntegral<uint32_t>();
  float value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

void classify(FuzzedDataProvider& input) {
  const uint8_t mode = input.ConsumeIntegral<uint8_t>();
  mnv2::Classifier& model = (mode & 16) ? quantized_classifier() : classifier();
  // Dimensions: mostly small, sometimes anything a size_t can hold.
  const size_t width = (mode & 1) ? input.ConsumeIntegral<uint64_t>()
                                  : input.ConsumeIntegralInRange<size_t>(0, 160);
  const size_t height = (mode & 2) ? input.ConsumeIntegral<uint64_t>()
                                   : input.ConsumeIntegralInRange<size_t>(0, 160);
  const float crop = (mode & 4) ? any_float(input) : input.ConsumeFloatingPointInRange(0.0f, 1.0f);
  const size_t top_k = input.ConsumeIntegralInRange<size_t>(0, model.num_classes() + 1);
  // The buffer matches the dimensions unless the fuzzer asks otherwise (or they are huge).
  const bool small = width <= 4096 && height <= 4096 && width * height * 4 <= kMaxBufferBytes;
  size_t bytes = small ? width * height * 4 : 0;
  if ((mode & 8) || !small) {
    bytes = input.ConsumeIntegralInRange<size_t>(0, kMaxBufferBytes);
  }
  const std::vector<uint8_t> rgba = pixels(input, bytes);

  const bool valid = width >= 1 && height >= 1 && width <= mnv2::kMaxImageSide &&
                     height <= mnv2::kMaxImageSide && bytes == width * height * 4 &&
                     crop > 0.0f && crop <= 1.0f && top_k >= 1 && top_k <= model.num_classes();
  std::vector<mnv2::ClassScore> top;
  std::string error;
  const bool ok = model.classify(rgba.data(), width, height, bytes, crop, top_k, &top, &error);
  if (ok != valid) {
    broken(ok ? "accepted invalid arguments" : "rejected valid arguments",
           std::to_string(width) + "x" + std::to_string(height) + " bytes " +
               std::to_string(bytes) + " crop " + std::to_string(crop) + " k " +
               std::to_string(top_k) + ": " + error);
  }
  if (!ok) {
    if (error.empty()) broken("rejected without a message", "");
    return;
  }
  if (top.size() != top_k) broken("top-k size", std::to_string(top.size()));
  for (size_t i = 0; i < top.size(); ++i) {
    if (top[i].index >= model.num_classes()) broken("class index", std::to_string(top[i].index));
    if (!(top[i].score >= 0.0f && top[i].score <= 1.0f)) broken("score", std::to_string(top[i].score));
    if (i > 0 && top[i].score > top[i - 1].score) broken("ranking", std::to_string(i));
  }
  // Same input, same bits: nothing may depend on state left by an earlier call.
  std::vector<mnv2::ClassScore> again;
  model.classify(rgba.data(), width, height, bytes, crop, top_k, &again, &error);
  for (size_t i = 0; i < top.size(); ++i) {
    if (again[i].index != top[i].index ||
        std::memcmp(&again[i].score, &top[i].score, sizeof(float)) != 0) {
      broken("not deterministic", std::to_string(i));
    }
  }
}

void preprocess(FuzzedDataProvider& input) {
  const size_t width = input.ConsumeIntegralInRange<size_t>(1, kMaxPreprocessSide);
  const size_t height = input.ConsumeIntegralInRange<size_t>(1, kMaxPreprocessSide);
  mnv2::PreprocessSpec spec;
  spec.output_size = input.ConsumeIntegralInRange<size_t>(1, 64);
  spec.mean = input.ConsumeFloatingPointInRange(-300.0f, 300.0f);
  spec.std = input.ConsumeFloatingPointInRange(0.01f, 300.0f);
  spec.crop_fraction = input.ConsumeFloatingPointInRange(1e-6f, 1.0f);
  const std::vector<uint8_t> rgba = pixels(input, width * height * 4);
  std::vector<float> output(spec.output_size * spec.output_size * 3);
  mnv2::Preprocessor preprocessor;
  preprocessor.run(rgba.data(), width, height, spec, output.data());
  const float low = (0.0f - spec.mean) / spec.std, high = (255.0f - spec.mean) / spec.std;
  const float slack = 1e-3f * (std::fabs(low) + std::fabs(high) + 1.0f);
  for (float value : output) {
    if (!(value >= low - slack && value <= high + slack)) {
      broken("preprocessed value out of range", std::to_string(value));
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider input(data, size);
  if (input.ConsumeBool()) {
    classify(input);
  } else {
    preprocess(input);
  }
  return 0;
}
