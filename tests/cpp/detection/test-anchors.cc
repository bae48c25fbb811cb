// Anchor generation from the SSD anchor generator's parameters: the box sizes and order of the
// TF Object Detection API's ssd_anchor_generator, checked on hand-computed values. The check
// against the real model's stored anchor tensor is in native/test-tflite-detector.cc.
#include <doctest/doctest.h>

#include <cmath>

#include "detection/random-detector.h"
#include "model/anchors.h"

namespace mnv2 {
namespace {

AnchorParams voc() { return testing::voc_anchor_params(); }

void check_anchor(const Anchor& a, float y, float x, float h, float w) {
  CHECK(a.y == doctest::Approx(y).epsilon(1e-6));
  CHECK(a.x == doctest::Approx(x).epsilon(1e-6));
  CHECK(a.h == doctest::Approx(h).epsilon(1e-6));
  CHECK(a.w == doctest::Approx(w).epsilon(1e-6));
}

}  // namespace

TEST_SUITE("anchors") {
  TEST_CASE("boxes per cell: 3 on a reduced lowest layer, ratios + 1 interpolated elsewhere") {
    const AnchorParams p = voc();
    CHECK(anchors_per_cell(p, 0) == 3);
    for (size_t layer = 1; layer < 6; ++layer) CHECK(anchors_per_cell(p, layer) == 6);
    AnchorParams full = p;
    full.reduce_boxes_in_lowest_layer = false;
    CHECK(anchors_per_cell(full, 0) == 6);
    AnchorParams plain = p;
    plain.interpolated_scale_aspect_ratio = 0.0f;
    CHECK(anchors_per_cell(plain, 3) == 5);
  }

  TEST_CASE("the VOC model's grids give 1917 anchors in row, column, box order") {
    const std::vector<Anchor> anchors = generate_anchors(voc(), {19, 10, 5, 3, 2, 1});
    REQUIRE(anchors.size() == 19 * 19 * 3 + (100 + 25 + 9 + 4 + 1) * 6);
    REQUIRE(anchors.size() == 1917);
    const float c19 = 0.5f / 19.0f;
    // Lowest layer: (0.1, 1), (0.2, 2), (0.2, 0.5); a box (s, r) is s / sqrt(r) high.
    check_anchor(anchors[0], c19, c19, 0.1f, 0.1f);
    check_anchor(anchors[1], c19, c19, 0.2f / std::sqrt(2.0f), 0.2f * std::sqrt(2.0f));
    check_anchor(anchors[2], c19, c19, 0.2f * std::sqrt(2.0f), 0.2f / std::sqrt(2.0f));
    check_anchor(anchors[3], c19, 3 * c19, 0.1f, 0.1f);          // next column
    check_anchor(anchors[19 * 3], 3 * c19, c19, 0.1f, 0.1f);     // next row
    // Layer 1 (10x10): scale 0.2 + 0.75 / 5 = 0.35, ratios in order, then sqrt(0.35 * 0.5).
    const size_t first = 19 * 19 * 3;
    check_anchor(anchors[first + 0], 0.05f, 0.05f, 0.35f, 0.35f);
    check_anchor(anchors[first + 3], 0.05f, 0.05f, 0.35f / std::sqrt(3.0f), 0.35f * std::sqrt(3.0f));
    check_anchor(anchors[first + 4], 0.05f, 0.05f, 0.35f / std::sqrt(0.3333f),
                 0.35f * std::sqrt(0.3333f));
    const float interpolated = std::sqrt(0.35f * 0.5f);
    check_anchor(anchors[first + 5], 0.05f, 0.05f, interpolated, interpolated);
    // Last layer (1x1): scale 0.95, interpolated with 1.0.
    const float last = std::sqrt(0.95f);
    check_anchor(anchors.back(), 0.5f, 0.5f, last, last);
  }

  TEST_CASE("parameters round-trip through their weight file encoding") {
    const AnchorParams p = voc();
    AnchorParams back;
    std::string error;
    REQUIRE(decode_anchor_params(encode_anchor_params(p), &back, &error));
    CHECK(back.min_scale == p.min_scale);
    CHECK(back.max_scale == p.max_scale);
    CHECK(back.aspect_ratios == p.aspect_ratios);
    CHECK(back.interpolated_scale_aspect_ratio == p.interpolated_scale_aspect_ratio);
    CHECK(back.reduce_boxes_in_lowest_layer == p.reduce_boxes_in_lowest_layer);
  }

  TEST_CASE("unusable parameters are refused with a reason") {
    std::string error;
    AnchorParams p;
    CHECK_FALSE(decode_anchor_params({0.2f, 0.95f, 1.0f, 1.0f}, &p, &error));
    CHECK(error.find("at least 5") != std::string::npos);
    CHECK_FALSE(decode_anchor_params({0.2f, 0.95f, 1.0f, 0.5f, 1.0f}, &p, &error));
    CHECK(error.find("reduce_boxes_in_lowest_layer") != std::string::npos);

    AnchorParams bad = voc();
    CHECK(check_anchor_params(bad, 6, &error));
    CHECK_FALSE(check_anchor_params(bad, 0, &error));
    bad.max_scale = 0.1f;  // below min_scale
    CHECK_FALSE(check_anchor_params(bad, 6, &error));
    CHECK(error.find("min_scale") != std::string::npos);
    bad = voc();
    bad.aspect_ratios.push_back(-1.0f);
    CHECK_FALSE(check_anchor_params(bad, 6, &error));
    CHECK(error.find("aspect ratio") != std::string::npos);
    bad = voc();
    bad.aspect_ratios.clear();
    CHECK_FALSE(check_anchor_params(bad, 6, &error));
    bad = voc();
    bad.min_scale = std::nanf("");
    CHECK_FALSE(check_anchor_params(bad, 6, &error));
    // fuzz-postprocess's finding: a denormal scale or an extreme ratio made boxes of size 0
    // (min_scale 3.5e-41 with ratio 3e-32 gave width 0). Such parameters are refused.
    bad = voc();
    bad.min_scale = 3.5e-41f;
    CHECK_FALSE(check_anchor_params(bad, 6, &error));
    CHECK(error.find("0.001 <= min_scale") != std::string::npos);
    for (float ratio : {3e-32f, 1e-4f, 1e4f, 3e38f}) {
      CAPTURE(ratio);
      bad = voc();
      bad.aspect_ratios.push_back(ratio);
      CHECK_FALSE(check_anchor_params(bad, 6, &error));
      bad = voc();
      bad.interpolated_scale_aspect_ratio = ratio;
      CHECK_FALSE(check_anchor_params(bad, 6, &error));
      CHECK(error.find("interpolated") != std::string::npos);
    }
    // At the bounds every box is still a positive, finite size.
    bad = voc();
    bad.min_scale = 1e-3f;
    bad.aspect_ratios = {1e-3f, 1e3f};
    bad.interpolated_scale_aspect_ratio = 1e3f;
    REQUIRE(check_anchor_params(bad, 6, &error));
    for (const Anchor& a : generate_anchors(bad, {19, 10, 5, 3, 2, 1})) {
      CHECK((a.h > 0.0f && a.w > 0.0f && std::isfinite(a.h) && std::isfinite(a.w)));
    }
  }
}

}  // namespace mnv2
