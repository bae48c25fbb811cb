// libFuzzer target: the detector's post-processing with hostile numbers (NaN, infinities,
// denormals, huge and zero counts), called the way the detector calls it:
//   - the "postprocess.params" and "anchors.params" vectors of a weight file: decode, check,
//     then generate the anchors of up to 8 square grids;
//   - box decoding and the sigmoid on any encodings, anchors and coder scales;
//   - intersection over union of any two boxes;
//   - NMS (class-agnostic and per class) over up to 160 boxes of up to 12 classes with any
//     scores, threshold, IoU threshold and limits.
//
// Oracles beyond ASan/UBSan:
//   - params: an accepted vector satisfies the documented ranges and encodes back to itself;
//     anchors come out as many as anchors_per_cell() promises, finite, with positive sizes;
//   - sigmoid: within [0, 1] for any non-NaN logit;
//   - IoU: symmetric to the bit; within [0, 1] for finite boxes whose areas add up without
//     overflow; 1 for such a box with itself;
//   - NMS: at most max_detections (and max_per_class per class) detections, sorted by score
//     (ties: box, then class), each a real candidate (its score, >= the threshold); no two kept
//     boxes that compete overlap by more than the IoU threshold; and nothing is missing: when
//     the output was not cut at max_detections, every candidate left out was suppressed by a
//     kept box that ranks before it.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "fuzz-support.h"
#include "model/anchors.h"
#include "model/box-decode.h"
#include "model/nms.h"
#include "model/postprocess-params.h"

namespace {

using mnv2::fuzzing::any_float;
using mnv2::fuzzing::broken;

// NMS costs O(boxes x kept) IoUs, and so do its checks here: more boxes only cost time.
constexpr size_t kMaxBoxes = 160;
constexpr size_t kMaxClasses = 12;
constexpr size_t kMaxGrid = 12;  // an 8-layer pyramid then has at most ~20,000 anchors

// Mostly plain numbers in a range, sometimes any bit pattern.
float hostile_float(FuzzedDataProvider& input, float low, float high) {
  return input.ConsumeIntegralInRange<uint8_t>(0, 7) == 0
             ? any_float(input)
             : input.ConsumeFloatingPointInRange(low, high);
}

std::vector<float> floats(FuzzedDataProvider& input, size_t count, float low, float high) {
  std::vector<float> values(count);
  for (float& v : values) v = hostile_float(input, low, high);
  return values;
}

bool same_bits(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0; }

void postprocess_params(FuzzedDataProvider& input) {
  const size_t count = input.ConsumeBool() ? mnv2::kPostprocessParamCount
                                           : input.ConsumeIntegralInRange<size_t>(0, 16);
  std::vector<float> values = floats(input, count, 0.0f, 12.0f);
  if (input.ConsumeBool() && values.size() > 6) {
    // Counts as a detector stores them, so the checks after the scales are reached too.
    for (size_t i = 6; i < values.size(); ++i) values[i] = std::round(values[i]);
  }
  mnv2::PostprocessParams params;
  std::string error;
  if (!mnv2::decode_postprocess_params(values, &params, &error)) {
    if (error.empty()) broken("postprocess params rejected without a message", "");
    return;
  }
  const bool ranges = params.scales.y > 0 && params.scales.x > 0 && params.scales.h > 0 &&
                      params.scales.w > 0 && std::isfinite(params.scales.y) &&
                      std::isfinite(params.scales.x) && std::isfinite(params.scales.h) &&
                      std::isfinite(params.scales.w) && params.iou_threshold >= 0.0f &&
                      params.iou_threshold <= 1.0f && params.score_threshold >= 0.0f &&
                      params.score_threshold <= 1.0f && params.max_detections >= 1 &&
                      params.detections_per_class >= 1 && params.num_classes >= 1 &&
                      params.max_classes_per_detection == 1;
  if (!ranges) broken("accepted postprocess params out of range", "");
  const std::vector<float> encoded = mnv2::encode_postprocess_params(params);
  for (size_t i = 0; i < encoded.size(); ++i) {
    // -0 and +0 both read as 0, which encodes as +0.
    if (!same_bits(encoded[i], values[i]) && !(encoded[i] == 0.0f && values[i] == 0.0f)) {
      broken("postprocess params do not encode back", std::to_string(i));
    }
  }
}

void anchors(FuzzedDataProvider& input) {
  const size_t count = input.ConsumeIntegralInRange<size_t>(0, 22);
  std::vector<float> values = floats(input, count, 0.0f, 4.0f);
  if (values.size() > 3 && input.ConsumeBool()) values[3] = input.ConsumeBool() ? 1.0f : 0.0f;
  mnv2::AnchorParams params;
  std::string error;
  if (!mnv2::decode_anchor_params(values, &params, &error)) {
    if (error.empty()) broken("anchor params rejected without a message", "");
    return;
  }
  const size_t layers = input.ConsumeIntegralInRange<size_t>(0, 8);
  if (!mnv2::check_anchor_params(params, layers, &error)) {
    if (error.empty()) broken("anchor params refused without a message", "");
    return;
  }
  std::vector<size_t> grids(layers);
  size_t expected = 0;
  for (size_t m = 0; m < layers; ++m) {
    grids[m] = input.ConsumeIntegralInRange<size_t>(1, kMaxGrid);
    expected += grids[m] * grids[m] * mnv2::anchors_per_cell(params, m);
  }
  const std::vector<mnv2::Anchor> generated = mnv2::generate_anchors(params, grids);
  if (generated.size() != expected) broken("anchor count", std::to_string(generated.size()));
  for (const mnv2::Anchor& a : generated) {
    const bool fine = std::isfinite(a.y) && std::isfinite(a.x) && std::isfinite(a.h) &&
                      std::isfinite(a.w) && a.h > 0.0f && a.w > 0.0f && a.y > 0.0f &&
                      a.y < 1.0f && a.x > 0.0f && a.x < 1.0f;
    if (!fine) {
      broken("anchor not a finite box in the image",
             std::to_string(a.y) + " " + std::to_string(a.x) + " " + std::to_string(a.h) + " " +
                 std::to_string(a.w));
    }
  }
}

void decode(FuzzedDataProvider& input) {
  const size_t count = input.ConsumeIntegralInRange<size_t>(0, 64);
  const mnv2::BoxCoderScales scales{hostile_float(input, 0.1f, 20.0f),
                                    hostile_float(input, 0.1f, 20.0f),
                                    hostile_float(input, 0.1f, 20.0f),
                                    hostile_float(input, 0.1f, 20.0f)};
  std::vector<mnv2::Anchor> anchor_list(count);
  for (mnv2::Anchor& a : anchor_list) {
    a = {hostile_float(input, 0.0f, 1.0f), hostile_float(input, 0.0f, 1.0f),
         hostile_float(input, 0.0f, 1.0f), hostile_float(input, 0.0f, 1.0f)};
  }
  const std::vector<float> encodings = floats(input, 4 * count, -100.0f, 100.0f);
  std::vector<mnv2::Box> boxes(count);
  mnv2::decode_boxes(encodings.data(), anchor_list.data(), count, scales, boxes.data());
  std::vector<float> scores = floats(input, count, -100.0f, 100.0f);
  const std::vector<float> logits = scores;
  mnv2::sigmoid(scores.data(), scores.size(), scores.data());  // in place, as the engines do
  for (size_t i = 0; i < scores.size(); ++i) {
    if (!std::isnan(logits[i]) && !(scores[i] >= 0.0f && scores[i] <= 1.0f)) {
      broken("sigmoid out of [0, 1]", std::to_string(logits[i]) + " -> " + std::to_string(scores[i]));
    }
  }
}

mnv2::Box any_box(FuzzedDataProvider& input) {
  return {hostile_float(input, -0.5f, 1.5f), hostile_float(input, -0.5f, 1.5f),
          hostile_float(input, -0.5f, 1.5f), hostile_float(input, -0.5f, 1.5f)};
}

bool finite_box(const mnv2::Box& b) {
  return std::isfinite(b.ymin) && std::isfinite(b.xmin) && std::isfinite(b.ymax) &&
         std::isfinite(b.xmax);
}

void iou(FuzzedDataProvider& input) {
  const mnv2::Box a = any_box(input), b = any_box(input);
  const float ab = mnv2::intersection_over_union(a, b), ba = mnv2::intersection_over_union(b, a);
  if (!same_bits(ab, ba) && !(std::isnan(ab) && std::isnan(ba))) {
    broken("IoU not symmetric", std::to_string(ab) + " vs " + std::to_string(ba));
  }
  // Boxes within the float range whose areas do not overflow: an IoU in [0, 1].
  const auto area = [](const mnv2::Box& box) {
    return std::fabs(box.ymax - box.ymin) * std::fabs(box.xmax - box.xmin);
  };
  if (finite_box(a) && finite_box(b) && std::isfinite(area(a)) && std::isfinite(area(b)) &&
      std::isfinite(area(a) + area(b))) {
    if (!(ab >= 0.0f && ab <= 1.0f)) broken("IoU out of [0, 1]", std::to_string(ab));
    // With itself too, unless the union (twice the area) overflows, where the IoU is 0.
    if (area(a) > 0.0f && std::isfinite(area(a) + area(a)) &&
        mnv2::intersection_over_union(a, a) != 1.0f) {
      broken("IoU of a box with itself", std::to_string(mnv2::intersection_over_union(a, a)));
    }
  }
}

bool ranks_before(const mnv2::NmsDetection& a, const mnv2::NmsDetection& b) {
  if (a.score != b.score) return a.score > b.score;
  if (a.box != b.box) return a.box < b.box;
  return a.class_index < b.class_index;
}

void nms(FuzzedDataProvider& input) {
  const size_t count = input.ConsumeIntegralInRange<size_t>(0, kMaxBoxes);
  const size_t classes = input.ConsumeIntegralInRange<size_t>(1, kMaxClasses);
  const size_t first_class = input.ConsumeIntegralInRange<size_t>(0, 1);
  const size_t stride = first_class + classes + input.ConsumeIntegralInRange<size_t>(0, 2);
  mnv2::NmsOptions options;
  options.score_threshold = hostile_float(input, 0.0f, 1.0f);
  options.iou_threshold = hostile_float(input, 0.0f, 1.0f);
  options.class_agnostic = input.ConsumeBool();
  options.max_detections = input.ConsumeBool() ? input.ConsumeIntegral<size_t>()
                                               : input.ConsumeIntegralInRange<size_t>(0, 40);
  options.max_per_class = input.ConsumeBool() ? input.ConsumeIntegral<size_t>()
                                              : input.ConsumeIntegralInRange<size_t>(0, 40);
  // Few distinct values, so ties and exact overlaps are common; sometimes anything.
  std::vector<mnv2::Box> boxes(count);
  std::vector<float> scores(count * stride);
  for (mnv2::Box& b : boxes) b = any_box(input);
  for (float& s : scores) {
    s = input.ConsumeBool() ? input.ConsumeIntegralInRange<uint8_t>(0, 8) / 8.0f
                            : hostile_float(input, 0.0f, 1.0f);
  }

  mnv2::NonMaxSuppression suppression;
  suppression.reserve(count, classes);
  std::vector<mnv2::NmsDetection> out;
  suppression.run(boxes.data(), scores.data(), count, stride, first_class, classes, options, &out);

  const auto score_of = [&](size_t box, size_t c) { return scores[box * stride + first_class + c]; };
  if (out.size() > options.max_detections) broken("more than max_detections", std::to_string(out.size()));
  std::vector<size_t> per_class(classes, 0);
  for (size_t i = 0; i < out.size(); ++i) {
    const mnv2::NmsDetection& d = out[i];
    if (d.box >= count || d.class_index >= classes) broken("detection index", "");
    if (!same_bits(d.score, score_of(d.box, d.class_index))) broken("detection score", "");
    if (!(d.score >= options.score_threshold)) broken("detection below threshold", "");
    if (i > 0 && !ranks_before(out[i - 1], d)) broken("detections not in rank order", std::to_string(i));
    if (!options.class_agnostic && ++per_class[d.class_index] > options.max_per_class) {
      broken("more than max_per_class", std::to_string(d.class_index));
    }
  }
  const auto compete = [&](const mnv2::NmsDetection& a, const mnv2::NmsDetection& b) {
    return options.class_agnostic || a.class_index == b.class_index;
  };
  const auto suppresses = [&](const mnv2::NmsDetection& kept, const mnv2::NmsDetection& other) {
    return mnv2::intersection_over_union(boxes[kept.box], boxes[other.box]) > options.iou_threshold;
  };
  for (size_t i = 0; i < out.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (compete(out[i], out[j]) && suppresses(out[j], out[i])) {
        broken("kept boxes overlap above the IoU threshold", std::to_string(j) + " " + std::to_string(i));
      }
    }
  }
  if (out.size() == options.max_detections) return;  // cut short: the rest was never visited
  // Completeness: every candidate left out lost to a kept box ranked before it (or its class
  // was full).
  for (size_t box = 0; box < count; ++box) {
    for (size_t c = 0; c < classes; ++c) {
      const mnv2::NmsDetection candidate{static_cast<uint32_t>(box), static_cast<uint32_t>(c),
                                         score_of(box, c)};
      if (options.class_agnostic) {
        // A box competes with its best class only (the first of equal maxima).
        const float* row = &scores[box * stride + first_class];
        if (static_cast<size_t>(std::max_element(row, row + classes) - row) != c) continue;
      } else if (per_class[c] >= options.max_per_class) {
        continue;
      }
      if (!(candidate.score >= options.score_threshold)) continue;
      bool kept = false, beaten = false;
      for (const mnv2::NmsDetection& d : out) {
        kept = kept || (d.box == candidate.box && d.class_index == candidate.class_index);
        beaten = beaten || (ranks_before(d, candidate) && compete(d, candidate) && suppresses(d, candidate));
      }
      if (!kept && !beaten) {
        broken("a candidate was dropped without being suppressed",
               "box " + std::to_string(box) + " class " + std::to_string(c));
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider input(data, size);
  switch (input.ConsumeIntegralInRange<uint8_t>(0, 4)) {
    case 0: postprocess_params(input); break;
    case 1: anchors(input); break;
    case 2: decode(input); break;
    case 3: iou(input); break;
    default: nms(input); break;
  }
  return 0;
}
