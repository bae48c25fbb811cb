// libFuzzer target: the TFLite reader (FlatBuffer verifier + index/size checks), then both
// converters on whatever graph it accepts, and the FlexBuffer postprocess-options parser.
//
// Oracles beyond ASan/UBSan: every rejection has a message; a weight file a converter writes
// must be one the engine's loader accepts (and, for classifiers, can build a network from),
// since the converter promises to check everything the loader checks.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "api/classifier.h"
#include "fuzz-support.h"
#include "model/weight-file.h"
#include "tflite/convert-classifier.h"
#include "tflite/convert-detector.h"
#include "tflite/postprocess-options.h"
#include "tflite/tflite-reader.h"

namespace {

using mnv2::fuzzing::broken;

std::vector<std::string> labels(size_t count) {
  std::vector<std::string> out;
  for (size_t i = 0; i < count; ++i) out.push_back("label " + std::to_string(i));
  return out;
}

void check_converted(const std::vector<uint8_t>& file, bool classifier) {
  mnv2::WeightFileView view;
  std::string error;
  if (!mnv2::parse_weight_file(file.data(), file.size(), &view, &error)) {
    broken("the loader rejects what the converter wrote", error);
  }
  if (classifier && !mnv2::Classifier::create(file.data(), file.size(), &error)) {
    broken("no network from what the converter wrote", error);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const mnv2::tflite::ReadResult read = mnv2::tflite::read_tflite(data, size);
  if (!read.ok) {
    if (read.error.empty()) broken("rejected without a message", "");
  } else {
    // The seeds' classifier has 3 classes and the detector options say 20; other counts
    // still walk the whole graph and fail at the label check.
    const auto classifier = mnv2::tflite::convert_classifier(read.graph, labels(3));
    if (classifier.ok) {
      check_converted(classifier.file, true);
    } else if (classifier.error.empty()) {
      broken("classifier conversion failed without a message", "");
    }
    const auto detector = mnv2::tflite::convert_detector(read.graph, labels(20));
    if (detector.ok) {
      check_converted(detector.file, false);
    } else if (detector.error.empty()) {
      broken("detector conversion failed without a message", "");
    }
    for (const mnv2::tflite::Operator& op : read.graph.operators) {
      if (op.custom_options.empty()) continue;
      mnv2::PostprocessParams params;
      std::string error;
      if (!mnv2::tflite::read_postprocess_options(op.custom_options, &params, &error) &&
          error.empty()) {
        broken("postprocess options rejected without a message", "");
      }
    }
  }
  return 0;
}
