// TFLite's fused-ReLU6 clamp for int8 activations, including the scales a hostile weight file
// can declare (the libFuzzer weight-file target found a scale so small that 6 / scale did not
// fit an int32: undefined behaviour in the cast before this was checked).
#include <doctest/doctest.h>

#include "model/q8-layer-weights.h"

namespace mnv2 {

TEST_SUITE("int8 activation quantization") {
  TEST_CASE("ReLU6 clamps to [zero point, zero point + round(6 / scale)] within int8") {
    const Q8Output typical = q8_load::relu6_output({6.0f / 255.0f, -128});
    CHECK(typical.zero_point == -128);
    CHECK(typical.min == -128);
    CHECK(typical.max == 127);
    const Q8Output coarse = q8_load::relu6_output({0.1f, -20});
    CHECK(coarse.min == -20);
    CHECK(coarse.max == 40);  // -20 + 60
    const Q8Output near_top = q8_load::relu6_output({0.05f, 10});
    CHECK(near_top.max == 127);  // 10 + 120 is past qmax
  }

  TEST_CASE("a scale too small for 6 / scale to fit an int32 clamps at qmax") {
    for (const float scale : {1e-30f, 4.7e-21f, 1e-9f, 6.0f / 2e9f}) {
      const Q8Output out = q8_load::relu6_output({scale, 5});
      CHECK(out.min == 5);
      CHECK(out.max == 127);
    }
  }
}

}  // namespace mnv2
