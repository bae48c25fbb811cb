// The int8 network on the shared scheduler, on the real quantized models the build converts
// (weights/): any thread count, and layer by layer, computes the same bytes as one fused
// thread. Bands of rows and ranges of pixels only change who computes a value, never how.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "native/q8-runs.h"
#include "native/shared-models.h"

using namespace mnv2;

namespace {

std::vector<test::Q8Options> other_schedules() {
  std::vector<test::Q8Options> schedules(3);
  schedules[0].threads = 2;
  schedules[1].threads = 3;
  schedules[2].execution = Execution::kLayerByLayer;
  return schedules;
}

}  // namespace

TEST_SUITE("int8 threads") {
  TEST_CASE("int8 classifiers: the same bytes on 1, 2 and 3 threads and layer by layer") {
    for (const char* name : {"mobilenet_v2_1.0_224.mnv2", "tf2_mobilenet_v2_1.0_224_ptq.mnv2"}) {
      CAPTURE(name);
      const std::vector<uint8_t> file = test::read_weight_file(name);
      const std::vector<uint8_t> rgb = test::smooth_rgb(224, 19);
      const test::Q8Classification one = test::classify_q8(file, rgb);
      for (const test::Q8Options& options : other_schedules()) {
        CAPTURE(options.threads);
        CAPTURE(options.execution == Execution::kLayerByLayer);
        CHECK(test::classify_q8(file, rgb, options) == one);
      }
    }
  }

  TEST_CASE("the int8 detector: the same head tensors on 1, 2 and 3 threads and layer by layer") {
    const std::vector<uint8_t> file = test::read_weight_file("ssdlite_mobilenet_v2_voc_300.mnv2");
    const std::vector<uint8_t> rgb = test::smooth_rgb(300, 23);
    const test::Q8Detection one = test::detect_q8(file, rgb);
    for (const test::Q8Options& options : other_schedules()) {
      CAPTURE(options.threads);
      CHECK(test::detect_q8(file, rgb, options) == one);
    }
  }
}
