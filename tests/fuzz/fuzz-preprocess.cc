// libFuzzer target: the image entry points with fuzzer-chosen arguments.
//
//   1. Classifier::classify on the smallest random-weights model (alpha 0.025, 32x32, with
//      activation quantization: model/random-q8.h), in float or int8, with any width, height,
//      buffer length, crop fraction (NaN and infinities included) and top-k. The oracle is
//      exact: the call must succeed exactly when the arguments are valid, give a well-formed
//      ranking, and give the same bits when repeated.
//   2. Detector::detect on the smallest random detector, in float or int8, with any image
//      arguments and any options (min score, IoU threshold, max detections, NMS kind): it
//      succeeds exactly when they are valid, within the limits it was given.
//   3. Preprocessor directly with valid arguments and any output size: every output value
//      is a normalized convex combination of pixels, so it must lie within the normalized
//      range of a byte.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "api/classifier.h"
#include "api/detector.h"
#include "detection/random-detector.h"
#include "fuzz-support.h"
#include "model/preprocess.h"
#include "model/random-model.h"

namespace {

using mnv2::fuzzing::any_float;
using mnv2::fuzzing::broken;
using mnv2::fuzzing::repeated_bytes;

// What one run may allocate for pixels, and the usual image sides: larger images only cost
// time (every pixel goes through the instrumented resampler), not new code.
constexpr size_t kMaxBufferBytes = size_t{1} << 18;
constexpr size_t kMaxSmallSide = 96;
constexpr size_t kMaxPreprocessSide = 128;

// One model file for both precisions: integer weights with activation quantization.
std::unique_ptr<mnv2::Classifier> load_classifier(mnv2::Precision precision) {
  const std::vector<uint8_t> file = mnv2::testing::random_q8_classifier_file(0.025f, 32, 7, 3, true);
  std::string error;
  auto created = mnv2::Classifier::create(file.data(), file.size(), &error, mnv2::simd_kernels(),
                                          mnv2::Execution::kFused, 1, precision);
  if (!created) broken("the random classifier does not load", error);
  return created;
}

mnv2::Classifier& classifier(bool int8) {
  static std::unique_ptr<mnv2::Classifier> float_model = load_classifier(mnv2::Precision::kFloat32);
  static std::unique_ptr<mnv2::Classifier> int8_model = load_classifier(mnv2::Precision::kInt8);
  return int8 ? *int8_model : *float_model;
}

std::unique_ptr<mnv2::Detector> load_detector(mnv2::Precision precision) {
  mnv2::testing::RandomDetectorSpec spec;
  spec.alpha = 0.025f;
  spec.input_size = 32;
  spec.num_classes = 3;
  spec.extras = {{8, 8}, {8, 8}};
  spec.quantized = true;
  const std::vector<uint8_t> file = mnv2::testing::random_detector_file(spec);
  std::string error;
  auto created = mnv2::Detector::create(file.data(), file.size(), &error, mnv2::simd_kernels(),
                                        mnv2::Execution::kFused, precision);
  if (!created) broken("the random detector does not load", error);
  return created;
}

mnv2::Detector& detector(bool int8) {
  static std::unique_ptr<mnv2::Detector> float_model = load_detector(mnv2::Precision::kFloat32);
  static std::unique_ptr<mnv2::Detector> int8_model = load_detector(mnv2::Precision::kInt8);
  return int8 ? *int8_model : *float_model;
}

// Image arguments as a caller might pass them: dimensions mostly small, sometimes anything a
// size_t holds; a buffer that matches them unless the fuzzer asks otherwise (or they are huge).
struct Image {
  size_t width, height, bytes;
  std::vector<uint8_t> rgba;

  bool valid() const {
    return width >= 1 && height >= 1 && width <= mnv2::kMaxImageSide &&
           height <= mnv2::kMaxImageSide && bytes == width * height * 4;
  }
  std::string text() const {
    return std::to_string(width) + "x" + std::to_string(height) + " bytes " + std::to_string(bytes);
  }
};

// Takes the pixels last: they are the rest of the input.
Image any_image(FuzzedDataProvider& input, uint8_t mode) {
  Image image;
  image.width = (mode & 1) ? input.ConsumeIntegral<uint64_t>()
                           : input.ConsumeIntegralInRange<size_t>(0, kMaxSmallSide);
  image.height = (mode & 2) ? input.ConsumeIntegral<uint64_t>()
                            : input.ConsumeIntegralInRange<size_t>(0, kMaxSmallSide);
  const bool small = image.width <= 4096 && image.height <= 4096 &&
                     image.width * image.height * 4 <= kMaxBufferBytes;
  image.bytes = small ? image.width * image.height * 4 : 0;
  if ((mode & 8) || !small) image.bytes = input.ConsumeIntegralInRange<size_t>(0, kMaxBufferBytes);
  return image;
}

void expect_validity(bool ok, bool valid, const std::string& call, const std::string& error) {
  if (ok != valid) broken(ok ? "accepted invalid arguments" : "rejected valid arguments", call + ": " + error);
  if (!ok && error.empty()) broken("rejected without a message", call);
}

void classify(FuzzedDataProvider& input) {
  const uint8_t mode = input.ConsumeIntegral<uint8_t>();
  mnv2::Classifier& model = classifier(mode & 16);
  Image image = any_image(input, mode);
  const float crop = (mode & 4) ? any_float(input) : input.ConsumeFloatingPointInRange(0.0f, 1.0f);
  const size_t top_k = input.ConsumeIntegralInRange<size_t>(0, model.num_classes() + 1);
  image.rgba = repeated_bytes(input, image.bytes);

  const bool valid = image.valid() && crop > 0.0f && crop <= 1.0f && top_k >= 1 &&
                     top_k <= model.num_classes();
  std::vector<mnv2::ClassScore> top;
  std::string error;
  const bool ok = model.classify(image.rgba.data(), image.width, image.height, image.bytes, crop,
                                 top_k, &top, &error);
  expect_validity(ok, valid, image.text() + " crop " + std::to_string(crop) + " k " +
                                 std::to_string(top_k), error);
  if (!ok) return;
  if (top.size() != top_k) broken("top-k size", std::to_string(top.size()));
  for (size_t i = 0; i < top.size(); ++i) {
    if (top[i].index >= model.num_classes()) broken("class index", std::to_string(top[i].index));
    if (!(top[i].score >= 0.0f && top[i].score <= 1.0f)) broken("score", std::to_string(top[i].score));
    if (i > 0 && top[i].score > top[i - 1].score) broken("ranking", std::to_string(i));
  }
  // Same input, same bits: nothing may depend on state left by an earlier call.
  std::vector<mnv2::ClassScore> again;
  model.classify(image.rgba.data(), image.width, image.height, image.bytes, crop, top_k, &again,
                 &error);
  for (size_t i = 0; i < top.size(); ++i) {
    if (again[i].index != top[i].index ||
        std::memcmp(&again[i].score, &top[i].score, sizeof(float)) != 0) {
      broken("not deterministic", std::to_string(i));
    }
  }
}

void detect(FuzzedDataProvider& input) {
  const uint8_t mode = input.ConsumeIntegral<uint8_t>();
  mnv2::Detector& model = detector(mode & 16);
  Image image = any_image(input, mode);
  mnv2::DetectOptions options;
  options.min_score = (mode & 4) ? any_float(input) : input.ConsumeFloatingPointInRange(0.0f, 1.0f);
  options.iou_threshold = (mode & 32) ? any_float(input) : input.ConsumeFloatingPointInRange(0.0f, 1.0f);
  options.max_detections = (mode & 64) ? input.ConsumeIntegral<size_t>()
                                       : input.ConsumeIntegralInRange<size_t>(0, model.num_anchors() + 1);
  options.class_agnostic = mode & 128;
  image.rgba = repeated_bytes(input, image.bytes);

  const bool valid = image.valid() && options.min_score >= 0.0f && options.min_score <= 1.0f &&
                     options.iou_threshold >= 0.0f && options.iou_threshold <= 1.0f &&
                     options.max_detections >= 1 && options.max_detections <= model.num_anchors();
  std::vector<mnv2::Detection> found;
  std::string error;
  const bool ok = model.detect(image.rgba.data(), image.width, image.height, image.bytes, options,
                               &found, &error);
  expect_validity(ok, valid, image.text() + " minScore " + std::to_string(options.min_score) +
                                 " iou " + std::to_string(options.iou_threshold) + " max " +
                                 std::to_string(options.max_detections), error);
  if (!ok) return;
  if (found.size() > options.max_detections) broken("too many detections", std::to_string(found.size()));
  for (size_t i = 0; i < found.size(); ++i) {
    if (found[i].class_index >= model.num_classes()) broken("detection class", "");
    if (!(found[i].score >= options.min_score && found[i].score <= 1.0f)) broken("detection score", "");
    if (i > 0 && found[i].score > found[i - 1].score) broken("detections not sorted", std::to_string(i));
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
  const std::vector<uint8_t> rgba = repeated_bytes(input, width * height * 4);
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
  switch (input.ConsumeIntegralInRange<uint8_t>(0, 2)) {
    case 0: classify(input); break;
    case 1: detect(input); break;
    default: preprocess(input); break;
  }
  return 0;
}
