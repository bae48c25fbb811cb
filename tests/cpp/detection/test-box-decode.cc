// Box decoding with the faster_rcnn coder and the postprocess parameters' encoding.
#include <doctest/doctest.h>

#include <cmath>

#include "detection/random-detector.h"
#include "model/box-decode.h"
#include "model/postprocess-params.h"

namespace mnv2 {

TEST_SUITE("box decoding") {
  TEST_CASE("a zero encoding is the anchor itself") {
    const Anchor anchor = {0.5f, 0.25f, 0.2f, 0.4f};
    const float encoding[4] = {0, 0, 0, 0};
    Box box;
    decode_boxes(encoding, &anchor, 1, {10, 10, 5, 5}, &box);
    CHECK(box.ymin == doctest::Approx(0.4f));
    CHECK(box.ymax == doctest::Approx(0.6f));
    CHECK(box.xmin == doctest::Approx(0.05f));
    CHECK(box.xmax == doctest::Approx(0.45f));
  }

  TEST_CASE("encodings shift by scaled anchor sizes and scale sizes exponentially") {
    const Anchor anchors[2] = {{0.5f, 0.5f, 0.2f, 0.2f}, {0.1f, 0.9f, 0.1f, 0.3f}};
    // ty = 10 -> +1 anchor height; th = 5 ln 2 -> twice the height; tw = -5 ln 2 -> half.
    const float ln2 = std::log(2.0f);
    const float encodings[8] = {10, -5, 5 * ln2, -5 * ln2, 0, 0, 0, 0};
    Box boxes[2];
    decode_boxes(encodings, anchors, 2, {10, 10, 5, 5}, boxes);
    CHECK(boxes[0].ymin == doctest::Approx(0.7f - 0.2f));  // centre 0.7, height 0.4
    CHECK(boxes[0].ymax == doctest::Approx(0.7f + 0.2f));
    CHECK(boxes[0].xmin == doctest::Approx(0.4f - 0.05f));  // centre 0.4, width 0.1
    CHECK(boxes[0].xmax == doctest::Approx(0.4f + 0.05f));
    CHECK(boxes[1].ymin == doctest::Approx(0.05f));
    CHECK(boxes[1].xmax == doctest::Approx(1.05f));  // not clipped: the model's box as is
  }

  TEST_CASE("sigmoid") {
    float values[3] = {0.0f, 2.0f, -2.0f};
    sigmoid(values, 3, values);
    CHECK(values[0] == doctest::Approx(0.5f));
    CHECK(values[1] == doctest::Approx(1.0f / (1.0f + std::exp(-2.0f))));
    CHECK(values[1] + values[2] == doctest::Approx(1.0f));
  }

  TEST_CASE("postprocess parameters round-trip and are range-checked") {
    PostprocessParams p = testing::voc_postprocess_params(20);
    p.use_regular_nms = true;
    PostprocessParams back;
    std::string error;
    REQUIRE(decode_postprocess_params(encode_postprocess_params(p), &back, &error));
    CHECK(back.scales.h == 5.0f);
    CHECK(back.iou_threshold == 0.6f);
    CHECK(back.max_detections == 10);
    CHECK(back.use_regular_nms);
    CHECK(back.num_classes == 20);

    auto refused = [&](size_t index, float value, const char* fragment) {
      std::vector<float> values = encode_postprocess_params(p);
      values[index] = value;
      CHECK_FALSE(decode_postprocess_params(values, &back, &error));
      CHECK_MESSAGE(error.find(fragment) != std::string::npos, error);
    };
    refused(0, 0.0f, "scale");
    refused(3, std::nanf(""), "scale");
    refused(4, 1.5f, "nms_iou_threshold");
    refused(6, 2.5f, "max_detections");
    refused(7, 2.0f, "max_classes_per_detection");
    refused(9, 0.5f, "use_regular_nms");
    refused(10, 0.0f, "num_classes");
    CHECK_FALSE(decode_postprocess_params({1, 2, 3}, &back, &error));
    CHECK(error.find("expected 11") != std::string::npos);
  }
}

}  // namespace mnv2
