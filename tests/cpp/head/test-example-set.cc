// ExampleSet: refuses non-finite features, renumbers classes when one is removed.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "head/example-set.h"
#include "head/feature-normalizer.h"

using namespace mnv2;

TEST_CASE("ExampleSet refuses NaN and infinite features, naming the index") {
  ExampleSet set(4);
  std::string error;
  const float good[4] = {1, 2, 3, 4};
  CHECK(set.add(good, 0, &error));
  for (float bad : {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(),
                    -std::numeric_limits<float>::infinity()}) {
    const float row[4] = {1, 2, bad, 4};
    CHECK_FALSE(set.add(row, 1, &error));
    CHECK(error.find("index 2") != std::string::npos);
  }
  CHECK(set.size() == 1);
  CHECK(set.num_labels() == 1);
}

TEST_CASE("ExampleSet::remove_label keeps the other examples in order, classes renumbered densely") {
  ExampleSet set(2);
  std::string error;
  const uint32_t labels[] = {0, 1, 2, 1, 0, 2};
  for (size_t i = 0; i < 6; i++) {
    const float row[2] = {float(i), float(10 * i)};
    REQUIRE(set.add(row, labels[i], &error));
  }
  CHECK(set.count(1) == 2);
  set.remove_label(1);
  REQUIRE(set.size() == 4);
  CHECK(set.num_labels() == 2);
  const float rows[4] = {0, 2, 4, 5};  // the first value of each kept row
  const uint32_t renumbered[4] = {0, 1, 0, 1};
  for (size_t i = 0; i < 4; i++) {
    CHECK(set.row(i)[0] == rows[i]);
    CHECK(set.row(i)[1] == 10 * rows[i]);
    CHECK(set.label(i) == renumbered[i]);
  }
  set.clear();
  CHECK(set.size() == 0);
  CHECK(set.num_labels() == 0);
}

TEST_CASE("FeatureNormalizer: unit vectors minus their mean, times sqrt(d)") {
  ExampleSet set(2);
  std::string error;
  const float a[2] = {3, 4}, b[2] = {0, 2};  // unit: (0.6, 0.8) and (0, 1); mean (0.3, 0.9)
  set.add(a, 0, &error);
  set.add(b, 1, &error);
  FeatureNormalizer normalizer;
  normalizer.fit(set);
  CHECK(normalizer.mean()[0] == doctest::Approx(0.3));
  CHECK(normalizer.mean()[1] == doctest::Approx(0.9));
  float out[2];
  normalizer.apply(a, out);
  CHECK(out[0] == doctest::Approx(0.3 * std::sqrt(2.0)));
  CHECK(out[1] == doctest::Approx(-0.1 * std::sqrt(2.0)));
  const float zero[2] = {0, 0};  // no direction: stays at the origin before centring
  normalizer.apply(zero, out);
  CHECK(out[0] == doctest::Approx(-0.3 * std::sqrt(2.0)));
}
