// The SSDLite network and the Detector on made-up weights: SIMD kernels against the reference
// kernels, fused against layer-by-layer backbone execution, the feature maps and anchors the
// file implies, option and image validation, and the loader's errors.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "api/classifier.h"
#include "api/detector.h"
#include "detection/random-detector.h"
#include "model/architecture.h"
#include "model/float-compare.h"
#include "model/random-model.h"

namespace mnv2 {
namespace {

std::unique_ptr<Detector> make(const std::vector<uint8_t>& file,
                               const KernelTable& kernels = simd_kernels(),
                               Execution execution = Execution::kFused) {
  std::string error;
  auto detector = Detector::create(file.data(), file.size(), &error, kernels, execution);
  REQUIRE_MESSAGE(detector, error);
  return detector;
}

std::string load_error(const testing::RandomDetectorSpec& spec) {
  const auto file = testing::random_detector_file(spec);
  REQUIRE(!file.empty());
  std::string error;
  auto detector = Detector::create(file.data(), file.size(), &error);
  CHECK(detector == nullptr);
  return error;
}

// Runs a detector and keeps copies of its raw head outputs.
struct Outputs {
  std::vector<float> encodings, scores;
};

Outputs run(Detector& detector, const std::vector<uint8_t>& image, size_t width, size_t height) {
  std::vector<Detection> detections;
  std::string error;
  DetectOptions options = detector.default_options();
  REQUIRE_MESSAGE(detector.detect(image.data(), width, height, image.size(), options,
                                  &detections, &error), error);
  Outputs out;
  out.encodings.assign(detector.box_encodings(),
                       detector.box_encodings() + detector.num_anchors() * 4);
  out.scores.assign(detector.class_scores(),
                    detector.class_scores() + detector.num_anchors() * detector.score_stride());
  return out;
}

}  // namespace

TEST_SUITE("ssdlite") {
  TEST_CASE("feature maps, anchors and parameters follow from the weight file") {
    testing::RandomDetectorSpec spec;  // alpha 0.35, 128x128, 3 classes
    auto detector = make(testing::random_detector_file(spec));
    const NetworkDescription& net = detector->network().description();
    CHECK(detector->input_size() == 128);
    CHECK(detector->num_classes() == 3);
    CHECK(detector->labels().size() == 3);
    REQUIRE(net.ssd.maps.size() == 6);
    const size_t sizes[] = {8, 4, 2, 1, 1, 1};
    const ArchitectureShape arch = mobilenet_v2_architecture(0.35f);
    const size_t channels[] = {arch.blocks[13].expanded_channels, arch.head_channels, 64, 32, 32,
                               16};
    size_t anchors = 0;
    for (size_t m = 0; m < 6; ++m) {
      CAPTURE(m);
      const Value& map = net.values[net.ssd.maps[m]];
      CHECK(map.height == sizes[m]);
      CHECK(map.width == sizes[m]);
      CHECK(map.channels == channels[m]);
      CHECK(net.ssd.anchors_per_cell[m] == (m == 0 ? 3u : 6u));
      anchors += sizes[m] * sizes[m] * net.ssd.anchors_per_cell[m];
    }
    CHECK(detector->num_anchors() == anchors);
    CHECK(detector->anchors().size() == anchors);
    CHECK(detector->score_stride() == 4);
    CHECK(net.ssd.postprocess.iou_threshold == 0.6f);
    const DetectOptions defaults = detector->default_options();
    CHECK(defaults.min_score == 0.5f);
    CHECK(defaults.max_detections == 20);
    CHECK(defaults.iou_threshold == 0.6f);
    CHECK(defaults.class_agnostic);
  }

  TEST_CASE("SIMD kernels give what the reference kernels give, fused or layer by layer") {
    // 160 gives feature maps 10, 5, 3, 2, 1, 1 (asymmetric SAME padding in the extra layers),
    // 113 odd sizes in the backbone's stride-2 layers (57, 29, 15).
    for (uint32_t resolution : {160u, 113u}) {
      CAPTURE(resolution);
      testing::RandomDetectorSpec spec;
      spec.input_size = resolution;
      spec.seed = resolution;
      const auto file = testing::random_detector_file(spec);
      auto simd = make(file);
      auto ref = make(file, reference_kernels());
      auto layered = make(file, simd_kernels(), Execution::kLayerByLayer);
      const auto image = testing::random_image(171, 133, 5);
      const Outputs a = run(*simd, image, 171, 133);
      const Outputs b = run(*ref, image, 171, 133);
      const Outputs c = run(*layered, image, 171, 133);
      float spread = 0.0f;
      for (float v : b.encodings) spread = std::max(spread, std::fabs(v));
      CHECK(spread > 1e-2f);  // a head of zeros would compare equal too
      CHECK(relative_difference(a.encodings.data(), b.encodings.data(), a.encodings.size()) <= 1e-4f);
      CHECK(relative_difference(a.scores.data(), b.scores.data(), a.scores.size()) <= 1e-4f);
      // Fused and layer by layer run the same kernels on the same values: bit for bit equal.
      CHECK(c.encodings == a.encodings);
      CHECK(c.scores == a.scores);
      for (float score : a.scores) CHECK((score > 0.0f && score < 1.0f));
    }
  }

  TEST_CASE("detections are sorted, within the limits, and in the image's pixels") {
    auto detector = make(testing::random_detector_file({}));
    const size_t width = 200, height = 90;
    const auto image = testing::random_image(width, height, 9);
    std::vector<Detection> detections;
    std::string error;
    DetectOptions options = detector->default_options();
    options.min_score = 0.0f;
    options.iou_threshold = 1.0f;  // nothing suppressed: exactly max_detections come out
    options.max_detections = 7;
    REQUIRE(detector->detect(image.data(), width, height, image.size(), options, &detections,
                             &error));
    REQUIRE(detections.size() == 7);
    for (size_t i = 0; i < detections.size(); ++i) {
      const Detection& d = detections[i];
      CHECK(d.class_index < 3);
      if (i > 0) CHECK(detections[i - 1].score >= d.score);
      CHECK(d.width > 0.0f);
      CHECK(d.height > 0.0f);
    }
    // Each detection is one of the decoded boxes scaled to the image.
    for (const Detection& d : detections) {
      bool found = false;
      for (const Box& box : detector->boxes()) {
        found = found || (std::fabs(box.xmin * width - d.x) < 1e-3f &&
                          std::fabs(box.ymin * height - d.y) < 1e-3f &&
                          std::fabs((box.ymax - box.ymin) * height - d.height) < 1e-3f);
      }
      CHECK(found);
    }
    // The same call again gives the same answer; per-class NMS is at least as generous.
    std::vector<Detection> again;
    REQUIRE(detector->detect(image.data(), width, height, image.size(), options, &again, &error));
    REQUIRE(again.size() == detections.size());
    for (size_t i = 0; i < again.size(); ++i) CHECK(again[i].score == detections[i].score);
    options.class_agnostic = false;
    options.max_detections = 50;
    REQUIRE(detector->detect(image.data(), width, height, image.size(), options, &again, &error));
    CHECK(again.size() == 50);
    options.min_score = 1.0f;
    REQUIRE(detector->detect(image.data(), width, height, image.size(), options, &again, &error));
    CHECK(again.empty());
  }

  TEST_CASE("bad options and images are refused with a message naming them") {
    auto detector = make(testing::random_detector_file({}));
    const auto image = testing::random_image(16, 16, 1);
    std::vector<Detection> out;
    std::string error;
    auto refused = [&](DetectOptions options, const char* fragment) {
      CHECK_FALSE(detector->detect(image.data(), 16, 16, image.size(), options, &out, &error));
      CHECK_MESSAGE(error.find(fragment) != std::string::npos, error);
    };
    DetectOptions o = detector->default_options();
    o.min_score = std::nanf("");
    refused(o, "minScore");
    o = detector->default_options();
    o.min_score = 1.5f;
    refused(o, "minScore");
    o = detector->default_options();
    o.iou_threshold = -0.1f;
    refused(o, "iouThreshold");
    o = detector->default_options();
    o.max_detections = 0;
    refused(o, "maxDetections");
    o.max_detections = detector->num_anchors() + 1;
    refused(o, "maxDetections");
    CHECK_FALSE(detector->detect(image.data(), 16, 16, image.size() - 1,
                                 detector->default_options(), &out, &error));
    CHECK(error.find("bytes") != std::string::npos);
    CHECK_FALSE(detector->detect(image.data(), 0, 16, 0, detector->default_options(), &out,
                                 &error));
    CHECK(error.find("empty") != std::string::npos);
  }

  TEST_CASE("the loader names what is wrong with a detector file") {
    testing::RandomDetectorSpec spec;
    spec.omit = "postprocess.params";
    CHECK(load_error(spec).find("postprocess.params") != std::string::npos);
    spec.omit = "anchors.params";
    CHECK(load_error(spec).find("anchors.params") != std::string::npos);
    spec.omit = "class2.pw.w";
    CHECK(load_error(spec).find("class2.pw.w") != std::string::npos);
    spec.omit = "";
    spec.misshape = "box0.pw.w";  // 13 outputs where 3 anchors x 4 are needed
    const std::string box = load_error(spec);
    CHECK_MESSAGE(box.find("box0.pw.w") != std::string::npos, box);
    CHECK(box.find("[12,1,1,") != std::string::npos);
    spec.misshape = "extra1.dw.w";
    CHECK(load_error(spec).find("extra1.dw.w") != std::string::npos);

    std::string error;
    const auto classifier = testing::random_classifier_file(0.35f, 96, 5, 1);
    CHECK(Detector::create(classifier.data(), classifier.size(), &error) == nullptr);
    CHECK(error.find("classifier, not a detector") != std::string::npos);
    const auto detector = testing::random_detector_file({});
    CHECK(Classifier::create(detector.data(), detector.size(), &error) == nullptr);
    CHECK(error.find("detector, not a classifier") != std::string::npos);
    const std::vector<uint8_t> truncated(detector.begin(), detector.begin() + 100);
    CHECK(Detector::create(truncated.data(), truncated.size(), &error) == nullptr);
    CHECK_FALSE(error.empty());
  }
}

}  // namespace mnv2
