// Non-maximum suppression on hand-made boxes whose answers are known: overlapping, nested,
// disjoint, ties, empty input, class-agnostic against per-class, and the limits.
#include <doctest/doctest.h>

#include <vector>

#include "model/nms.h"

namespace mnv2 {
namespace {

// Boxes with per-class scores laid out like the network's: column 0 is the background.
struct Scene {
  std::vector<Box> boxes;
  std::vector<float> scores;  // [boxes][1 + classes]
  size_t classes;

  explicit Scene(size_t classes) : classes(classes) {}

  void add(Box box, std::vector<float> class_scores) {
    REQUIRE(class_scores.size() == classes);
    boxes.push_back(box);
    scores.push_back(0.99f);  // background: must never be reported or counted
    scores.insert(scores.end(), class_scores.begin(), class_scores.end());
  }

  std::vector<NmsDetection> run(const NmsOptions& options) {
    NonMaxSuppression nms;
    nms.reserve(boxes.size(), classes);
    std::vector<NmsDetection> out;
    nms.run(boxes.data(), scores.data(), boxes.size(), classes + 1, 1, classes, options, &out);
    return out;
  }
};

NmsOptions options(bool class_agnostic = true, float iou = 0.6f) {
  NmsOptions o;
  o.score_threshold = 0.5f;
  o.iou_threshold = iou;
  o.max_detections = 20;
  o.class_agnostic = class_agnostic;
  o.max_per_class = 100;
  return o;
}

// The (box, class) pairs of a result, in order.
std::vector<std::pair<uint32_t, uint32_t>> picks(const std::vector<NmsDetection>& out) {
  std::vector<std::pair<uint32_t, uint32_t>> result;
  for (const NmsDetection& d : out) result.push_back({d.box, d.class_index});
  return result;
}

using Picks = std::vector<std::pair<uint32_t, uint32_t>>;

const Box kUnit = {0, 0, 1, 1};

}  // namespace

TEST_SUITE("nms") {
  TEST_CASE("intersection over union") {
    CHECK(intersection_over_union(kUnit, kUnit) == doctest::Approx(1.0f));
    CHECK(intersection_over_union(kUnit, {0, 0.1f, 1, 1.1f}) == doctest::Approx(0.9f / 1.1f));
    CHECK(intersection_over_union(kUnit, {0.25f, 0.25f, 0.75f, 0.75f}) == doctest::Approx(0.25f));
    CHECK(intersection_over_union(kUnit, {2, 2, 3, 3}) == 0.0f);
    CHECK(intersection_over_union(kUnit, {1, 0, 2, 1}) == 0.0f);       // touching edges
    CHECK(intersection_over_union(kUnit, {0.5f, 0.5f, 0.5f, 0.9f}) == 0.0f);  // no area
    CHECK(intersection_over_union(kUnit, {1, 1, 0, 0}) == doctest::Approx(1.0f));  // flipped
  }

  TEST_CASE("overlapping boxes: the higher score suppresses IoU above the threshold") {
    Scene s(1);
    s.add({0, 0.1f, 1, 1.1f}, {0.8f});   // IoU 0.82 with box 1: suppressed
    s.add(kUnit, {0.9f});
    s.add({0, 0.5f, 1, 1.5f}, {0.7f});   // IoU 0.33 with box 1: kept
    CHECK(picks(s.run(options())) == Picks{{1, 0}, {2, 0}});
    // At IoU 0.9 nothing here overlaps enough.
    CHECK(picks(s.run(options(true, 0.9f))) == Picks{{1, 0}, {0, 0}, {2, 0}});
  }

  TEST_CASE("a box nested in another is kept unless the threshold is below their IoU") {
    Scene s(1);
    s.add(kUnit, {0.9f});
    s.add({0.25f, 0.25f, 0.75f, 0.75f}, {0.8f});  // IoU 0.25
    CHECK(picks(s.run(options())) == Picks{{0, 0}, {1, 0}});
    CHECK(picks(s.run(options(true, 0.2f))) == Picks{{0, 0}});
    // The nested box scoring higher suppresses the outer one just the same.
    Scene inner_first(1);
    inner_first.add(kUnit, {0.8f});
    inner_first.add({0.25f, 0.25f, 0.75f, 0.75f}, {0.9f});
    CHECK(picks(inner_first.run(options(true, 0.2f))) == Picks{{1, 0}});
  }

  TEST_CASE("disjoint boxes all survive, sorted by score") {
    Scene s(2);
    s.add(kUnit, {0.6f, 0.1f});
    s.add({2, 2, 3, 3}, {0.2f, 0.95f});
    s.add({4, 4, 5, 5}, {0.75f, 0.0f});
    const auto out = s.run(options());
    CHECK(picks(out) == Picks{{1, 1}, {2, 0}, {0, 0}});
    REQUIRE(out.size() == 3);
    CHECK(out[0].score == 0.95f);
    CHECK(out[2].score == 0.6f);
  }

  TEST_CASE("ties go to the lower box index, then the lower class") {
    Scene s(2);
    s.add(kUnit, {0.8f, 0.8f});   // equal class scores: class 0 is this box's class
    s.add(kUnit, {0.8f, 0.0f});   // same box, same score: box 0 wins
    CHECK(picks(s.run(options())) == Picks{{0, 0}});
    // Per class, box 0 is kept for both classes, box 1 suppressed by it in class 0.
    CHECK(picks(s.run(options(false))) == Picks{{0, 0}, {0, 1}});
  }

  TEST_CASE("empty input, nothing above the threshold, zero-area boxes") {
    Scene empty(3);
    CHECK(empty.run(options()).empty());
    CHECK(empty.run(options(false)).empty());
    Scene low(1);
    low.add(kUnit, {0.49f});
    CHECK(low.run(options()).empty());
    Scene edge(1);
    edge.add(kUnit, {0.5f});  // the threshold itself is kept
    CHECK(edge.run(options()).size() == 1);
    Scene flat(1);
    flat.add({0.5f, 0.5f, 0.5f, 0.5f}, {0.9f});
    flat.add({0.5f, 0.5f, 0.5f, 0.5f}, {0.8f});  // IoU of empty boxes is 0: both kept
    CHECK(flat.run(options()).size() == 2);
  }

  TEST_CASE("class-agnostic NMS suppresses across classes, per-class NMS does not") {
    Scene s(2);
    s.add(kUnit, {0.9f, 0.0f});
    s.add({0, 0.1f, 1, 1.1f}, {0.0f, 0.8f});  // overlaps box 0, another class
    CHECK(picks(s.run(options(true))) == Picks{{0, 0}});
    CHECK(picks(s.run(options(false))) == Picks{{0, 0}, {1, 1}});
  }

  TEST_CASE("class-agnostic reports one class per box, per-class may report a box twice") {
    Scene s(3);
    s.add(kUnit, {0.6f, 0.9f, 0.7f});
    CHECK(picks(s.run(options(true))) == Picks{{0, 1}});
    CHECK(picks(s.run(options(false))) == Picks{{0, 1}, {0, 2}, {0, 0}});
  }

  TEST_CASE("max_detections and max_per_class cut the lowest scores") {
    Scene s(1);
    s.add(kUnit, {0.6f});
    s.add({2, 2, 3, 3}, {0.9f});
    s.add({4, 4, 5, 5}, {0.7f});
    NmsOptions o = options();
    o.max_detections = 2;
    CHECK(picks(s.run(o)) == Picks{{1, 0}, {2, 0}});
    o.class_agnostic = false;
    CHECK(picks(s.run(o)) == Picks{{1, 0}, {2, 0}});
    o.max_detections = 20;
    o.max_per_class = 1;
    CHECK(picks(s.run(o)) == Picks{{1, 0}});
  }
}

}  // namespace mnv2
