// CosineKnn: vote shares of the k most similar examples by cosine, the tie-break by best
// similarity, and k capped at the example count.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "head/cosine-knn.h"

using namespace mnv2;

namespace {

// Examples on the unit circle (scaled: cosine ignores length) at the given angles in degrees.
ExampleSet circle(const std::vector<std::pair<double, uint32_t>>& points) {
  ExampleSet set(2);
  std::string error;
  for (const auto& [degrees, label] : points) {
    const double a = degrees * M_PI / 180.0;
    const float row[2] = {float(3 * std::cos(a)), float(3 * std::sin(a))};
    set.add(row, label, &error);
  }
  return set;
}

}  // namespace

TEST_CASE("kNN scores are the vote shares of the k nearest examples by angle") {
  // Query at 0 degrees: nearest 10 (class 1), 20 (class 0), 30 (class 1), then 100, 170.
  CosineKnn knn;
  knn.fit(circle({{100, 0}, {20, 0}, {10, 1}, {30, 1}, {170, 2}}), 3, 3);
  const float query[2] = {0.5f, 0.0f};
  float scores[3], best[3];
  knn.predict(query, simd_kernels(), scores, best);
  CHECK(scores[0] == doctest::Approx(1.0 / 3));
  CHECK(scores[1] == doctest::Approx(2.0 / 3));
  CHECK(scores[2] == 0.0f);
  CHECK(best[0] == doctest::Approx(std::cos(20 * M_PI / 180)));
  CHECK(best[1] == doctest::Approx(std::cos(10 * M_PI / 180)));
  CHECK(best[2] == doctest::Approx(std::cos(170 * M_PI / 180)));
}

TEST_CASE("kNN caps k at the number of examples") {
  CosineKnn knn;
  knn.fit(circle({{0, 0}, {90, 1}}), 2, 5);
  CHECK(knn.k() == 2);
  const float query[2] = {1.0f, 0.1f};
  float scores[2], best[2];
  knn.predict(query, reference_kernels(), scores, best);
  CHECK(scores[0] == 0.5f);
  CHECK(scores[1] == 0.5f);
  CHECK(best[0] > best[1]);
}

TEST_CASE("kNN with the SIMD kernels gives the scalar twins' scores") {
  std::vector<std::pair<double, uint32_t>> points;
  for (int i = 0; i < 40; i++) points.push_back({i * 9.0, uint32_t(i % 4)});
  CosineKnn simd, ref;
  simd.fit(circle(points), 4, 5);
  ref.fit(circle(points), 4, 5);
  for (int q = 0; q < 36; q++) {
    const float query[2] = {float(std::cos(q * 0.17)), float(std::sin(q * 0.17))};
    float s1[4], b1[4], s2[4], b2[4];
    simd.predict(query, simd_kernels(), s1, b1);
    ref.predict(query, reference_kernels(), s2, b2);
    for (int c = 0; c < 4; c++) {
      CHECK(s1[c] == s2[c]);
      CHECK(b1[c] == b2[c]);
    }
  }
}
